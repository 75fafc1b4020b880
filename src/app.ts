/** @module The HTTP surface: routes, and OpenAI-shaped answers for every error. */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './app-env.ts';
import { ConfigError } from './config.ts';
import { errorBody } from './errors.ts';
import { logEvent } from './log.ts';
import { admin } from './routes/admin.ts';
import { adminPage } from './routes/admin-page.ts';
import { inference } from './routes/inference.ts';
import { models } from './routes/models.ts';

export const app = new Hono<AppEnv>();

app.get('/healthz', (c) => c.json({ ok: true }));
app.route('/v1/models', models);
app.route('/models', models);
app.route('/v1', inference);
app.route('/', inference);
app.route('/admin', adminPage);
app.route('/admin', admin);

app.notFound((c) => c.body(errorBody(404, 'not_found', `No route for ${c.req.method} ${c.req.path}.`), 404, json));

app.onError(function answerError(error, c) {
  if (error instanceof HTTPException) return error.getResponse();
  if (error instanceof ConfigError) {
    return c.body(errorBody(500, error.code, `Configuration error: ${error.message}`), 500, json);
  }
  // A bug: log it whole, answer without a stack trace.
  logEvent('unhandled_error', { path: c.req.path, message: String(error), stack: error instanceof Error ? error.stack : undefined });
  return c.body(errorBody(500, 'internal_error', 'Internal error.'), 500, json);
});

const json = { 'Content-Type': 'application/json' };
