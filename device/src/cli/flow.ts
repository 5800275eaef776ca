import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { clear, ClearingInputError, parseObligationsCsv } from '../flow/clearing.js';
import { parseDimacs } from '../flow/dimacs.js';
import { networkSimplex } from '../flow/network-simplex.js';
import { primalDual } from '../flow/primal-dual.js';
import { FlowInputError } from '../flow/problem.js';
import { parse, UsageError, TEXT, FLAG } from './args.js';

/** A problem with the input file: message and exit code 2, as for a usage error. */
export class InputFileError extends UsageError {
  override readonly plain = true;
}

function readInput(path: string | undefined, what: string): string {
  if (!path) throw new UsageError(`give the ${what} file`);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputFileError(`cannot read ${path}: ${(e as Error).message}`);
  }
}

/**
 * Cost scaling is not offered: ours was 7–71× slower than LEMON's (a plain
 * FIFO push-relabel). It stays in flow/ only as a third check in the tests.
 */
function algorithmOf(v: unknown): 'ns' | 'pd' {
  if (v !== 'ns' && v !== 'pd') throw new UsageError('--algorithm must be ns (network simplex) or pd (primal-dual)');
  return v;
}

/** hyphae flow solve FILE [--algorithm ns|pd] [--flows] */
export async function flowSolve(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { algorithm: { type: 'string', default: 'ns' }, flows: FLAG });
  const algorithm = algorithmOf(values.algorithm);
  const text = readInput(positionals[0], 'DIMACS');
  let problem;
  try {
    problem = parseDimacs(text);
  } catch (e) {
    if (e instanceof FlowInputError) throw new InputFileError(`${positionals[0]}: ${e.message}`);
    throw e;
  }
  if (algorithm === 'pd' && Array.from(problem.upper).some((u) => !Number.isFinite(u)))
    throw new UsageError('--algorithm pd needs a finite capacity on every arc');
  const sol = algorithm === 'ns' ? networkSimplex(problem) : primalDual(problem);
  if (sol.status !== 'optimal') throw new InputFileError(`${positionals[0]}: the problem is ${sol.status}`);
  const lines = [
    `cost ${sol.cost}`,
    `algorithm ${sol.stats.algorithm}`,
    `nodes ${problem.nodeCount}`,
    `arcs ${problem.from.length}`,
    `iterations ${sol.stats.iterations}`,
    `ms ${sol.stats.ms.toFixed(1)}`,
  ];
  if (values.flows) {
    sol.flow.forEach((f, e) => {
      const [u, v] = [problem.from[e], problem.to[e]];
      if (f !== 0 && u !== undefined && v !== undefined) lines.push(`f ${u + 1} ${v + 1} ${f}`);
    });
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

/** hyphae clear FILE.csv [--out FILE] [--algorithm pd|ns] */
export async function clearCsv(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { out: TEXT, algorithm: { type: 'string', default: 'pd' } });
  const algorithm = algorithmOf(values.algorithm);
  const text = readInput(positionals[0], 'obligations CSV');
  let result;
  try {
    result = clear(parseObligationsCsv(text), algorithm);
  } catch (e) {
    if (e instanceof ClearingInputError) throw new InputFileError(`${positionals[0]}: ${e.message}`);
    throw e;
  }
  if (typeof values.out === 'string') {
    const csv = ['debtor,creditor,amount', ...result.remaining.map((o) => `${o.debtor},${o.creditor},${o.amount}`)].join('\n') + '\n';
    writeFileSync(values.out + '.tmp', csv);
    renameSync(values.out + '.tmp', values.out);
  }
  const { totalBefore, totalAfter, cleared, cycles } = result;
  process.stdout.write(
    JSON.stringify({ totalBefore, totalAfter, cleared, obligations: result.remaining.length, cycles, ms: Number(result.stats.ms.toFixed(1)) }) + '\n',
  );
  return 0;
}
