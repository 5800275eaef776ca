import { describe, expect, it } from 'vitest';
import { readMacCommands } from './mac-commands.js';
import { dutyCycleReq, MacQueue, MAX_MAC_TRIES, newChannelReq, rxParamSetupReq, rxTimingSetupReq, sessionSetup } from './mac-setup.js';
import { loadRegions } from './regions.js';

const regions = loadRegions();

describe('MAC commands the hub sends of its own accord', () => {
  it('lays out each request as LoRaWAN 1.0.3 §5 does, as the decode CLI reads them back', () => {
    const cmds = Buffer.concat([newChannelReq(3, 867.1, 0, 5), rxParamSetupReq(0, 0, 869.525), rxTimingSetupReq(1), dutyCycleReq(0)]);
    expect(readMacCommands(cmds, 'down')).toEqual({
      commands: [
        { cid: 0x07, name: 'NewChannelReq', payload: '03184f8450', fields: { chIndex: 3, frequency: 867_100_000, minDr: 0, maxDr: 5 } },
        { cid: 0x05, name: 'RXParamSetupReq', payload: '00d2ad84', fields: { rx1DrOffset: 0, rx2DataRate: 0, frequency: 869_525_000 } },
        { cid: 0x08, name: 'RXTimingSetupReq', payload: '01', fields: { delay: 1 } },
        { cid: 0x04, name: 'DutyCycleReq', payload: '00', fields: { maxDCycle: 0 } },
      ],
      unread: null,
    });
  });

  it('tells an ABP device what an OTAA device reads in its JoinAccept, from the region file', () => {
    const eu = sessionSetup(regions.get('EU868')!).map((b) => readMacCommands(b, 'down').commands[0]!);
    expect(eu.map((c) => c.name)).toEqual([
      'NewChannelReq',
      'NewChannelReq',
      'NewChannelReq',
      'NewChannelReq',
      'NewChannelReq',
      'RXParamSetupReq',
      'RXTimingSetupReq',
      'DutyCycleReq',
    ]);
    expect(eu.slice(0, 5).map((c) => [c.fields.chIndex, c.fields.frequency])).toEqual([
      [3, 867_100_000],
      [4, 867_300_000],
      [5, 867_500_000],
      [6, 867_700_000],
      [7, 867_900_000],
    ]);
    expect(eu[5]!.fields).toEqual({ rx1DrOffset: 0, rx2DataRate: 0, frequency: 869_525_000 });
    // A fixed plan's channels go by mask (ADR's LinkADRReq): no NewChannelReq.
    const us = sessionSetup(regions.get('US915')!).map((b) => readMacCommands(b, 'down').commands[0]!);
    expect(us.map((c) => c.name)).toEqual(['RXParamSetupReq', 'RXTimingSetupReq', 'DutyCycleReq']);
    expect(us[0]!.fields).toEqual({ rx1DrOffset: 0, rx2DataRate: 8, frequency: 923_300_000 });
  });

  it('queues requests into whole-command FOpts, keeps them until answered, and gives up after three tries', () => {
    const q = new MacQueue();
    q.enqueue('d', sessionSetup(regions.get('EU868')!));
    // 15 bytes of FOpts: two NewChannelReq (6 bytes each) fit, a third does not.
    expect(q.take('d', 15).cmds.map((c) => c[1])).toEqual([3, 4]);
    expect(q.answered('d', 0x07)![1]).toBe(3);
    // The unanswered one goes again, first, with the next waiting.
    expect(q.take('d', 15).cmds.map((c) => c[1])).toEqual([4, 5]);
    expect(q.answered('d', 0x07)![1]).toBe(4);
    expect(q.answered('d', 0x07)![1]).toBe(5);
    expect(q.answered('d', 0x07)).toBeUndefined(); // nothing else of that kind was sent
    for (let i = 0; i < MAX_MAC_TRIES; i++) q.take('d', 6);
    const after = q.take('d', 15);
    expect(after.givenUp.map((c) => c[1])).toEqual([6]);
    expect(after.cmds.map((c) => c[0])).toEqual([0x07, 0x05, 0x08, 0x04]); // 6 + 5 + 2 + 2 bytes: all fit
    expect(q.waiting('d')).toBe(4);
  });
});
