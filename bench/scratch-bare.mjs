import 'node:repl';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
const app = new Hono();
app.get('/json', (c) => c.json({ id: 'm_reference', balance: 1234, floor: -10000, ceiling: null }));
serve({ fetch: app.fetch, port: 8098, hostname: '127.0.0.1' });
