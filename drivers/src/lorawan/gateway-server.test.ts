import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayServer, kernelDropsOnPort } from './gateway-server.js';
import { encodePullData } from './semtech.js';

/** A flood of PULL_DATA from spoofed gateway EUIs, driven through the real datagram parser. */
function flood(server: GatewayServer, n: number): void {
  for (let i = 0; i < n; i++) server.receive(encodePullData(i & 0xffff, randomBytes(8).toString('hex')), '127.0.0.1:1700');
}

describe('gateways the hub keeps', () => {
  it('remembers at most maxGateways and says the rest once a minute, not once per datagram', () => {
    let now = 0;
    const lines: Array<{ msg: string; detail?: Record<string, unknown> }> = [];
    const server = new GatewayServer({
      port: 0,
      onUplink: () => undefined,
      maxGateways: 100,
      now: () => now,
      log: (_l, msg, detail) => lines.push({ msg, detail }),
    });
    flood(server, 50_000);
    expect(server.gateways.size).toBe(100);
    expect(server.unknownGateways).toBe(49_900);
    const ignored = lines.filter((l) => /more gateways than the hub keeps/.test(l.msg));
    expect(ignored).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'new gateway')).toHaveLength(100);
    now += 60_000;
    flood(server, 10);
    expect(lines.filter((l) => /more gateways than the hub keeps/.test(l.msg))).toHaveLength(2);
    // Everything since the last report, said once.
    expect(lines.at(-1)!.detail).toMatchObject({ count: 49_900, total: 49_901 });
    expect(server.unknownGateways).toBe(49_910);
  });

  it('serves only the configured gateways when a list is given', () => {
    const known = 'aa555a0000000001';
    const server = new GatewayServer({ port: 0, onUplink: () => undefined, knownGateways: [known.toUpperCase()] });
    server.receive(encodePullData(1, known), '127.0.0.1:1700');
    flood(server, 20);
    expect([...server.gateways.keys()]).toEqual([known]);
    expect(server.unknownGateways).toBe(20);
  });
});

describe('datagrams the kernel dropped', () => {
  it("are read for the hub's own port from /proc/net/udp, so a flood's losses are counted", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hyphae-udp-'));
    try {
      const file = join(dir, 'udp');
      writeFileSync(
        file,
        [
          '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
          '  1: 0100007F:06A4 00000000:0000 07 00000000:00400000 00:00000000 00000000     0        0 4242 2 0000000000000000 1234',
          '  2: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4243 2 0000000000000000 9',
          '',
        ].join('\n'),
      );
      expect(kernelDropsOnPort(1700, [file])).toBe(1234);
      expect(kernelDropsOnPort(53, [file])).toBe(9);
      expect(kernelDropsOnPort(1701, [file])).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const server = new GatewayServer({ port: 0, host: '127.0.0.1', onUplink: () => undefined });
    await server.start();
    try {
      expect(server.kernelDrops()).toBe(0);
    } finally {
      await server.stop();
    }
  });
});
