import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { publishPacket } from './bridge.js';

const field = (topic: string) => {
  const t = Buffer.from(topic);
  return Buffer.concat([Buffer.from([t.length >> 8, t.length & 0xff]), t]);
};

describe('readings as PUBLISH packets', () => {
  it('are byte for byte what mqtt-packet makes for QoS 0 retained (MQTT 3.1.1), at every length of the remaining-length field', () => {
    for (const [topic, payload] of [
      ['hyphae/h1/sensor/a84041000181c5a1/soilMoisture', '31.25'],
      ['t', ''],
      ['hyphae/hub/sensor/x/ü-metric', '-0.001'],
      [`hyphae/${'x'.repeat(200)}`, '1'],
      [`hyphae/${'y'.repeat(20_000)}`, '12345.678'],
    ] as const) {
      const want = mqttPacket.generate({ cmd: 'publish', topic, payload, qos: 0, retain: true, dup: false }, { protocolVersion: 4 });
      expect(publishPacket(field(topic), payload).equals(want)).toBe(true);
    }
  });
});
