import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/**
 * The HTTP bench's reference, in its own process: a bare Hono JSON route on
 * @hono/node-server, as the hub serves its API, with nothing else. The hub's
 * routes are measured as a share of this.
 */
const app = new Hono();
app.get('/json', (c) => c.json({ id: 'm_reference', balance: 1234, floor: -10000, ceiling: null }));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.send!({ port: info.port }));
process.on('message', () => server.close(() => process.exit(0)));
