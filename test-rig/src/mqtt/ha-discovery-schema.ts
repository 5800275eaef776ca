import { z } from 'zod';

/**
 * Home Assistant's MQTT discovery schema for the two platforms the hub
 * publishes (sensor, binary_sensor), written from HA's documentation
 * (integrations/sensor.mqtt, binary_sensor.mqtt, sensor device classes and
 * their units) so that a test can check payloads as HA would before HA is
 * ever run. Strict: a key HA does not know is an error, as it is in HA.
 */
const SENSOR_DEVICE_CLASSES = [
  'apparent_power',
  'aqi',
  'area',
  'atmospheric_pressure',
  'battery',
  'blood_glucose_concentration',
  'carbon_dioxide',
  'carbon_monoxide',
  'conductivity',
  'current',
  'data_rate',
  'data_size',
  'date',
  'distance',
  'duration',
  'energy',
  'energy_distance',
  'energy_storage',
  'enum',
  'frequency',
  'gas',
  'humidity',
  'illuminance',
  'irradiance',
  'moisture',
  'monetary',
  'nitrogen_dioxide',
  'nitrogen_monoxide',
  'nitrous_oxide',
  'ozone',
  'ph',
  'pm1',
  'pm10',
  'pm25',
  'power',
  'power_factor',
  'precipitation',
  'precipitation_intensity',
  'pressure',
  'reactive_power',
  'signal_strength',
  'sound_pressure',
  'speed',
  'sulphur_dioxide',
  'temperature',
  'timestamp',
  'volatile_organic_compounds',
  'volatile_organic_compounds_parts',
  'voltage',
  'volume',
  'volume_flow_rate',
  'volume_storage',
  'water',
  'weight',
  'wind_direction',
  'wind_speed',
] as const;
const BINARY_DEVICE_CLASSES = [
  'battery',
  'battery_charging',
  'carbon_monoxide',
  'cold',
  'connectivity',
  'door',
  'garage_door',
  'gas',
  'heat',
  'light',
  'lock',
  'moisture',
  'motion',
  'moving',
  'occupancy',
  'opening',
  'plug',
  'power',
  'presence',
  'problem',
  'running',
  'safety',
  'smoke',
  'sound',
  'tamper',
  'update',
  'vibration',
  'window',
] as const;

/** Units HA accepts for a device class (a class not listed here takes any unit). */
export const UNITS_BY_CLASS: Record<string, readonly string[]> = {
  temperature: ['°C', '°F', 'K'],
  humidity: ['%'],
  battery: ['%'],
  moisture: ['%'],
  power: ['mW', 'W', 'kW', 'MW', 'GW', 'TW', 'BTU/h'],
  energy: ['J', 'kJ', 'MJ', 'GJ', 'mWh', 'Wh', 'kWh', 'MWh', 'GWh', 'TWh', 'cal', 'kcal', 'Mcal', 'Gcal'],
  voltage: ['µV', 'mV', 'V', 'kV', 'MV'],
  current: ['mA', 'A'],
  frequency: ['Hz', 'kHz', 'MHz', 'GHz'],
  carbon_dioxide: ['ppm'],
  illuminance: ['lx'],
  atmospheric_pressure: ['cbar', 'bar', 'hPa', 'mmHg', 'inHg', 'kPa', 'mbar', 'Pa', 'psi'],
  pressure: ['cbar', 'bar', 'hPa', 'mmHg', 'inHg', 'kPa', 'mbar', 'Pa', 'psi'],
  signal_strength: ['dB', 'dBm'],
  water: ['L', 'gal', 'm³', 'ft³', 'CCF', 'MCF'],
  volume_flow_rate: ['m³/h', 'm³/min', 'm³/s', 'ft³/min', 'L/h', 'L/min', 'L/s', 'gal/h', 'gal/min', 'mL/s'],
  pm25: ['µg/m³'],
  pm10: ['µg/m³'],
  precipitation: ['cm', 'in', 'mm'],
};
/** Device classes that are meter readings: HA refuses `measurement` for them. */
const TOTAL_ONLY = new Set(['energy', 'water', 'gas', 'volume']);

const device = z
  .object({
    identifiers: z.array(z.string().min(1)).min(1),
    name: z.string().min(1),
    manufacturer: z.string().optional(),
    model: z.string().optional(),
    sw_version: z.string().optional(),
    suggested_area: z.string().optional(),
    via_device: z.string().optional(),
  })
  .strict();

const common = {
  name: z.string().nullable().optional(),
  unique_id: z.string().min(1),
  default_entity_id: z.string().regex(/^(sensor|binary_sensor)\.[a-z0-9_]+$/, 'domain.slug in lower case'),
  state_topic: z
    .string()
    .min(1)
    .refine((t) => !/[#+]/.test(t), 'no wildcards in a state topic'),
  availability_topic: z.string().min(1),
  payload_available: z.string().optional(),
  payload_not_available: z.string().optional(),
  device,
  icon: z
    .string()
    .regex(/^mdi:[a-z0-9-]+$/)
    .optional(),
  entity_category: z.enum(['diagnostic', 'config']).optional(),
  qos: z.number().int().min(0).max(2).optional(),
  expire_after: z.number().int().optional(),
};

export const haSensor = z
  .object({
    ...common,
    unit_of_measurement: z.string().optional(),
    device_class: z.enum(SENSOR_DEVICE_CLASSES).optional(),
    state_class: z.enum(['measurement', 'measurement_angle', 'total', 'total_increasing']).optional(),
    suggested_display_precision: z.number().int().min(0).optional(),
    force_update: z.boolean().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const allowed = c.device_class ? UNITS_BY_CLASS[c.device_class] : undefined;
    if (allowed && (!c.unit_of_measurement || !allowed.includes(c.unit_of_measurement)))
      ctx.addIssue({ code: 'custom', message: `device_class ${c.device_class} takes ${allowed.join(', ')}, not ${c.unit_of_measurement ?? 'no unit'}` });
    if (c.device_class && TOTAL_ONLY.has(c.device_class) && c.state_class === 'measurement')
      ctx.addIssue({ code: 'custom', message: `device_class ${c.device_class} is a meter: state_class total or total_increasing` });
    if (!c.default_entity_id.startsWith('sensor.')) ctx.addIssue({ code: 'custom', message: 'a sensor entity id starts with sensor.' });
  });

export const haBinarySensor = z
  .object({
    ...common,
    device_class: z.enum(BINARY_DEVICE_CLASSES).optional(),
    payload_on: z.string().optional(),
    payload_off: z.string().optional(),
  })
  .strict()
  .refine((c) => c.default_entity_id.startsWith('binary_sensor.'), 'a binary_sensor entity id starts with binary_sensor.');

/** Checks one discovery message as HA would: the component from its topic, then that platform's schema. */
export function checkDiscovery(topic: string, payload: string): { component: string; config: z.infer<typeof haSensor> | z.infer<typeof haBinarySensor> } {
  const m = /^homeassistant\/(sensor|binary_sensor)\/([a-zA-Z0-9_-]+)\/config$/.exec(topic);
  if (!m) throw new Error(`not a discovery topic HA reads: ${topic}`);
  const json = JSON.parse(payload) as unknown;
  const schema = m[1] === 'sensor' ? haSensor : haBinarySensor;
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${topic}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { component: m[1]!, config: parsed.data };
}
