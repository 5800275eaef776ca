import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectAsync } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startMosquitto } from './mqtt/mosquitto.js';
import { startInProcessHub } from './in-process-hub.js';
import { apiAs, until } from './wait.js';

/**
 * "Damaged node attracts resources": when a steward declares an emergency
 * through the API, every member's inbox has it, the MQTT crisis topic turns
 * ON for Home Assistant, and a stewards' webhook receives it signed.
 */
let cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('an emergency reaches everyone', () => {
  it('every inbox, the MQTT crisis topic and a webhook', async () => {
    const broker = await startMosquitto();
    cleanup.push(() => broker.stop());
    const got: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => (got.push({ headers: req.headers, body }), res.writeHead(204).end()));
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    cleanup.push(() => new Promise((r) => receiver.close(r)));

    const { hub, stop } = await startInProcessHub(
      { lorawan: { enabled: false }, mqtt: { enabled: true, broker: 'external', url: broker.url, username: broker.username, password: broker.password } },
      'hyphae-emergency-',
    );
    cleanup.push(stop);
    const m = hub.modules;
    const hubId = hub.identity!.hubId;
    const people = await Promise.all(
      [
        ['Stew', 'steward'],
        ['Ana', 'resident'],
        ['Bo', 'resident'],
        ['Cy', 'resident'],
      ].map(async ([name, role]) => {
        const member = await m.members.create({ name: name!, email: `${name!.toLowerCase()}@example.org`, role: role as 'steward' | 'resident' }, null);
        return { ...member, token: (await m.members.createToken(member.id, 'test')).token };
      }),
    );
    const api = (token: string, method: string, path: string, body?: unknown) => apiAs(`http://127.0.0.1:${hub.port}`, token)(method, path, body);
    const steward = people[0]!;

    const ha = await connectAsync(broker.url, { username: broker.username, password: broker.password, reconnectPeriod: 0 });
    cleanup.push(() => ha.endAsync());
    const topics = new Map<string, string>();
    ha.on('message', (t, p) => topics.set(t, p.toString()));
    await ha.subscribeAsync(`hyphae/${hubId}/hub/crisis`);
    await until(() => topics.get(`hyphae/${hubId}/hub/crisis`) === 'OFF', 'crisis OFF before');

    const hook = await api(steward.token, 'POST', '/api/v1/webhooks', {
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/emergency`,
      kinds: ['emergency-declared', 'emergency-ended'],
    });
    expect(hook.status).toBe(201);

    const declared = await api(steward.token, 'POST', '/api/v1/crisis', { note: 'Flooding on Mill Lane', places: ['Mill Lane'] });
    expect(declared.status).toBe(201);

    for (const p of people) {
      const inbox = await api(p.token, 'GET', '/api/v1/notifications?unread=true');
      expect(inbox.json.find((n: { kind: string }) => n.kind === 'emergency-declared')).toMatchObject({
        params: { emergencyId: declared.json.id, note: 'Flooding on Mill Lane', places: ['Mill Lane'] },
      });
    }
    await until(() => topics.get(`hyphae/${hubId}/hub/crisis`) === 'ON', 'crisis ON on MQTT');
    await until(() => got.length === 1, 'the webhook');
    const [d] = got;
    const signed = `sha256=${createHmac('sha256', hook.json.secret as string)
      .update(`${String(d!.headers['x-hyphae-timestamp'])}.${d!.body}`)
      .digest('hex')}`;
    expect(d!.headers['x-hyphae-signature']).toBe(signed);
    expect(JSON.parse(d!.body)).toMatchObject({ hub: hubId, kind: 'emergency-declared', params: { note: 'Flooding on Mill Lane' } });

    // Residents cannot turn emergencies down.
    const ana = people[1]!;
    await api(ana.token, 'PUT', '/api/v1/notifications/preferences', { channels: { 'emergency-ended': 'inbox' } });
    const prefs = await api(ana.token, 'GET', '/api/v1/notifications/preferences');
    expect(prefs.json.kinds.find((k: { kind: string }) => k.kind === 'emergency-ended')).toMatchObject({ mandatory: true, channel: 'email' });

    expect((await api(steward.token, 'POST', `/api/v1/crisis/${declared.json.id}/end`)).status).toBe(200);
    await until(() => topics.get(`hyphae/${hubId}/hub/crisis`) === 'OFF', 'crisis OFF on MQTT');
    await until(() => got.length === 2, 'the webhook for the end');
    expect((await api(ana.token, 'GET', '/api/v1/notifications')).json[0].kind).toBe('emergency-ended');
  }, 60_000);
});
