import type { MiddlewareHandler } from 'hono';
import { parse as parseCookies } from 'hono/utils/cookie';
import { HubError } from '../errors.js';
import { CSRF_HEADER, SESSION_COOKIE, type AppEnv, type HttpDeps } from './context.js';
import { requestHeader } from './request-header.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Works out who is calling: a bearer token (scripts) or a session cookie (the
 * console). Cookie-authenticated writes must carry the session's CSRF token
 * in a header, which a page on another origin cannot read or send.
 */
export function authenticate(deps: HttpDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('principal', null);
    const header = requestHeader(c, 'authorization');
    if (header) {
      const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      if (!token) throw HubError.unauthenticated('the Authorization header must be "Bearer <token>"');
      const member = deps.members.tokenOwner(token);
      if (!member) throw HubError.unauthenticated('that token is unknown or revoked');
      if (member.status !== 'active') throw HubError.forbidden(`your membership is ${member.status}`);
      c.set('principal', { member, via: 'token', session: null, sessionToken: null });
      return next();
    }
    const cookies = requestHeader(c, 'cookie');
    const token = cookies ? parseCookies(cookies, SESSION_COOKIE)[SESSION_COOKIE] : undefined;
    if (token) {
      const session = deps.members.session(token);
      const member = session ? deps.members.find(session.memberId) : undefined;
      if (session && member && member.status === 'active') {
        if (!SAFE_METHODS.has(c.req.method) && !deps.members.csrfMatches(session, requestHeader(c, CSRF_HEADER))) {
          throw HubError.general('csrf', 'send the X-CSRF-Token header given at sign-in');
        }
        c.set('principal', { member, via: 'session', session, sessionToken: token });
      }
    }
    return next();
  };
}
