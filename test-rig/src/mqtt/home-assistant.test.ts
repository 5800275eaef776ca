import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigInput, Hub } from '@hyphae/device';
import { startInProcessHub } from '../in-process-hub.js';
import { EndDevice } from '../lorawan/end-device.js';
import { PacketForwarder } from '../lorawan/packet-forwarder.js';
import { until } from '../wait.js';
import { checkDiscovery } from './ha-discovery-schema.js';
import { startMosquitto, type Mosquitto } from './mosquitto.js';

/**
 * The hub on MQTT as Home Assistant sees it: a simulated LoRaWAN soil sensor
 * speaks Semtech UDP to the hub, and a client subscribed as HA is reads the
 * discovery configs (checked against HA's schema), the readings, the hub's
 * state and its availability, first through Debian's mosquitto, then through
 * the hub's own embedded broker.
 */
const lse01 = [12, 228, 0, 225, 12, 53, 7, 48, 2, 0, 0];

let cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** Every message a client subscribed to `#` has seen, the latest per topic first. */
async function listen(url: string, opts: { username?: string; password?: string } = {}) {
  const client = await connectAsync(url, { ...opts, clientId: `ha-test-${Math.random().toString(36).slice(2, 8)}`, reconnectPeriod: 0 });
  const latest = new Map<string, string>();
  const all: Array<{ topic: string; payload: string; retain: boolean }> = [];
  client.on('message', (topic, payload, packet) => {
    latest.set(topic, payload.toString());
    all.push({ topic, payload: payload.toString(), retain: packet.retain });
  });
  await client.subscribeAsync(['homeassistant/#', 'hyphae/#']);
  cleanup.push(() => client.endAsync());
  return { client, latest, all };
}

async function startHub(mqtt: ConfigInput['mqtt']) {
  const { hub, stop } = await startInProcessHub({ lorawan: { port: 0, host: '127.0.0.1' }, telemetry: { flushIntervalMs: 100 }, mqtt }, 'hyphae-mqtt-');
  cleanup.push(stop);
  const gw = new PacketForwarder('aa555a0000000001', { host: '127.0.0.1', port: hub.modules.sensing.port });
  await gw.start();
  cleanup.push(() => gw.stop());
  return { hub, gw, hubId: hub.identity!.hubId };
}

async function soilSensor(hub: Hub, gw: PacketForwarder) {
  const dev = EndDevice.random();
  const devEui = dev.devEui.toString('hex');
  await hub.modules.devices.register({
    kind: 'lorawan',
    name: 'Allotment soil',
    place: 'allotments',
    profile: 'dragino-lse01',
    otaa: { devEui, joinEui: dev.joinEui.toString('hex'), appKey: dev.appKey.toString('hex') },
  });
  await dev.join(gw);
  return { dev, devEui };
}

describe('MQTT with Home Assistant discovery', () => {
  it('through mosquitto: discovery HA accepts, readings with units, the hub state, a downlink from an automation, and "offline" by last will', async () => {
    const broker: Mosquitto = await startMosquitto();
    cleanup.push(() => broker.stop());
    const ha = await listen(broker.url, { username: broker.username, password: broker.password });
    const { hub, gw, hubId } = await startHub({
      enabled: true,
      broker: 'external',
      url: broker.url,
      username: broker.username,
      password: broker.password,
      downlinkDevices: ['0000000000000001'],
    });
    const base = `hyphae/${hubId}`;
    await until(() => ha.latest.get(`${base}/status`) === 'online', 'the hub online');
    const { dev, devEui } = await soilSensor(hub, gw);
    gw.push(dev.uplink(2, lse01));
    await until(
      () => ha.latest.has(`${base}/sensor/${devEui}/soilTemperature`),
      () => `readings; saw ${[...ha.latest.keys()].join(', ')}`,
    );

    // Every discovery payload passes HA's schema; the sensor's entities share one HA device, linked to the hub's.
    const configs = ha.all.filter((m) => m.topic.startsWith('homeassistant/') && m.topic.endsWith('/config'));
    const parsed = configs.map((m) => checkDiscovery(m.topic, m.payload));
    const soil = parsed.filter((p) => p.config.state_topic.startsWith(`${base}/sensor/${devEui}/`));
    expect(soil.map((p) => p.config.state_topic.split('/').pop()).sort()).toEqual([
      'battery',
      'soilConductivity',
      'soilMoisture',
      'soilTemperature',
      'temperature',
    ]);
    expect(new Set(soil.map((p) => p.config.device.identifiers[0])).size).toBe(1);
    expect(soil[0]!.config.device).toMatchObject({
      name: 'Allotment soil',
      model: 'dragino-lse01',
      suggested_area: 'allotments',
      via_device: `hyphae_${hubId.toLowerCase()}`,
    });
    const byMetric = Object.fromEntries(soil.map((p) => [p.config.state_topic.split('/').pop(), p.config]));
    expect(byMetric.soilTemperature).toMatchObject({ device_class: 'temperature', unit_of_measurement: '°C', state_class: 'measurement' });
    expect(byMetric.soilMoisture).toMatchObject({ device_class: 'moisture', unit_of_measurement: '%' });
    expect(byMetric.battery).toMatchObject({ device_class: 'voltage', unit_of_measurement: 'V', entity_category: 'diagnostic' });
    expect(ha.latest.get(`${base}/sensor/${devEui}/soilTemperature`)).toBe('18.4');
    expect(ha.latest.get(`${base}/sensor/${devEui}/soilMoisture`)).toBe('31.25');
    // Retained: a Home Assistant that subscribes later gets every config and the latest reading at once.
    const later = await listen(broker.url, { username: broker.username, password: broker.password });
    await until(
      () => later.latest.has(`${base}/sensor/${devEui}/soilMoisture`) && later.all.filter((x) => x.topic.endsWith('/config')).length === configs.length,
      'retained configs for a late subscriber',
    );
    expect(later.all.filter((x) => x.topic.endsWith('/config') || x.topic === `${base}/status`).every((x) => x.retain)).toBe(true);
    // Availability: every entity points at the hub's status topic.
    expect(parsed.every((p) => p.config.availability_topic === `${base}/status`)).toBe(true);

    // The hub's own device: multiplier, budgets, price, signals and the emergency.
    const hubEntities = parsed.filter((p) => p.config.device.identifiers[0] === `hyphae_${hubId.toLowerCase()}` && !p.config.device.via_device);
    expect(hubEntities.map((p) => p.config.state_topic.split('/').pop())).toEqual(
      expect.arrayContaining(['multiplier', 'water_budget_used', 'co2e_budget_used', 'water_price', 'crisis', 'surplus_food', 'need_water']),
    );
    expect(parsed.find((p) => p.config.state_topic === `${base}/hub/crisis`)).toMatchObject({
      component: 'binary_sensor',
      config: { device_class: 'safety', payload_on: 'ON' },
    });
    await until(() => ha.latest.get(`${base}/hub/crisis`) === 'OFF', 'crisis OFF');
    const m = hub.modules;
    const steward = await m.members.create({ name: 'Stew', email: 'stew@example.org', role: 'steward' }, null);
    const ana = await m.members.create({ name: 'Ana', email: 'ana@example.org' }, null);
    await m.board.post(ana.id, { kind: 'surplus', resource: 'food', quantity: 12 });
    const crisis = await m.board.declareCrisis(steward.id, { note: 'storm', places: ['allotments'] });
    await until(() => ha.latest.get(`${base}/hub/crisis`) === 'ON', 'crisis ON at once');
    expect(ha.latest.get(`${base}/hub/surplus_food`)).toBe('12');
    await m.board.endCrisis(crisis.id, steward.id);
    await until(() => ha.latest.get(`${base}/hub/crisis`) === 'OFF', 'crisis OFF again');

    // Home Assistant restarting asks for discovery again.
    const before = ha.all.filter((x) => x.topic.endsWith('/config')).length;
    await ha.client.publishAsync('homeassistant/status', 'online');
    await until(() => ha.all.filter((x) => x.topic.endsWith('/config')).length > before, 'discovery again after HA came online');

    // Downlinks: this hub's ACL names another device, so an automation is refused and nothing is queued.
    await ha.client.subscribeAsync(`${base}/downlink/+/result`);
    await ha.client.publishAsync(`${base}/downlink/${devEui}`, JSON.stringify({ fPort: 10, hex: '0102' }));
    await until(() => ha.latest.has(`${base}/downlink/${devEui}/result`), 'the refusal');
    expect(JSON.parse(ha.latest.get(`${base}/downlink/${devEui}/result`)!)).toEqual({ ok: false, error: 'this device is not in mqtt.downlinkDevices' });
    expect(m.devices.downlinks.list(devEui)).toEqual([]);

    // The hub's connection breaks without a goodbye: the broker publishes its last will.
    (hub.mqtt as unknown as { client: MqttClient }).client.stream.destroy();
    await until(() => ha.latest.get(`${base}/status`) === 'offline', 'offline by last will');
    await until(() => ha.latest.get(`${base}/status`) === 'online', 'online again after the reconnect', { timeoutMs: 20_000 });
  }, 60_000);

  it('queues a LoRaWAN downlink an automation publishes, only for a device the ACL names, and answers on .../result', async () => {
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const ha = await listen(broker.url, { username: broker.username, password: broker.password });
    const { hub, gw, hubId } = await startHub({
      enabled: true,
      broker: 'external',
      url: broker.url,
      username: broker.username,
      password: broker.password,
      downlinkDevices: ['*'],
    });
    const base = `hyphae/${hubId}`;
    await until(() => ha.latest.get(`${base}/status`) === 'online', 'the hub online');
    const { devEui } = await soilSensor(hub, gw);
    await ha.client.subscribeAsync(`${base}/downlink/+/result`);
    await ha.client.publishAsync(`${base}/downlink/${devEui}`, JSON.stringify({ fPort: 10, hex: '0102', confirmed: true }));
    await until(() => ha.latest.has(`${base}/downlink/${devEui}/result`), 'result');
    expect(JSON.parse(ha.latest.get(`${base}/downlink/${devEui}/result`)!)).toMatchObject({ ok: true, state: 'queued' });
    expect(hub.modules.devices.downlinks.list(devEui)).toMatchObject([{ fPort: 10, payload: '0102', confirmed: true, createdBy: 'mqtt' }]);
    // A payload that is not a downlink is refused with its reason, and nothing more is queued.
    await ha.client.publishAsync(`${base}/downlink/${devEui}`, JSON.stringify({ fPort: 300, hex: 'zz' }));
    await until(() => JSON.parse(ha.latest.get(`${base}/downlink/${devEui}/result`)!).ok === false, 'refusal');
    expect(JSON.parse(ha.latest.get(`${base}/downlink/${devEui}/result`)!).error).toMatch(/fPort|hex/);
    expect(hub.modules.devices.downlinks.list(devEui)).toHaveLength(1);
  }, 60_000);

  it('the embedded broker: HA signs in with the configured user, a wrong password is refused, and readings arrive', async () => {
    const { hub, gw, hubId } = await startHub({
      enabled: true,
      broker: 'embedded',
      host: '127.0.0.1',
      port: 0,
      username: 'homeassistant',
      password: 'embedded-secret',
    });
    const url = `mqtt://127.0.0.1:${hub.mqttBroker!.port}`;
    await expect(connectAsync(url, { username: 'homeassistant', password: 'wrong', reconnectPeriod: 0, connectTimeout: 5_000 })).rejects.toThrow(
      /Not authorized|Bad username/i,
    );
    const ha = await listen(url, { username: 'homeassistant', password: 'embedded-secret' });
    const base = `hyphae/${hubId}`;
    await until(() => ha.latest.get(`${base}/status`) === 'online', 'the hub online (retained)');
    const { dev, devEui } = await soilSensor(hub, gw);
    gw.push(dev.uplink(2, lse01));
    await until(() => ha.latest.get(`${base}/sensor/${devEui}/soilMoisture`) === '31.25', 'a reading through the embedded broker');
    const configs = ha.all.filter((m) => m.topic.endsWith('/config'));
    for (const c of configs) checkDiscovery(c.topic, c.payload);
    expect(configs.length).toBeGreaterThan(5);
  }, 60_000);
});
