import { describe, expect, it } from 'vitest';
import { hubDevice, readingConfig, slug } from './home-assistant.js';

const t = { prefix: 'hyphae', hubId: 'Hub-1', discovery: 'homeassistant' };
const hub = hubDevice(t, 'Riverside', '0.1.0');
const sensor = { id: 'meter/1', name: 'Main meter', model: 'sunspec', place: null };

describe('Home Assistant discovery for a reading', () => {
  it('takes the device class from the unit, and from the metric name only when the unit fits it', () => {
    expect(readingConfig(t, hub, sensor, 'battery', 'V').payload).toMatchObject({
      device_class: 'voltage',
      unit_of_measurement: 'V',
      entity_category: 'diagnostic',
    });
    expect(readingConfig(t, hub, sensor, 'battery', '%').payload.device_class).toBe('battery');
    expect(readingConfig(t, hub, sensor, 'energy_total', 'kWh').payload).toMatchObject({ device_class: 'energy', state_class: 'total_increasing' });
    expect(readingConfig(t, hub, sensor, 'flow', 'm3').payload).toMatchObject({ device_class: 'water', unit_of_measurement: 'm³' });
    const odd = readingConfig(t, hub, sensor, 'counts', 'cpm').payload;
    expect(odd.device_class).toBeUndefined();
    expect(odd).toMatchObject({ unit_of_measurement: 'cpm', state_class: 'measurement' });
    expect(readingConfig(t, hub, sensor, 'level', null).payload.unit_of_measurement).toBeUndefined();
    expect(readingConfig(t, hub, sensor, 'rain', 'mm').payload.device_class).toBe('precipitation');
    expect(readingConfig(t, hub, sensor, 'depth', 'mm').payload.device_class).toBeUndefined();
  });

  it('names topics and ids so that neither wildcards nor capitals reach HA', () => {
    const c = readingConfig(t, hub, sensor, 'power+ac', 'W');
    expect(c.topic).toBe('homeassistant/sensor/hyphae_hub_1_meter_1_power_ac/config');
    expect(c.payload.state_topic).toBe('hyphae/Hub-1/sensor/meter_1/power_ac');
    expect(c.payload.default_entity_id).toBe('sensor.hyphae_hub_1_meter_1_power_ac');
    expect(c.payload.device.via_device).toBe('hyphae_hub_1');
    expect(slug('A b', 'C-d')).toBe('a_b_c_d');
  });
});
