import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caller, makeApp, makeCore, withMembers, type TestCore } from '../test-support.js';

/**
 * A flow decision that acts: a steward's surplus of water names the pump's
 * smart plug; when a neighbour's need is matched with it and both accept,
 * the hub queues the plug a confirmed downlink made by its codec, with the
 * pledge's quantity and unit beside the post's command.
 */
let core: TestCore;
let call: ReturnType<typeof caller>;
let id: Record<string, string>;
const plug = '24e124000000a001';
const sensor = '24e124000000a002';

beforeEach(async () => {
  core = makeCore();
  const m = await withMembers(core, { stew: 'steward', ana: 'resident' });
  id = m.id;
  call = caller(makeApp(core), m.tok);
  await core.devices.register({
    kind: 'lorawan',
    name: 'tank pump',
    profile: 'milesight-ws52x',
    otaa: { devEui: plug, appKey: '000102030405060708090a0b0c0d0e0f' },
  });
  await core.devices.register({ kind: 'lorawan', name: 'air', profile: 'elsys-ers', otaa: { devEui: sensor, appKey: '000102030405060708090a0b0c0d0e0f' } });
});
afterEach(() => core.cleanup());

describe('a pledge sent to the device that hands it out', () => {
  it("queues the actuator's downlink once both sides accept, and only stewards may name a device", async () => {
    const offer = await call('stew', 'POST', '/api/v1/board/posts', {
      kind: 'surplus',
      resource: 'water',
      title: 'Rainwater from the big tank',
      quantity: 400,
      actuator: { devEui: plug.toUpperCase(), object: { on: true } },
    });
    expect(offer.status, JSON.stringify(offer.json)).toBe(201);
    expect(offer.json.actuator).toEqual({ devEui: plug, object: { on: true } });
    await call('ana', 'POST', '/api/v1/board/posts', { kind: 'need', resource: 'water', title: 'Water for the allotment', quantity: 150 });
    const [pr] = (await call('stew', 'GET', '/api/v1/flow/proposals')).json;
    expect(pr).toMatchObject({ offerId: offer.json.id, supplier: id.stew, receiver: id.ana, quantity: 150, status: 'proposed' });
    // Proposed is not enough: nothing moves without consent.
    await call('stew', 'POST', `/api/v1/flow/proposals/${pr.id}/accept`);
    expect(core.devices.downlinks.list(plug)).toEqual([]);
    const pledged = await call('ana', 'POST', `/api/v1/flow/proposals/${pr.id}/accept`);
    expect(pledged.json.status).toBe('pledged');
    await eventually(() => core.devices.downlinks.list(plug).length === 1);
    // The WS52x's codec makes {on: true, quantity: 150, unit: 'L'} into "socket on" on its port.
    expect(core.devices.downlinks.list(plug)[0]).toMatchObject({ fPort: 85, payload: '0801ff', confirmed: true, state: 'queued' });

    // Refused: a resident naming a device; a need naming one; a device whose codec cannot encode; a device that does not exist.
    const refused = async (who: string, body: object, status: number, detail: RegExp) => {
      const r = await call(who, 'POST', '/api/v1/board/posts', { kind: 'surplus', resource: 'water', quantity: 10, ...body });
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.json.detail).toMatch(detail);
    };
    await refused('ana', { actuator: { devEui: plug, object: { on: true } } }, 403, /steward/);
    await refused('stew', { kind: 'need', actuator: { devEui: plug, object: { on: true } } }, 400, /only a surplus/);
    await refused('stew', { actuator: { devEui: sensor, object: { on: true } } }, 400, /elsys-ers\) cannot make downlinks/);
    await refused('stew', { actuator: { devEui: '0000000000000009', object: {} } }, 400, /not a LoRaWAN device of this hub/);
  });
});

async function eventually(cond: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 5000) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
