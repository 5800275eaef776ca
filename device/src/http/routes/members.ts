import { z } from '@hono/zod-openapi';
import { hasRole, publicMember, ROLES } from '../../members/members.js';
import { qrSvg } from '../../qr.js';
import { HubError } from '../../errors.js';
import { clientAddress } from '../captive.js';
import { hubAddress, idempotencyKey, requireMember, requireRole, requireSelfOrSteward, type App, type HttpDeps } from '../context.js';
import { created, DirectoryEntry, IdempotencyHeader, Invite, JoinRequest, Member, MemberId, NewMember, ok, problemResponses } from '../schemas.js';
import { MEMBER_STATUSES } from '../../members/contract.js';
import { body, operations } from '../operations.js';

const api = operations('members');

const idParam = z.object({ id: MemberId.openapi({ param: { name: 'id', in: 'path' } }) });

const create = api.post('/api/v1/members', 'Add a member (stewards); they are active at once', {
  headers: IdempotencyHeader,
  body: body(NewMember),
  answers: created(Member, 'The new member'),
});

const list = api.get('/api/v1/members', 'Members: stewards see everything, residents see the directory of names', {
  query: z.object({ status: z.enum(MEMBER_STATUSES).optional(), q: z.string().max(80).optional() }),
  answers: ok(z.object({ members: z.array(Member).optional(), directory: z.array(DirectoryEntry) }), 'Members', problemResponses),
});

const getOne = api.get('/api/v1/members/{id}', 'One member (self or stewards)', { params: idParam, answers: ok(Member, 'The member', problemResponses) });

const action = (name: 'admit' | 'suspend' | 'reinstate', summary: string) =>
  api.post(`/api/v1/members/{id}/${name}`, summary, {
    params: idParam,
    body: body(z.object({ reason: z.string().max(500).optional() }), false),
    answers: ok(Member, 'The member after the change'),
  });

const setRole = api.put('/api/v1/members/{id}/role', "Change a member's role (admins)", {
  params: idParam,
  body: body(z.object({ role: z.enum(ROLES) })),
  answers: ok(Member, 'The member after the change'),
});

const resetPassword = api.post(
  '/api/v1/members/{id}/password-reset',
  'Give a member a one-time password, shown once, to hand over in person; they choose their own at the next sign-in (stewards; admins for stewards and admins)',
  { params: idParam, answers: created(z.object({ member: Member, oneTimePassword: z.string() }), 'The one-time password') },
);

const join = api.post('/api/v1/join', 'Join with an invite code (active at once) or ask to join (a steward admits you)', {
  body: body(JoinRequest),
  answers: created(z.object({ member: Member, admitted: z.boolean() }), 'Joined, or waiting to be admitted'),
});

const createInvite = api.post('/api/v1/invites', 'Create an invite code (stewards), with its join link and the link as a QR code (SVG) for a phone to scan', {
  body: body(z.object({ note: z.string().max(200).optional() }), false),
  answers: created(Invite.extend({ joinUrl: z.string(), qrSvg: z.string() }), 'The invite', problemResponses),
});

const listInvites = api.get('/api/v1/invites', 'Invites (stewards)', { answers: ok(z.array(Invite), 'Invites, newest first', problemResponses) });

export function registerMembers(app: App, deps: HttpDeps) {
  const { members } = deps;

  app.openapi(create, async (c) => {
    const steward = requireRole(c, 'steward');
    const body = c.req.valid('json');
    if (body.role && body.role !== 'resident') requireRole(c, 'admin');
    const m = await members.create(body, steward.id, idempotencyKey(c));
    return c.json(publicMember(m), 201);
  });

  app.openapi(list, (c) => {
    const me = requireMember(c);
    const q = c.req.valid('query');
    const found = members.list(q);
    const directory = found.filter((m) => m.status === 'active' || hasRole(me, 'steward')).map((m) => ({ id: m.id, name: m.name, status: m.status }));
    return c.json(hasRole(me, 'steward') ? { members: found.map(publicMember), directory } : { directory }, 200);
  });

  app.openapi(getOne, (c) => {
    const { id } = c.req.valid('param');
    requireSelfOrSteward(c, id);
    return c.json(publicMember(members.get(id)), 200);
  });

  app.openapi(action('admit', 'Admit a pending member (stewards)'), async (c) => {
    const s = requireRole(c, 'steward');
    return c.json(publicMember(await members.admit(c.req.valid('param').id, s.id)), 200);
  });
  app.openapi(action('suspend', 'Suspend a member (stewards); their balance stays'), async (c) => {
    const s = requireRole(c, 'steward');
    return c.json(publicMember(await members.suspend(c.req.valid('param').id, s.id, c.req.valid('json').reason ?? null)), 200);
  });
  app.openapi(action('reinstate', 'Reinstate a suspended member (stewards)'), async (c) => {
    const s = requireRole(c, 'steward');
    return c.json(publicMember(await members.reinstate(c.req.valid('param').id, s.id)), 200);
  });

  app.openapi(setRole, async (c) => {
    const admin = requireRole(c, 'admin');
    return c.json(publicMember(await members.setRole(c.req.valid('param').id, c.req.valid('json').role, admin.id)), 200);
  });

  app.openapi(resetPassword, async (c) => {
    const s = requireRole(c, 'steward');
    const { member, oneTimePassword } = await members.resetPassword(c.req.valid('param').id, s);
    return c.json({ member: publicMember(member), oneTimePassword }, 201);
  });

  app.openapi(join, async (c) => {
    const { code, ...who } = c.req.valid('json');
    // Ten tries an hour from one address: enough for a family at one phone, too few to map who lives here.
    const address = [`join:${clientAddress(c)}`];
    const wait = members.joinLimiter.retryAfter(address);
    if (wait > 0) throw HubError.general('too-many-attempts-to-join', `try again in ${wait} seconds`, { retryAfter: wait });
    members.joinLimiter.fail(address);
    const m = code ? await members.joinWithInvite(code, who) : await members.requestMembership(who);
    return c.json({ member: publicMember(m), admitted: m.status === 'active' }, 201);
  });

  app.openapi(createInvite, async (c) => {
    const s = requireRole(c, 'steward');
    const inv = await members.createInvite(s.id, c.req.valid('json').note ?? null);
    const base = hubAddress(c, deps);
    const joinUrl = `${base}/#/join?code=${inv.code}`;
    return c.json({ ...inv, joinUrl, qrSvg: await qrSvg(joinUrl) }, 201);
  });

  app.openapi(listInvites, (c) => {
    requireRole(c, 'steward');
    return c.json(members.listInvites(), 200);
  });
}
