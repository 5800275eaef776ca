import { describe, expect, it } from 'vitest';
import { loadCodecs } from '@hyphae/drivers/lorawan';
import { dl5tm, em300Pulses, ldds75, lse01 } from './payloads.js';

const codecs = loadCodecs();

describe('simulated sensor payloads', () => {
  it('decode with the shipped codecs to the values they were made from', () => {
    expect(
      codecs
        .get('dragino-lse01')!
        .decode({ fPort: 2, bytes: lse01({ battery: 3.31, temperature: -2.5, soilMoisture: 27.43, soilTemperature: 11.02, soilConductivity: 340 }) }).data,
    ).toEqual({ battery: 3.31, temperature: -2.5, soilMoisture: 27.43, soilTemperature: 11.02, soilConductivity: 340 });
    expect(codecs.get('dragino-ldds75')!.decode({ fPort: 2, bytes: ldds75({ battery: 3.4, distance: 820, temperature: 9.1 }) }).data).toMatchObject({
      distance: 820,
      temperature: 9.1,
    });
    expect(
      codecs.get('milesight-em300')!.decode({ fPort: 85, bytes: em300Pulses({ battery: 90, pulses: 4_000_000_123 }), variables: { litresPerPulse: 1 } }).data,
    ).toMatchObject({ pulses: 4_000_000_123, volume: 4_000_000_123 });
    expect(
      codecs.get('decentlab-dl-5tm')!.decode({ fPort: 1, bytes: dl5tm({ deviceId: 7, permittivity: 12.5, soilTemperature: 15.3, battery: 3.1 }) }).data,
    ).toMatchObject({ permittivity: 12.5, soilTemperature: 15.3, battery: 3.1 });
  });
});
