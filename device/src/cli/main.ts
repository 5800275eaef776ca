#!/usr/bin/env node
import { isHubError } from '../errors.js';
import { VERSION } from '../version.js';
import { UsageError } from './args.js';

/**
 * The \`hyphae\` command. Each command's modules are imported when it runs:
 * a flow solve or a codec run starts in a fraction of the time the whole hub
 * takes to load.
 */
const USAGE = `hyphae ${VERSION}: the neighbourhood hub

Usage:
  hyphae start --data DIR [--port N] [--host H] [--lorawan-port N] [--station-port N] [--config FILE] [--demo]
  hyphae configfile                       print a fully commented default config
  hyphae member add --data DIR --email E --name N [--role resident|steward|admin]
                    (password from HYPHAE_PASSWORD, or none)
  hyphae member password --data DIR --email E
                    a locked-out member's password: HYPHAE_PASSWORD, or a
                    one-time one printed once, to be changed at sign-in
  hyphae token create --data DIR --email E [--name N]
  hyphae key phrase (--data DIR | --key FILE)
                    the hub key's recovery phrase (24 words): with it and the
                    backup passphrase a new card gets the hub back from the
                    backups its linked hubs keep (hyphae-provision recover)
  hyphae ledger verify --data DIR         JSON report; exit 1 if anything is wrong
  hyphae export --data DIR --out FILE     all community data as JSON
  hyphae flow solve FILE [--algorithm ns|pd] [--flows]
                                          solve a DIMACS min-cost flow problem
  hyphae lorawan decode --hex HEX [--nwkskey K] [--appskey K] [--appkey K] [--fcnt-msb N] [--explain]
                                          decode a LoRaWAN frame (JSON, or a field per line)
  hyphae codec list                       the payload codecs the hub ships
  hyphae codec run --codec ID --fport N --hex HEX [--variables JSON]
                                          run a codec on a payload (JSON)
  hyphae modbus scan --host H [--port P] [--unit U]
  hyphae modbus scan --serial TTY [--baud N] [--parity none|even|odd] [--unit U]
                                          SunSpec discovery over TCP or RTU: models and points (JSON)
  hyphae clear FILE.csv [--out FILE] [--algorithm pd|ns]
                                          multilateral set-off of debtor,creditor,amount lines
  hyphae openapi                          the API's OpenAPI 3.1 document (JSON), as a hub serves it
  hyphae update verify FILE --key PEM [--payload-out F]
                                          check a signed update file (JSON manifest); exit 1 if it fails

The first admin of an empty hub comes from HYPHAE_ADMIN_EMAIL and
HYPHAE_ADMIN_PASSWORD at start, or from 'hyphae member add --role admin'.`;

type Command = (argv: string[]) => Promise<number>;
const hubCommand =
  (name: 'start' | 'memberAdd' | 'memberPassword' | 'tokenCreate' | 'keyPhrase' | 'ledgerVerify' | 'exportData' | 'openapiDocument'): Command =>
  async (argv) =>
    (await import('./hub-commands.js'))[name](argv);

const commands: Record<string, Command> = {
  start: hubCommand('start'),
  configfile: async () => {
    const { commentedDefaultConfig } = await import('../config/commented.js');
    process.stdout.write(commentedDefaultConfig());
    return 0;
  },
  'member add': hubCommand('memberAdd'),
  'member password': hubCommand('memberPassword'),
  'token create': hubCommand('tokenCreate'),
  'key phrase': hubCommand('keyPhrase'),
  'ledger verify': hubCommand('ledgerVerify'),
  export: hubCommand('exportData'),
  'flow solve': async (argv) => (await import('./flow.js')).flowSolve(argv),
  clear: async (argv) => (await import('./flow.js')).clearCsv(argv),
  'lorawan decode': async (argv) => (await import('./lorawan.js')).lorawanDecode(argv),
  'codec run': async (argv) => (await import('./lorawan.js')).codecRun(argv),
  'codec list': async () => (await import('./lorawan.js')).codecList(),
  'modbus scan': async (argv) => (await import('./modbus.js')).modbusScan(argv),
  'update verify': async (argv) => (await import('./update.js')).updateVerify(argv),
  openapi: hubCommand('openapiDocument'),
};

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(USAGE + '\n');
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const two = `${argv[0]} ${argv[1] ?? ''}`;
  const [name, rest] = commands[two] ? [two, argv.slice(2)] : [argv[0] ?? '', argv.slice(1)];
  const cmd = commands[name];
  if (!cmd) throw new UsageError(`unknown command "${argv.slice(0, 2).join(' ')}"`);
  return cmd(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError && err.plain) {
      process.stderr.write(`hyphae: ${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof UsageError) {
      process.stderr.write(`hyphae: ${err.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (isHubError(err)) {
      process.stderr.write(`hyphae: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`hyphae: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
