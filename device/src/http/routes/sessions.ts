import { z } from '@hono/zod-openapi';
import { randomBytes } from 'node:crypto';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

/** A random id this browser keeps, so the hub knows a device that has signed in to an account before. */
const DEVICE_COOKIE = 'hyphae_device';
import { publicMember } from '../../members/members.js';
import { requireMember, requirePrincipal, SESSION_COOKIE, type App, type HttpDeps } from '../context.js';
import { clientAddress } from '../captive.js';
import { ApiToken, created, Credentials, json, Member, ok, problemResponses, SessionInfo } from '../schemas.js';
import { body, operations } from '../operations.js';

const sessionsApi = operations('sessions');
const tokensApi = operations('tokens');

const signIn = sessionsApi.post('/api/v1/sessions', 'Sign in; sets the session cookie and returns the CSRF token', {
  body: body(Credentials),
  answers: {
    200: json(SessionInfo, 'Signed in'),
    ...problemResponses,
    429: { description: 'Too many attempts', content: { 'application/problem+json': { schema: z.object({}).passthrough() } } },
  },
});

const current = sessionsApi.get('/api/v1/sessions/current', 'Who am I', { answers: ok(SessionInfo, 'The signed-in member', problemResponses) });

const signOut = sessionsApi.delete('/api/v1/sessions/current', 'Sign out', { answers: { 204: { description: 'Signed out' }, ...problemResponses } });

const changePassword = sessionsApi.post(
  '/api/v1/sessions/current/password',
  'Choose a new password, giving the current one; every other session of yours ends',
  {
    body: {
      content: { 'application/json': { schema: z.object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(8).max(256) }) } },
      required: true,
    },
    answers: {
      200: json(Member, 'You, after the change'),
      ...problemResponses,
      429: { description: 'Too many wrong passwords', content: { 'application/problem+json': { schema: z.object({}).passthrough() } } },
    },
  },
);

const createToken = tokensApi.post('/api/v1/tokens', 'Create a bearer token for scripts; the token is shown once', {
  body: body(z.object({ name: z.string().trim().min(1).max(60) })),
  answers: created(z.object({ token: z.string(), info: ApiToken }), 'The new token', problemResponses),
});

const listTokens = tokensApi.get('/api/v1/tokens', 'My tokens', { answers: ok(z.array(ApiToken), 'Tokens, without their secrets', problemResponses) });

const revokeToken = tokensApi.delete('/api/v1/tokens/{id}', 'Revoke a token', {
  params: z.object({ id: z.string() }),
  answers: { 204: { description: 'Revoked' }, ...problemResponses },
});

export function registerSessions(app: App, deps: HttpDeps) {
  app.openapi(signIn, async (c) => {
    const { email, password } = c.req.valid('json');
    const device = getCookie(c, DEVICE_COOKIE) ?? null;
    const member = await deps.members.authenticate(email, password, clientAddress(c), device);
    const { token, session } = await deps.members.startSession(member.id);
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Lax',
      path: '/',
      secure: deps.config.auth.secureCookies,
      maxAge: Math.floor((session.expiresAt - session.createdAt) / 1000),
    });
    // This browser is now one that has signed in to the account: wrong guesses elsewhere will not lock it out.
    const deviceId = device && /^[A-Za-z0-9_-]{16,64}$/.test(device) ? device : randomBytes(18).toString('base64url');
    deps.members.rememberDevice(member.id, deviceId);
    setCookie(c, DEVICE_COOKIE, deviceId, {
      httpOnly: true,
      sameSite: 'Lax',
      path: '/api/v1/sessions',
      secure: deps.config.auth.secureCookies,
      maxAge: 400 * 86_400,
    });
    return c.json({ member: publicMember(member), csrfToken: session.csrfToken, expiresAt: session.expiresAt, via: 'session' as const }, 200);
  });

  app.openapi(current, (c) => {
    const p = requirePrincipal(c);
    return c.json({ member: publicMember(p.member), csrfToken: p.session?.csrfToken ?? null, expiresAt: p.session?.expiresAt ?? null, via: p.via }, 200);
  });

  app.openapi(signOut, async (c) => {
    const p = requirePrincipal(c);
    if (p.sessionToken) await deps.members.endSession(p.sessionToken);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  app.openapi(changePassword, async (c) => {
    const p = requirePrincipal(c);
    const { currentPassword, newPassword } = c.req.valid('json');
    return c.json(
      publicMember(await deps.members.changePassword(p.member.id, currentPassword, newPassword, clientAddress(c), p.sessionToken ?? undefined)),
      200,
    );
  });

  app.openapi(createToken, async (c) => {
    const member = requireMember(c);
    const { name } = c.req.valid('json');
    return c.json(await deps.members.createToken(member.id, name), 201);
  });

  app.openapi(listTokens, (c) => c.json(deps.members.tokensOf(requireMember(c).id), 200));

  app.openapi(revokeToken, async (c) => {
    const member = requireMember(c);
    await deps.members.revokeToken(member.id, c.req.valid('param').id, member.role === 'admin');
    return c.body(null, 204);
  });
}
