import { MQTT_BROKERS } from '../../config/schema.js';
import { z } from '@hono/zod-openapi';
import { NOTIFICATION_KIND_NAMES } from '../../notifications/kinds.js';
import { HubError } from '../../errors.js';
import { hasRole } from '../../members/members.js';
import { requireMember, requireRole, type App, type HttpDeps } from '../context.js';
import { component, created, Int, json, Millis, ok, QueryFlag, ruleResponses } from '../schemas.js';
import { ALERT_LANGUAGES, CHANNELS } from '../../notifications/contract.js';
import { body, operations } from '../operations.js';

const api = operations('hub');

const Kind = z.enum(NOTIFICATION_KIND_NAMES).openapi('NotificationKind');
const Channel = z
  .enum(CHANNELS)
  .describe('The console inbox always; plus an alert on my phones (Web Push), email at once, or email in a daily digest')
  .openapi('NotificationChannel');
const Notification = component('Notification', {
  id: z.string(),
  memberId: z.string(),
  at: Millis,
  kind: z.string().describe('One of NotificationKind; a console words the kinds it knows from params'),
  text: z.string().describe('In English'),
  ref: z.string().nullable(),
  read: z.boolean(),
  params: z.record(z.string(), z.unknown()).optional().describe('The facts in the text, for saying it in another language (times in ms, money in minor units)'),
});
const Preference = component('NotificationPreference', {
  kind: Kind,
  channel: Channel,
  mandatory: z.boolean().describe('Emergencies reach every channel and cannot be turned down'),
  group: z.string(),
});
const Preferences = component('NotificationPreferences', {
  emailAvailable: z.boolean(),
  pushAvailable: z.boolean().describe('Whether this hub can alert phones (it has an https:// public address)'),
  kinds: z.array(Preference),
});

const list = api.get('/api/v1/notifications', 'My notifications, newest first', {
  query: z.object({ unread: QueryFlag.optional(), limit: z.coerce.number().int().min(1).max(500).default(200) }),
  answers: ok(z.array(Notification), 'Notifications'),
});
const unread = api.get('/api/v1/notifications/unread-count', 'How many of my notifications are unread (the console polls this)', {
  answers: ok(z.object({ unread: Int }), 'Count'),
});
const markRead = api.post('/api/v1/notifications/read', 'Mark my notifications read (some, or all)', {
  body: body(z.union([z.object({ ids: z.array(z.string()).min(1).max(500) }), z.object({ all: z.literal(true) })])),
  answers: ok(z.object({ marked: Int }), 'How many were unread'),
});
const getPrefs = api.get('/api/v1/notifications/preferences', 'How each kind reaches me', { answers: ok(Preferences, 'Preferences') });
const putPrefs = api.put('/api/v1/notifications/preferences', 'Choose how kinds reach me; emergencies cannot be turned down', {
  body: body(z.object({ channels: z.partialRecord(Kind, Channel) })),
  answers: ok(Preferences, 'Preferences'),
});

const Webhook = component('Webhook', {
  id: z.string(),
  url: z.string(),
  kinds: z.array(Kind),
  owner: z.string().nullable().describe("The member whose own events it receives; null for a stewards' hook"),
  createdBy: z.string(),
  createdAt: Millis,
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  failuresInRow: Int,
  lastAttempt: z.object({ at: Millis, ok: z.boolean(), status: Int.nullable(), error: z.string().nullable() }).nullable(),
});
const NewWebhook = z.object({
  url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// address' }).max(500),
  kinds: z.array(Kind).min(1).max(60),
  forMe: z.boolean().default(false).describe("A steward's hook for their own events, not the community's"),
  secret: z.string().min(16).max(200).optional().describe('Shared secret for the HMAC signature; made up by the hub when not given'),
});
const Attempt = component('WebhookAttempt', {
  deliveryId: z.string(),
  kind: z.string(),
  at: Millis,
  attempt: Int,
  ok: z.boolean(),
  status: Int.nullable(),
  error: z.string().nullable(),
  ms: Int,
});
const hookId = z.object({ id: z.string() });
const listHooks = api.get('/api/v1/webhooks', 'Webhooks: a steward sees all, a member their own', { answers: ok(z.array(Webhook), 'Webhooks') });
const addHook = api.post(
  '/api/v1/webhooks',
  "Register a webhook: stewards for community and hub events, members for their own; bodies are signed with HMAC-SHA256 (X-Hyphae-Signature: sha256=HMAC(secret, timestamp + '.' + body))",
  { body: body(NewWebhook), answers: created(Webhook.extend({ secret: z.string().describe('Shown once') }), 'Registered') },
);
const removeHook = api.delete('/api/v1/webhooks/{id}', 'Remove a webhook and what waits for it', {
  params: hookId,
  answers: { 204: { description: 'Removed' }, ...ruleResponses },
});
const enableHook = api.post('/api/v1/webhooks/{id}/enable', 'Turn a webhook on again after it was turned off for failing', {
  params: hookId,
  answers: ok(Webhook, 'The webhook'),
});
const pingHook = api.post('/api/v1/webhooks/{id}/ping', 'Send a test delivery', {
  params: hookId,
  answers: { 202: json(z.object({ delivery: z.string() }), 'Queued'), ...ruleResponses },
});
const hookAttempts = api.get('/api/v1/webhooks/{id}/attempts', 'The last 100 delivery attempts, newest first', {
  params: hookId,
  answers: ok(z.array(Attempt), 'Attempts'),
});

const PushSubscription = component('PushSubscription', {
  id: z.string(),
  memberId: z.string(),
  lang: z.enum(ALERT_LANGUAGES),
  createdAt: Millis,
  lastOkAt: Int.nullable().describe('When an alert last reached its push service'),
  failuresInRow: Int,
  endpointHost: z.string().describe("The browser maker's push service it goes through"),
});
const PushStatus = component('PushStatus', {
  available: z.boolean().describe('Push needs the hub to reach the internet and an https:// public address; without it the console polls its inbox'),
  publicKey: z.string().nullable().describe('The VAPID application server key, for PushManager.subscribe'),
  subscriptions: z.array(PushSubscription).describe('My phones that take alerts'),
});
const NewPushSubscription = z.object({
  endpoint: z.url({ protocol: /^https$/, error: 'an https:// push service address' }).max(1000),
  keys: z.object({
    p256dh: z.string().regex(/^[A-Za-z0-9_-]{80,100}={0,2}$/, 'a P-256 public key, base64url'),
    auth: z.string().regex(/^[A-Za-z0-9_-]{16,24}={0,2}$/, 'a 16-byte secret, base64url'),
  }),
  lang: z.enum(ALERT_LANGUAGES).default('en').describe('The language alerts on this phone are worded in'),
});
const pushStatus = api.get('/api/v1/notifications/push', 'Whether alerts can reach phones, the key to subscribe with, and my phones that take them', {
  answers: ok(PushStatus, 'Push'),
});
const addPush = api.post(
  '/api/v1/notifications/push/subscriptions',
  "Turn alerts on for this phone: the browser's PushSubscription (the same phone again replaces it)",
  { body: body(NewPushSubscription), answers: created(PushSubscription, 'Subscribed') },
);
const removePush = api.delete('/api/v1/notifications/push/subscriptions/{id}', 'Turn alerts off for one of my phones', {
  params: z.object({ id: z.string() }),
  answers: { 204: { description: 'Removed' }, ...ruleResponses },
});

const MqttStatus = component('MqttStatus', {
  enabled: z.boolean(),
  broker: z.enum(MQTT_BROKERS).nullable(),
  connected: z.boolean(),
  embeddedClients: Int.nullable().describe('Clients signed in to the embedded broker'),
  counts: z
    .object({
      published: Int,
      dropped: Int.describe('Readings not published: the broker was away or the link was full'),
      downlinksQueued: Int,
      downlinksRefused: Int,
      connects: Int,
    })
    .nullable(),
});
const mqttStatus = api.get('/api/v1/mqtt', 'The MQTT bridge: connected, readings published and dropped (stewards)', { answers: ok(MqttStatus, 'Status') });

export function registerNotifications(app: App, deps: HttpDeps) {
  app.openapi(mqttStatus, (c) => {
    requireRole(c, 'steward');
    const s = deps.mqtt?.() ?? null;
    return c.json(s ? { enabled: true, ...s } : { enabled: false, broker: null, connected: false, embeddedClients: null, counts: null }, 200);
  });
  const n = deps.notifications;
  const prefs = (memberId: string) => ({ emailAvailable: deps.config.email.enabled, pushAvailable: deps.push.available, kinds: n.preferencesOf(memberId) });
  app.openapi(pushStatus, async (c) => {
    const me = requireMember(c);
    return c.json(
      { available: deps.push.available, publicKey: deps.push.available ? await deps.push.publicKey() : null, subscriptions: deps.push.subscriptionsOf(me.id) },
      200,
    );
  });
  app.openapi(addPush, async (c) => c.json(await deps.push.subscribe(requireMember(c).id, c.req.valid('json')), 201));
  app.openapi(removePush, async (c) => {
    await deps.push.unsubscribe(requireMember(c).id, c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(list, (c) => {
    const q = c.req.valid('query');
    return c.json(n.list(requireMember(c).id, q.unread === 'true', q.limit), 200);
  });
  app.openapi(unread, (c) => c.json({ unread: n.unreadCount(requireMember(c).id) }, 200));
  app.openapi(markRead, async (c) => {
    const me = requireMember(c);
    const b = c.req.valid('json');
    return c.json({ marked: await n.markRead(me.id, 'all' in b ? 'all' : b.ids) }, 200);
  });
  app.openapi(getPrefs, (c) => c.json(prefs(requireMember(c).id), 200));
  const hooks = deps.webhooks;
  const publicHook = ({ secret: _secret, ...h }: ReturnType<typeof hooks.get>) => h;
  /** A steward may act on any hook; a member only on their own. */
  const mine = (c: Parameters<typeof requireMember>[0], id: string) => {
    const me = requireMember(c);
    const h = hooks.get(id);
    if (h.owner !== me.id && !hasRole(me, 'steward')) throw HubError.notFound(`webhook ${id}`);
    return h;
  };
  app.openapi(listHooks, (c) => {
    const me = requireMember(c);
    return c.json(hooks.list(hasRole(me, 'steward') ? {} : { owner: me.id }).map(publicHook), 200);
  });
  app.openapi(addHook, async (c) => {
    const me = requireMember(c);
    const b = c.req.valid('json');
    const h = await hooks.register(
      { id: me.id, steward: hasRole(me, 'steward') },
      { url: b.url, kinds: b.kinds, forMe: b.forMe, ...(b.secret ? { secret: b.secret } : {}) },
    );
    return c.json(h, 201);
  });
  app.openapi(removeHook, async (c) => {
    await hooks.remove(mine(c, c.req.valid('param').id).id);
    return c.body(null, 204);
  });
  app.openapi(enableHook, async (c) => c.json(publicHook(await hooks.enable(mine(c, c.req.valid('param').id).id)), 200));
  app.openapi(pingHook, async (c) => c.json({ delivery: (await hooks.ping(mine(c, c.req.valid('param').id).id)).id }, 202));
  app.openapi(hookAttempts, (c) => c.json(hooks.attemptsOf(mine(c, c.req.valid('param').id).id), 200));
  app.openapi(putPrefs, async (c) => {
    const me = requireMember(c);
    await n.setPreferences(me.id, c.req.valid('json').channels);
    return c.json(prefs(me.id), 200);
  });
}
