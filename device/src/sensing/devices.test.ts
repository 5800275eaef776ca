import { afterEach, describe, expect, it } from 'vitest';
import { makeCore, type TestCore } from '../test-support.js';

let core: TestCore | undefined;
afterEach(async () => {
  await core?.cleanup();
  core = undefined;
});

const abp = { devEui: '00aa00aa00aa00aa', devAddr: '26011bda', nwkSKey: '11'.repeat(16), appSKey: '22'.repeat(16) };

describe('the LoRaWAN device registry', () => {
  it('reads what it last wrote: counters, a join at a new address, and nothing of a write that was rolled back', async () => {
    core = makeCore();
    const devices = core.devices;
    await devices.register({ kind: 'lorawan', name: 'soil', profile: 'dragino-lse01', abp });
    expect(devices.byDevAddr('26011bda').map((d) => d.devEui)).toEqual([abp.devEui]);
    expect(await devices.advanceFCntUp(abp.devEui, 5, false)).toBe(true);
    expect(await devices.advanceFCntUp(abp.devEui, 5, false)).toBe(false);
    expect(devices.byDevEui(abp.devEui)?.fCntUp).toBe(5);
    expect(await devices.takeFCntDown(abp.devEui)).toBe(0);
    expect(devices.byDevEui(abp.devEui)?.fCntDown).toBe(1);

    // A join moves the device to another address: the old one no longer finds it.
    expect(await devices.acceptJoin(abp.devEui, 1, { devAddr: '26011bdb', nwkSKey: '33'.repeat(16), appSKey: '44'.repeat(16) })).toBe(true);
    expect(devices.byDevAddr('26011bda')).toEqual([]);
    expect(devices.byDevAddr('26011bdb').map((d) => [d.devEui, d.fCntUp, d.fCntDown])).toEqual([[abp.devEui, -1, 0]]);

    // A join whose write fails after the device's record was put (an address LMDB cannot take as a key):
    // the whole write is undone, and so is what the registry remembered of it.
    const tooLong = 'f'.repeat(4000);
    await expect(devices.acceptJoin(abp.devEui, 2, { devAddr: tooLong, nwkSKey: '55'.repeat(16), appSKey: '66'.repeat(16) })).rejects.toThrow();
    expect(devices.byDevEui(abp.devEui)).toMatchObject({ devAddr: '26011bdb', nwkSKey: '33'.repeat(16) });
    expect(devices.byDevAddr('26011bdb').map((d) => d.devEui)).toEqual([abp.devEui]);
    // The same DevNonce is still unused: the failed join wrote nothing.
    expect(await devices.acceptJoin(abp.devEui, 2, { devAddr: '26011bdc', nwkSKey: '77'.repeat(16), appSKey: '88'.repeat(16) })).toBe(true);
    expect(devices.get(abp.devEui).lorawan).toMatchObject({ devAddr: '26011bdc', nwkSKey: '77'.repeat(16) });
  });
});
