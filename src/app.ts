/** @module The HTTP surface: routes, browser access (CORS), and every error answered in the request's dialect. */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { methodNotAllowed } from 'hono/method-not-allowed';
import type { AppEnv } from './app-env.ts';
import { ConfigError, configOrError } from './config.ts';
import { messages, MESSAGES_PATHS } from './dialects/anthropic/routes.ts';
import { geminiCalls, geminiV1Calls } from './dialects/gemini/routes.ts';
import { dialectOf } from './dialects/select.ts';
import { ApiError, apiError } from './errors.ts';
import { logEvent } from './log.ts';
import { admin } from './routes/admin.ts';
import { adminPage } from './routes/admin-page.ts';
import { inference, INFERENCE_PATHS } from './routes/inference.ts';
import { models } from './routes/models.ts';

/**
 * Request headers a browser client may send (docs/behaviour.md, "Browser clients and HTTP hygiene"):
 * the key and the body's type, the conditional request, what the official OpenAI and Anthropic SDKs
 * add in a browser (`OpenAI-Beta`, their `X-Stainless-*` telemetry, Anthropic's version, beta and
 * browser opt-in headers), and the Gemini SDK's key and client headers, so their preflights pass.
 */
const CORS_ALLOW_HEADERS = [
  'Authorization', 'Content-Type', 'If-None-Match', 'OpenAI-Beta', 'X-Stainless-Arch', 'X-Stainless-Lang', 'X-Stainless-OS',
  'X-Stainless-Package-Version', 'X-Stainless-Retry-Count', 'X-Stainless-Runtime', 'X-Stainless-Runtime-Version', 'X-Stainless-Timeout',
  'x-api-key', 'anthropic-version', 'anthropic-beta', 'anthropic-dangerous-direct-browser-access', 'x-goog-api-key', 'x-goog-api-client',
];
/** Response headers a browser script may read: revalidation, cache state, store health and the rate limit's wait. */
const CORS_EXPOSE_HEADERS = ['ETag', 'X-Cache', 'X-Store', 'Retry-After'];
/** Browsers may keep a preflight's answer this long (Chromium caps it at 2 h). */
const CORS_MAX_AGE_SECONDS = 7200;

// strict: false — `/v1/models/` is the list, as clients that join paths with a slash expect.
export const app = new Hono<AppEnv>({ strict: false });

// Every answer: no MIME sniffing of our JSON (or of an upstream's body we pass on).
app.use(async function noSniff(c, next) {
  await next();
  c.res.headers.set('X-Content-Type-Options', 'nosniff');
});

const browserAccess = cors({
  origin: (origin, c) => {
    const config = configOrError(c.env);
    const allowed = config instanceof ConfigError ? '*' : config.corsOrigins;
    return allowed === '*' ? '*' : allowed.includes(origin) ? origin : null;
  },
  allowMethods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
  allowHeaders: CORS_ALLOW_HEADERS,
  exposeHeaders: CORS_EXPOSE_HEADERS,
  maxAge: CORS_MAX_AGE_SECONDS,
});
for (const path of ['/v1/*', '/v1beta/*', '/models', '/models/*', ...INFERENCE_PATHS, ...MESSAGES_PATHS]) app.use(path, browserAccess);

// Admin answers are per token and per moment: no cache may keep one, refusals included.
app.use('/admin/*', async function noStore(c, next) {
  await next();
  c.res.headers.set('Cache-Control', 'no-store');
});

app.use(
  methodNotAllowed({
    app,
    onMethodNotAllowed: (c, methods) => {
      throw apiError(405, 'method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${methods.join(', ')}.`, { headers: { Allow: methods.join(', ') } });
    },
  }),
);

app.get('/healthz', (c) => c.json({ ok: true }));
app.route('/v1/models', models);
app.route('/models', models);
app.route('/v1beta/models', models);
app.route('/v1', inference);
app.route('/', inference);
app.route('/v1', messages);
app.route('/', messages);
app.route('/v1beta', geminiCalls);
app.route('/v1', geminiV1Calls);
app.route('/admin', adminPage);
app.route('/admin', admin);

app.notFound((c) => answer(c.req.raw, c.req.path, apiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}.`)));

app.onError(function answerError(error, c) {
  if (error instanceof ApiError) return answer(c.req.raw, c.req.path, error);
  if (error instanceof HTTPException) return error.getResponse();
  if (error instanceof ConfigError) {
    // Admins get the field to fix; anyone else only that there is something to fix, and where.
    const message = c.req.path.startsWith('/admin')
      ? `Configuration error: ${error.message}`
      : 'The worker’s configuration is broken; its admins see why in GET /admin/cache/status and in the logs.';
    return answer(c.req.raw, c.req.path, apiError(500, error.code, message));
  }
  // A bug: log it whole, answer without a stack trace.
  logEvent('unhandled_error', { path: c.req.path, message: String(error), stack: error instanceof Error ? error.stack : undefined });
  return answer(c.req.raw, c.req.path, apiError(500, 'internal_error', 'Internal error.'));
});

/** One of our own failures in the shape of the dialect the request speaks (admin routes: OpenAI's). */
function answer(request: Request, path: string, error: ApiError): Response {
  return dialectOf(request, path).errorResponse(error);
}
