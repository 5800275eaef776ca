import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lora, msb } from '@hyphae/drivers/lorawan';
import { tempDir } from '../test-support.js';

const CLI = fileURLToPath(new URL('../../bin/hyphae.js', import.meta.url));

function hyphae(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let dir: string;
beforeEach(() => {
  dir = tempDir('hyphae-cli-');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('hyphae CLI', () => {
  it('prints a commented default config', () => {
    const r = hyphae(['configfile']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\/\/ Hyphae hub configuration/);
    expect(r.out).toContain('"demurrageRatePercent": 2');
  });

  it('adds a member, creates a token, verifies and exports the ledger', () => {
    const add = hyphae(['member', 'add', '--data', dir, '--email', 'first@example.org', '--name', 'First', '--role', 'admin'], {
      HYPHAE_PASSWORD: 'longenough',
    });
    expect(add.code).toBe(0);
    expect(JSON.parse(add.out)).toMatchObject({ email: 'first@example.org', role: 'admin' });
    // A locked-out admin gets a one-time password from the command line, printed once.
    const pw = hyphae(['member', 'password', '--data', dir, '--email', 'first@example.org']);
    expect(pw.code).toBe(0);
    expect(JSON.parse(pw.out).oneTimePassword).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
    expect(hyphae(['member', 'password', '--data', dir, '--email', 'nobody@example.org']).code).not.toBe(0);
    const tok = hyphae(['token', 'create', '--data', dir, '--email', 'first@example.org']);
    expect(tok.code).toBe(0);
    expect(tok.out.trim()).toMatch(/^hyp_[A-Za-z0-9_-]{20,}$/);
    const v = hyphae(['ledger', 'verify', '--data', dir]);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.out)).toMatchObject({ ok: true, problems: [] });
    const out = join(dir, 'export.json');
    const e = hyphae(['export', '--data', dir, '--out', out]);
    expect(e.code).toBe(0);
    const data = JSON.parse(readFileSync(out, 'utf8'));
    expect(data.members[0].email).toBe('first@example.org');
    expect(data.journal.length).toBeGreaterThan(1);
    expect(existsSync(out + '.tmp')).toBe(false);
  });

  it('fails with a message and a non-zero code on bad input', () => {
    const unknown = hyphae(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "frobnicate"');
    const missing = hyphae(['ledger', 'verify']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--data is required');
    const badFlag = hyphae(['token', 'create', '--data', dir, '--emial', 'x']);
    expect(badFlag.code).toBe(2);
    writeFileSync(join(dir, 'hub.json'), '{"http": {"port": "eighty"}}');
    const badConfig = hyphae(['ledger', 'verify', '--data', dir]);
    expect(badConfig.code).toBe(1);
    expect(badConfig.err).toMatch(/hub.json: http.port/);
    rmSync(join(dir, 'hub.json'));
    const nobody = hyphae(['token', 'create', '--data', dir, '--email', 'nobody@example.org']);
    expect(nobody.code).toBe(2);
    expect(nobody.err).toContain('no member has the email nobody@example.org');
  });
});

/** The modules a source file pulls in at load time (static imports only), followed through the tree. */
function staticImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'(\.[^']+)'|^import\s+'(\.[^']+)'/gm)) {
      const spec = (m[1] ?? m[2])!;
      visit(fileURLToPath(new URL(spec.replace(/\.js$/, '.ts'), `file://${file}`)));
    }
  };
  visit(entry);
  return seen;
}

describe('the CLI loads only what a command needs', () => {
  it('a flow solve, codec run or update check does not load the hub, its store or its config schema', () => {
    const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
    for (const entry of ['main.ts', 'flow.ts', 'lorawan.ts', 'update.ts']) {
      const loaded = [...staticImports(here(entry))].map((f) => f.slice(f.indexOf('/src/') + 5));
      expect(loaded, entry).not.toContain('hub.ts');
      expect(loaded, entry).not.toContain('core.ts');
      expect(loaded, entry).not.toContain('config/schema.ts');
      expect(loaded, entry).not.toContain('store/store.ts');
    }
    // The commands that need the hub get it through one lazily imported module.
    expect([...staticImports(here('hub-commands.ts'))].some((f) => f.endsWith('/src/hub.ts'))).toBe(true);
  });
});

describe('hyphae flow solve and hyphae clear', () => {
  it('solves a DIMACS file and prints the cost first, flows on request', () => {
    const f = join(dir, 'p.min');
    writeFileSync(f, 'c two farms, two kitchens\np min 4 4\nn 1 4\nn 2 3\nn 3 -5\nn 4 -2\na 1 3 0 10 2\na 1 4 0 10 5\na 2 3 0 10 4\na 2 4 0 10 1\n');
    for (const algorithm of ['ns', 'pd']) {
      const r = hyphae(['flow', 'solve', f, '--algorithm', algorithm, '--flows']);
      expect(r.code).toBe(0);
      const lines = r.out.trim().split('\n');
      expect(lines[0]).toBe('cost 14');
      expect(lines.filter((l) => l.startsWith('f ')).sort()).toEqual(['f 1 3 4', 'f 2 3 1', 'f 2 4 2']);
    }
  });

  it('exits 2 with a message on an infeasible or malformed file', () => {
    const bad = join(dir, 'bad.min');
    writeFileSync(bad, 'p min 2 1\na 1 2 0 5\n');
    const r1 = hyphae(['flow', 'solve', bad]);
    expect(r1.code).toBe(2);
    expect(r1.err).toContain('line 2: the cost must be an integer');
    const inf = join(dir, 'inf.min');
    writeFileSync(inf, 'p min 2 1\nn 1 9\nn 2 -9\na 1 2 0 5 1\n');
    const r2 = hyphae(['flow', 'solve', inf]);
    expect(r2.code).toBe(2);
    expect(r2.err).toContain('infeasible');
    expect(hyphae(['flow', 'solve', join(dir, 'missing.min')]).code).toBe(2);
  });

  it('clears a CSV of obligations and writes what remains', () => {
    const f = join(dir, 'debts.csv');
    writeFileSync(f, 'debtor,creditor,amount\nana,bo,10\nbo,cy,7\ncy,ana,5\nbo,ana,2\n');
    const out = join(dir, 'left.csv');
    const r = hyphae(['clear', f, '--out', out]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ totalBefore: 24, totalAfter: 5, cleared: 19, obligations: 2, cycles: 2 });
    expect(readFileSync(out, 'utf8')).toBe('debtor,creditor,amount\nana,bo,3\nbo,cy,2\n');
    writeFileSync(f, 'ana,bo,-3\n');
    const bad = hyphae(['clear', f]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('line 1: the amount must be positive');
  });
});

describe('hyphae lorawan decode and hyphae codec', () => {
  // The frame from lora-packet's documentation, with its published keys.
  const frame = '40F17DBE4900020001954378762B11FF0D';
  it('decodes a data frame, checking the MIC and decrypting with keys', () => {
    const plain = hyphae(['lorawan', 'decode', '--hex', frame]);
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.out)).toMatchObject({ mType: 'Unconfirmed Data Up', devAddr: '49be7df1', fCnt: 2, fPort: 1, micValid: null });
    const keyed = hyphae([
      'lorawan',
      'decode',
      '--hex',
      frame,
      '--nwkskey',
      '44024241ed4ce9a68c6a8bc055233fd3',
      '--appskey',
      'ec925802ae430ca77fd3dd73cb2cc588',
    ]);
    expect(JSON.parse(keyed.out)).toMatchObject({ micValid: true, payload: Buffer.from('test').toString('hex') });
    const wrong = hyphae(['lorawan', 'decode', '--hex', frame, '--nwkskey', '00000000000000000000000000000000']);
    expect(JSON.parse(wrong.out).micValid).toBe(false);
    expect(hyphae(['lorawan', 'decode', '--hex', 'zz']).code).toBe(2);
    expect(hyphae(['lorawan', 'decode', '--hex', '00']).code).toBe(2);
  });

  it('opens a JoinAccept only with the AppKey, and never prints its encrypted bytes as fields', () => {
    // brocaar/lorawan's test frame: AppKey 00112233…eeff, AppNonce 570bc7, NetID 221101, DevAddr 02031980.
    const ja = '20493eeb51fba2116f810edb3742975142';
    const shut = JSON.parse(hyphae(['lorawan', 'decode', '--hex', ja]).out);
    expect(shut).toEqual({ mType: 'Join Accept', encrypted: 'the whole frame: give --appkey to read it' });
    const open = JSON.parse(hyphae(['lorawan', 'decode', '--hex', ja, '--appkey', '00112233445566778899aabbccddeeff']).out);
    expect(open).toMatchObject({
      mType: 'Join Accept',
      micValid: true,
      appNonce: '570bc7',
      netId: '221101',
      devAddr: '02031980',
      rx1DrOffset: 0,
      rx2DataRate: 0,
      rxDelay: 1,
      cfList: null,
    });
    expect(JSON.parse(hyphae(['lorawan', 'decode', '--hex', ja, '--appkey', 'ff112233445566778899aabbccddeeff']).out).micValid).toBe(false);
  });

  it("takes the counter's upper bits, reads MAC commands in FOpts and on port 0 with the NwkSKey alone", () => {
    const nwk = '44024241ed4ce9a68c6a8bc055233fd3';
    const app = 'ec925802ae430ca77fd3dd73cb2cc588';
    const K = (h: string) => Buffer.from(h, 'hex');
    // Frame 65,538 of a device (upper bits 1), with LinkCheckReq and DevStatusAns (battery 200, margin −3) in FOpts.
    const withFOpts = lora
      .fromFields(
        { MType: 'Unconfirmed Data Up', DevAddr: K('26011bda'), FCnt: 2, FPort: 5, payload: Buffer.from('hi'), FOpts: Buffer.from([0x02, 0x06, 200, 0x3d]) },
        K(app),
        K(nwk),
        undefined,
        msb(0x10002),
      )
      .getPHYPayload()!
      .toString('hex');
    const late = JSON.parse(hyphae(['lorawan', 'decode', '--hex', withFOpts, '--nwkskey', nwk, '--appskey', app, '--fcnt-msb', '1']).out);
    expect(late).toMatchObject({ fCnt: 0x10002, micValid: true, payload: Buffer.from('hi').toString('hex') });
    expect(late.fOpts.commands).toEqual([
      { cid: 2, name: 'LinkCheckReq', payload: '', fields: {} },
      { cid: 6, name: 'DevStatusAns', payload: 'c83d', fields: { battery: 200, margin: -3 } },
    ]);
    expect(JSON.parse(hyphae(['lorawan', 'decode', '--hex', withFOpts, '--nwkskey', nwk]).out)).toMatchObject({
      fCnt: 2,
      micValid: false,
      payloadDecrypted: false,
      encrypted: ['the payload: give --appskey to read it'],
    });
    expect(late.payloadDecrypted).toBe(true);
    // --explain: a field per line, MAC commands by name with their fields.
    const lines = hyphae(['lorawan', 'decode', '--hex', withFOpts, '--nwkskey', nwk, '--appskey', app, '--fcnt-msb', '1', '--explain']).out.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'mType: Unconfirmed Data Up',
        'devAddr: 26011bda',
        `fCnt: ${0x10002}`,
        'fPort: 5',
        'micValid: true',
        'payload: 6869',
        'payloadDecrypted: true',
        'fOpts 1 LinkCheckReq',
        'fOpts 2 DevStatusAns: battery 200, margin -3',
      ]),
    );
    expect(hyphae(['lorawan', 'decode', '--hex', withFOpts, '--fcnt-msb', 'x']).code).toBe(2);
    // Port 0: MAC commands encrypted with the NwkSKey, read with that key alone.
    const port0 = lora
      .fromFields({ MType: 'Unconfirmed Data Up', DevAddr: K('26011bda'), FCnt: 9, FPort: 0, payload: Buffer.from([0x03, 0x07, 0x0d]) }, K(app), K(nwk))
      .getPHYPayload()!
      .toString('hex');
    const macs = JSON.parse(hyphae(['lorawan', 'decode', '--hex', port0, '--nwkskey', nwk]).out);
    expect(macs).toMatchObject({ fPort: 0, micValid: true, payload: '03070d' });
    expect(macs.macCommands.commands.map((c: { name: string }) => c.name)).toEqual(['LinkADRAns', 'DeviceTimeReq']);
    expect(macs.macCommands.commands[0].fields).toEqual({ powerAck: true, dataRateAck: true, channelMaskAck: true });
  });

  it('lists codecs and runs one', () => {
    expect(JSON.parse(hyphae(['codec', 'list']).out).map((c: { id: string }) => c.id)).toContain('dragino-lse01');
    const r = hyphae(['codec', 'run', '--codec', 'dragino-lse01', '--fport', '2', '--hex', '0ce400e10c35073002000a'.slice(0, 22)]);
    expect(JSON.parse(r.out).data).toMatchObject({ soilMoisture: 31.25, battery: 3.3 });
    expect(hyphae(['codec', 'run', '--codec', 'nope', '--fport', '2', '--hex', '00']).code).toBe(2);
  });
});
