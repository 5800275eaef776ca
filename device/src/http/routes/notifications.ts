import { createRoute, z } from '@hono/zod-openapi';
import { NOTIFICATION_KIND_NAMES } from '../../notifications/kinds.js';
import { requireMember, type App, type HttpDeps } from '../context.js';
import { json, ruleResponses } from '../schemas.js';

const Kind = z.enum(NOTIFICATION_KIND_NAMES).openapi('NotificationKind');
const Channel = z.enum(['inbox', 'email', 'digest']).describe('The console inbox always; plus email at once, or in a daily digest').openapi('NotificationChannel');
const Notification = z
  .object({
    id: z.string(), memberId: z.string(), at: z.number().int(),
    kind: z.string().describe('One of NotificationKind; a console words the kinds it knows from params'),
    text: z.string().describe('In English'), ref: z.string().nullable(), read: z.boolean(),
    params: z.record(z.string(), z.unknown()).optional().describe('The facts in the text, for saying it in another language (times in ms, money in minor units)'),
  })
  .openapi('Notification');
const Preference = z.object({ kind: Kind, channel: Channel, mandatory: z.boolean().describe('Emergencies reach every channel and cannot be turned down'), group: z.string() }).openapi('NotificationPreference');
const body = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });

const list = createRoute({
  method: 'get', path: '/api/v1/notifications', tags: ['hub'], summary: 'My notifications, newest first',
  request: { query: z.object({ unread: z.enum(['true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(500).default(200) }) },
  responses: { 200: json(z.array(Notification), 'Notifications'), ...ruleResponses },
});
const unread = createRoute({ method: 'get', path: '/api/v1/notifications/unread-count', tags: ['hub'], summary: 'How many of my notifications are unread (the console polls this)', responses: { 200: json(z.object({ unread: z.number().int() }), 'Count'), ...ruleResponses } });
const markRead = createRoute({
  method: 'post', path: '/api/v1/notifications/read', tags: ['hub'], summary: 'Mark my notifications read (some, or all)',
  request: { body: body(z.union([z.object({ ids: z.array(z.string()).min(1).max(500) }), z.object({ all: z.literal(true) })])) },
  responses: { 200: json(z.object({ marked: z.number().int() }), 'How many were unread'), ...ruleResponses },
});
const getPrefs = createRoute({ method: 'get', path: '/api/v1/notifications/preferences', tags: ['hub'], summary: 'How each kind reaches me', responses: { 200: json(z.object({ emailAvailable: z.boolean(), kinds: z.array(Preference) }), 'Preferences'), ...ruleResponses } });
const putPrefs = createRoute({
  method: 'put', path: '/api/v1/notifications/preferences', tags: ['hub'], summary: 'Choose how kinds reach me; emergencies cannot be turned down',
  request: { body: body(z.object({ channels: z.partialRecord(Kind, Channel) })) },
  responses: { 200: json(z.object({ emailAvailable: z.boolean(), kinds: z.array(Preference) }), 'Preferences'), ...ruleResponses },
});

export function registerNotifications(app: App, deps: HttpDeps) {
  const n = deps.notifications;
  const prefs = (memberId: string) => ({ emailAvailable: deps.config.email.enabled, kinds: n.preferencesOf(memberId) });
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
  app.openapi(putPrefs, async (c) => {
    const me = requireMember(c);
    await n.setPreferences(me.id, c.req.valid('json').channels);
    return c.json(prefs(me.id), 200);
  });
}
