import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caller, makeApp, makeCore, withMembers, type TestCore } from '../test-support.js';

let core: TestCore;
let call: ReturnType<typeof caller>;
const devEui = '70b3d57ed0001234';

beforeEach(async () => {
  core = makeCore();
  const m = await withMembers(core, { ana: 'resident', steward: 'steward' });
  call = caller(makeApp(core), m.tok);
  await core.devices.register({ kind: 'lorawan', name: 'shed', profile: 'milesight-em300', otaa: { devEui, appKey: '000102030405060708090a0b0c0d0e0f' } });
});
afterEach(() => core.cleanup());

describe('the downlink queue over HTTP', () => {
  it('queues hex and objects the codec encodes, lists them for stewards, and refuses what cannot be sent with the reason', async () => {
    const hex = await call('steward', 'POST', `/api/v1/lorawan/devices/${devEui}/queue`, { fPort: 10, hex: '0101', confirmed: true });
    expect(hex.status).toBe(201);
    expect(hex.json).toMatchObject({ fPort: 10, payload: '0101', confirmed: true, state: 'queued', attempts: 0 });
    // The EM300's codec makes "report every 20 minutes" into FF 03 B0 04 on its own port.
    const obj = await call('steward', 'POST', `/api/v1/lorawan/devices/${devEui.toUpperCase()}/queue`, { object: { reportingIntervalSeconds: 1200 } });
    expect(obj.status).toBe(201);
    expect(obj.json).toMatchObject({ fPort: 85, payload: 'ff03b004', confirmed: false });
    const list = await call('steward', 'GET', `/api/v1/lorawan/devices/${devEui}/queue`);
    expect(list.json.map((d: { payload: string }) => d.payload)).toEqual(['ff03b004', '0101']);

    const refused = async (body: unknown, detail: RegExp, status = 400) => {
      const r = await call('steward', 'POST', `/api/v1/lorawan/devices/${devEui}/queue`, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.type).toContain('application/problem+json');
      expect(r.json.detail, JSON.stringify(body)).toMatch(detail);
    };
    await refused({ object: { reportingIntervalSeconds: 5 } }, /reportingIntervalSeconds must be a whole number of seconds, 60–64800/);
    await refused({ fPort: 0, hex: '00' }, /fPort/);
    await refused({ fPort: 10, hex: 'abc' }, /hex/);
    await refused({ fPort: 10, hex: '00', object: { a: 1 } }, /either hex or object/);
    await refused({ hex: '00' }, /fPort: required/);
    await refused({ fPort: 10, hex: '00'.repeat(52) }, /at most 51 bytes/);
    expect((await call('steward', 'POST', '/api/v1/lorawan/devices/0000000000000000/queue', { fPort: 10, hex: '00' })).status).toBe(404);
    // Residents can neither queue nor read a device's downlinks.
    expect((await call('ana', 'POST', `/api/v1/lorawan/devices/${devEui}/queue`, { fPort: 10, hex: '00' })).status).toBe(403);
    expect((await call('ana', 'GET', `/api/v1/lorawan/devices/${devEui}/queue`)).status).toBe(403);
    // Nothing refused was queued.
    expect((await call('steward', 'GET', `/api/v1/lorawan/devices/${devEui}/queue`)).json).toHaveLength(2);
  });
});
