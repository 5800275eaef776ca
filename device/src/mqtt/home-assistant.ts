/**
 * Home Assistant MQTT discovery payloads, as HA documents them
 * (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery and
 * sensor.mqtt): one retained config per entity under
 * `<discovery>/<component>/<object id>/config`, a device block that groups
 * entities, and an availability topic the broker sets to "offline" by the
 * hub's last will. Pure functions: the bridge publishes what they return.
 */
export interface HaDevice {
  identifiers: string[];
  name: string;
  manufacturer?: string;
  model?: string;
  sw_version?: string;
  suggested_area?: string;
  via_device?: string;
}

export interface HaEntityConfig {
  name: string | null;
  unique_id: string;
  /** The entity id HA gives it first (`object_id` was removed in HA 2026.4). */
  default_entity_id: string;
  state_topic: string;
  availability_topic: string;
  payload_available: 'online';
  payload_not_available: 'offline';
  device: HaDevice;
  unit_of_measurement?: string;
  device_class?: string;
  state_class?: 'measurement' | 'total' | 'total_increasing';
  icon?: string;
  payload_on?: string;
  payload_off?: string;
  entity_category?: 'diagnostic';
  suggested_display_precision?: number;
}

export interface Topics {
  prefix: string;
  hubId: string;
  discovery: string;
}

export const statusTopic = (t: Topics) => `${t.prefix}/${t.hubId}/status`;
export const readingTopic = (t: Topics, sensor: string, metric: string) => `${t.prefix}/${t.hubId}/sensor/${safe(sensor)}/${safe(metric)}`;
export const hubStateTopic = (t: Topics, name: string) => `${t.prefix}/${t.hubId}/hub/${name}`;
export const downlinkTopic = (t: Topics, devEui = '+') => `${t.prefix}/${t.hubId}/downlink/${devEui}`;

/** Topic levels: letters, digits, _ and - only (no wildcards, no empty levels). */
export function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** HA entity ids and unique ids: lower-case letters, digits and _ (HA's slug rule). */
export function slug(...parts: string[]): string {
  return parts
    .join('_')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
}

/**
 * What HA knows about a unit: its device class and whether it is a level
 * (measurement) or a meter reading that only grows (total_increasing).
 * Units HA does not know still get a sensor, without a device class.
 */
const BY_UNIT: Record<string, { device_class: string; state_class: HaEntityConfig['state_class'] }> = {
  '°C': { device_class: 'temperature', state_class: 'measurement' },
  '°F': { device_class: 'temperature', state_class: 'measurement' },
  W: { device_class: 'power', state_class: 'measurement' },
  kW: { device_class: 'power', state_class: 'measurement' },
  Wh: { device_class: 'energy', state_class: 'total_increasing' },
  kWh: { device_class: 'energy', state_class: 'total_increasing' },
  V: { device_class: 'voltage', state_class: 'measurement' },
  mV: { device_class: 'voltage', state_class: 'measurement' },
  A: { device_class: 'current', state_class: 'measurement' },
  Hz: { device_class: 'frequency', state_class: 'measurement' },
  ppm: { device_class: 'carbon_dioxide', state_class: 'measurement' },
  lx: { device_class: 'illuminance', state_class: 'measurement' },
  hPa: { device_class: 'atmospheric_pressure', state_class: 'measurement' },
  Pa: { device_class: 'pressure', state_class: 'measurement' },
  dBm: { device_class: 'signal_strength', state_class: 'measurement' },
  L: { device_class: 'water', state_class: 'total_increasing' },
  'm³': { device_class: 'water', state_class: 'total_increasing' },
  'L/min': { device_class: 'volume_flow_rate', state_class: 'measurement' },
  'm³/h': { device_class: 'volume_flow_rate', state_class: 'measurement' },
};

/** Metric names that say more than their unit ("%" is humidity, battery or soil moisture), with the unit each needs. */
const BY_METRIC: Array<[RegExp, string, string]> = [
  [/^battery/i, 'battery', '%'],
  [/humidity/i, 'humidity', '%'],
  [/moisture/i, 'moisture', '%'],
  [/^co2$/i, 'carbon_dioxide', 'ppm'],
  [/^pm2_?5$/i, 'pm25', 'µg/m³'],
  [/^pm10$/i, 'pm10', 'µg/m³'],
  [/^rain/i, 'precipitation', 'mm'],
];

/** HA's unit spelling where it differs from a codec's. */
const HA_UNIT: Record<string, string> = { l: 'L', m3: 'm³', degC: '°C', C: '°C' };

export function readingConfig(
  t: Topics,
  hub: HaDevice,
  sensor: { id: string; name: string; model: string | null; place: string | null },
  metric: string,
  unit: string | null,
): { topic: string; payload: HaEntityConfig } {
  const u = unit ? (HA_UNIT[unit] ?? unit) : undefined;
  const byUnit = u ? BY_UNIT[u] : undefined;
  const byName = BY_METRIC.find(([re, , unitNeeded]) => re.test(metric) && u === unitNeeded)?.[1];
  const device_class = byName ?? byUnit?.device_class;
  const objectId = slug('hyphae', t.hubId, sensor.id, metric);
  const payload: HaEntityConfig = {
    name: metric.replace(/_/g, ' '),
    unique_id: objectId,
    default_entity_id: `sensor.${objectId}`,
    state_topic: readingTopic(t, sensor.id, metric),
    availability_topic: statusTopic(t),
    payload_available: 'online',
    payload_not_available: 'offline',
    state_class: byUnit?.state_class ?? 'measurement',
    device: {
      identifiers: [slug('hyphae', t.hubId, sensor.id)],
      name: sensor.name,
      ...(sensor.model ? { model: sensor.model } : {}),
      ...(sensor.place ? { suggested_area: sensor.place } : {}),
      via_device: hub.identifiers[0] ?? slug('hyphae', t.hubId),
    },
    ...(u ? { unit_of_measurement: u } : {}),
    ...(device_class ? { device_class } : {}),
    ...(/^(rssi|snr|battery)/i.test(metric) ? { entity_category: 'diagnostic' as const } : {}),
  };
  return { topic: `${t.discovery}/sensor/${objectId}/config`, payload };
}

/** The hub's own state as HA entities: what the bridge publishes under <prefix>/<hubId>/hub/<name>. */
export const HUB_ENTITIES: ReadonlyArray<{
  name: string;
  label: string;
  component: 'sensor' | 'binary_sensor';
  unit?: string;
  icon?: string;
  device_class?: string;
  precision?: number;
}> = [
  { name: 'multiplier', label: 'Ecological multiplier', component: 'sensor', icon: 'mdi:leaf', precision: 2 },
  { name: 'water_budget_used', label: 'Water budget used', component: 'sensor', unit: '%', icon: 'mdi:water-percent', precision: 0 },
  { name: 'co2e_budget_used', label: 'CO₂e budget used', component: 'sensor', unit: '%', icon: 'mdi:molecule-co2', precision: 0 },
  { name: 'water_price', label: 'Water price per 100 L (scarcity)', component: 'sensor', icon: 'mdi:cash', precision: 2 },
  { name: 'crisis', label: 'Emergency', component: 'binary_sensor', device_class: 'safety', icon: 'mdi:alert' },
];

export function hubDevice(t: Topics, name: string, version: string): HaDevice {
  return { identifiers: [slug('hyphae', t.hubId)], name, manufacturer: 'Hyphae', model: 'Neighbourhood hub', sw_version: version };
}

export function hubEntityConfig(
  t: Topics,
  hub: HaDevice,
  e: (typeof HUB_ENTITIES)[number] | { name: string; label: string; component: 'sensor'; unit?: string; icon?: string },
): { topic: string; payload: HaEntityConfig } {
  const objectId = slug('hyphae', t.hubId, e.name);
  const payload: HaEntityConfig = {
    name: e.label,
    unique_id: objectId,
    default_entity_id: `${e.component}.${objectId}`,
    state_topic: hubStateTopic(t, e.name),
    availability_topic: statusTopic(t),
    payload_available: 'online',
    payload_not_available: 'offline',
    device: hub,
    ...(e.component === 'sensor' ? { state_class: 'measurement' as const } : { payload_on: 'ON', payload_off: 'OFF' }),
    ...(e.unit ? { unit_of_measurement: e.unit } : {}),
    ...(e.icon ? { icon: e.icon } : {}),
    ...('device_class' in e && e.device_class ? { device_class: e.device_class } : {}),
    ...('precision' in e && e.precision !== undefined ? { suggested_display_precision: e.precision } : {}),
  };
  return { topic: `${t.discovery}/${e.component}/${objectId}/config`, payload };
}
