import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import type { Core } from '../core.js';
import { HubError, type GeneralCode } from '../errors.js';
import { VERSION } from '../version.js';
import { systemClock } from '../clock.js';
import { randomId } from '../ids.js';
import { authenticate } from './auth.js';
import type { AppEnv, App, Ctx, HttpDeps } from './context.js';
import { registerAccounts } from './routes/accounts.js';
import { registerAdmin } from './routes/admin.js';
import { registerAudit } from './routes/audit.js';
import { registerUpdates } from './routes/updates.js';
import { registerPeerBackups } from './routes/peer-backups.js';
import { registerBackups } from './routes/backups.js';
import { registerFlow } from './routes/flow.js';
import { registerEcology } from './routes/ecology.js';
import { registerFederation } from './routes/federation.js';
import { registerGovernance } from './routes/governance.js';
import { registerHealth } from './routes/health.js';
import { registerLibrary } from './routes/library.js';
import { registerSensing } from './routes/sensing.js';
import { registerSkills } from './routes/skills.js';
import { registerNotifications } from './routes/notifications.js';
import { CaptivePortal, clientAddress, registerCaptivePortal } from './captive.js';
import { compressLarge } from './compress.js';
import { recordAccess } from './access.js';
import { headersFromNode, requestHeader } from './request-header.js';
import { baseHeaders, SECURITY_HEADERS } from './security-headers.js';
export { CONTENT_SECURITY_POLICY } from './security-headers.js';
import { cleanJsonText } from './json-text.js';
import { ownHosts, registerConsole } from './console.js';
import { registerMembers } from './routes/members.js';
import { registerSessions } from './routes/sessions.js';
import { registerTransfers } from './routes/transfers.js';

const PROBLEM_JSON = 'application/problem+json';

function problemResponse(c: Ctx, err: HubError): Response {
  const headers: Record<string, string> = { ...baseHeaders(c.get('requestId')), 'content-type': PROBLEM_JSON };
  c.set('headersComplete', true);
  const retry = err.extensions.retryAfter;
  if (typeof retry === 'number') headers['retry-after'] = String(retry);
  return c.body(JSON.stringify({ ...err.toProblem(), instance: c.req.path }), err.status as ContentfulStatusCode, headers);
}

/** The general refusal for an exception a middleware threw with only a status. */
const CODE_FOR_STATUS: Record<number, GeneralCode> = {
  400: 'bad-request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  413: 'payload-too-large',
  429: 'rate-limited',
};
const generalCodeFor = (status: number): GeneralCode => CODE_FOR_STATUS[status] ?? (status >= 500 ? 'internal' : 'bad-request');

/** One validation issue as a problem carries it: the field, zod's code, and the bound or form it broke. */
function issueOf(i: { path: PropertyKey[]; message: string; code: string }) {
  const out: Record<string, unknown> = { path: i.path.map(String).join('.'), message: i.message, code: i.code };
  for (const k of ['minimum', 'maximum', 'origin', 'format', 'expected', 'inclusive'] as const) {
    const v = (i as Record<string, unknown>)[k];
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[k] = v;
    else if (typeof v === 'bigint') out[k] = Number(v);
  }
  return out;
}

/** Builds the HTTP API. No port is opened here; tests call `app.request()`. */
/** What the routes need from a hub's modules; callers add the rest (identity, federation, captive portal). */
export function coreDeps(core: Core, log: Logger): HttpDeps {
  return {
    config: core.config,
    version: VERSION,
    members: core.members,
    ledger: core.ledger,
    reliability: core.reliability,
    board: core.board,
    library: core.library,
    skills: core.skills,
    governance: core.governance,
    ecology: core.ecology,
    notifications: core.notifications,
    webhooks: core.webhooks,
    push: core.push,
    devices: core.devices,
    sensing: core.sensing,
    telemetry: core.telemetry,
    disk: core.disk,
    time: core.time,
    audit: core.audit,
    updates: core.updates,
    log,
    exportData: core.exportData,
  };
}

/** The largest update file a steward may upload (a hub bundle with its native modules is about 10 MB compressed). */
export const UPDATE_MAX_BYTES = 256 * 1024 * 1024;

export function createApp(deps: HttpDeps): App {
  const app: App = new OpenAPIHono<AppEnv>({
    // Every validation failure becomes the same problem+json 400.
    defaultHook: (result) => {
      if (!result.success) {
        // With zod's code and bounds, so a client can name the field and say the reason in its own language.
        const issues = result.error.issues.map((i) => issueOf(i));
        const first = issues[0];
        throw HubError.validation(first ? `${first.path || 'body'}: ${first.message}` : 'invalid input', issues);
      }
    },
  });

  // Who may call each route, as the handlers gate them (SECURITY.md is generated from it).
  recordAccess(app);

  // The one place where errors become responses.
  app.onError((err, c) => {
    if (err instanceof HubError) return problemResponse(c, err);
    if (err instanceof HTTPException) {
      const status = err.status;
      return problemResponse(c, HubError.general(generalCodeFor(status), err.message || undefined));
    }
    if (err instanceof SyntaxError) return problemResponse(c, HubError.badRequest(`the body is not valid JSON: ${err.message}`));
    deps.log.error({ module: 'http', err, path: c.req.path, requestId: c.get('requestId') }, 'unhandled error');
    return problemResponse(c, HubError.general('internal', `the hub logged this as request ${c.get('requestId')}`));
  });
  app.notFound((c) => problemResponse(c, HubError.notFound(`${c.req.method} ${c.req.path}`)));

  app.use('*', async (c, next) => {
    headersFromNode(c);
    const id = requestHeader(c, 'x-request-id') ?? randomId('', 6);
    c.set('requestId', id);
    const t0 = performance.now();
    await next();
    // JSON answers and problems carry these from the start, in the plain object their response
    // is made with (compress.ts); anything else (console files, exports, redirects) gets them here.
    if (!c.get('headersComplete')) {
      const h = c.res.headers;
      h.set('x-request-id', id);
      for (const [name, value] of SECURITY_HEADERS) if (!h.has(name)) h.set(name, value);
    }
    if (deps.log.isLevelEnabled('debug'))
      deps.log.debug(
        { module: 'http', method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - t0), requestId: id },
        'request',
      );
  });
  const tooLarge = () => HubError.general('payload-too-large', `the limit is ${deps.config.http.bodyLimitBytes} bytes`);
  const limitBody = bodyLimit({
    maxSize: deps.config.http.bodyLimitBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  // Only requests that may carry a body: the limit looks at request.body, which makes
  // @hono/node-server build a full web Request, a cost every GET would pay for nothing.
  // A JSON body (most writes) is read straight from Node's request instead, within the
  // same limit, checked and cleaned (json-text.ts), and handed to Hono's body cache,
  // where the validators look first.
  // An update file is a whole hub bundle: it has a limit of its own.
  const limitUpdate = bodyLimit({
    maxSize: UPDATE_MAX_BYTES,
    onError: () => {
      throw HubError.general('payload-too-large', `an update file may have up to ${UPDATE_MAX_BYTES} bytes`);
    },
  });
  app.use('/api/*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (c.req.path === '/api/v1/updates') return limitUpdate(c, next);
    if (!/^application\/json\b/i.test(requestHeader(c, 'content-type') ?? '')) return limitBody(c, next);
    // A peer hub signed its envelopes as they are: check them, but change nothing.
    const normalise = c.req.path !== '/api/v1/federation/inbox';
    const cache = c.req.bodyCache as Record<string, unknown>;
    const incoming = (c.env as { incoming?: AsyncIterable<Buffer> } | undefined)?.incoming;
    if (!incoming) {
      // In-process requests (tests' app.request): the same checks, through Hono's own limit.
      return limitBody(c, async () => {
        const text = await c.req.text();
        // Hono keeps promises there (its type says otherwise): json() awaits what it finds.
        cache.text = Promise.resolve(cleanJsonText(text, { normalise }));
        await next();
      });
    }
    const max = deps.config.http.bodyLimitBytes;
    if (Number(requestHeader(c, 'content-length') ?? 0) > max) throw tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of incoming) {
      size += chunk.length;
      if (size > max) throw tooLarge();
      chunks.push(chunk);
    }
    cache.text = Promise.resolve(cleanJsonText(Buffer.concat(chunks).toString('utf8'), { normalise }));
    return next();
  });
  // Lists and exports are large and the mesh is slow: compress what is worth it.
  app.use('/api/*', compressLarge(2048));
  app.use('/api/*', authenticate(deps));
  // Signing in also releases the phone from the captive portal.
  const portal = deps.captive ?? new CaptivePortal(systemClock);
  app.use('/api/v1/sessions', async (c, next) => {
    await next();
    if (c.req.method === 'POST' && c.res.status === 200) portal.release(clientAddress(c));
  });

  registerHealth(app, deps);
  registerSessions(app, deps);
  registerMembers(app, deps);
  registerAccounts(app, deps);
  registerTransfers(app, deps);
  registerAdmin(app, deps);
  registerFlow(app, deps);
  registerLibrary(app, deps);
  registerSkills(app, deps);
  registerNotifications(app, deps);
  registerSensing(app, deps);
  registerGovernance(app, deps);
  registerEcology(app, deps);
  registerFederation(app, deps);
  registerAudit(app, deps);
  registerUpdates(app, deps);
  registerBackups(app, deps);
  registerPeerBackups(app, deps);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'Token from `hyphae token create` or POST /api/v1/tokens',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'hyphae_session',
    description: 'Console session; writes also need the X-CSRF-Token header',
  });
  registerCaptivePortal(app, deps, portal);
  if (deps.serveConsole !== false) registerConsole(app, undefined, ownHosts(deps.config));

  app.doc31('/api/v1/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Hyphae hub API', version: deps.version, description: 'Amounts are integers in minor units. Errors are application/problem+json.' },
    security: [{ bearer: [] }, { session: [] }],
  });

  return app;
}
