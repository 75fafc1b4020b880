/**
 * @module The fake providers' native inference endpoints, on each API's real path: Anthropic
 * `/v1/messages` and `/v1/messages/count_tokens`, Gemini `/v1beta/models/{model}:{method}`, OpenAI
 * `/v1/responses`. Each checks its key the provider's way and answers that provider's own error shape;
 * the answers themselves are built in upstream-native-{anthropic,gemini,responses}.ts. Every call is
 * recorded like the OpenAI-compatible ones (upstream-inference.ts).
 */
import type { Kind } from './demo-data.ts';
import { json, parseObject, recordCall, type ReportedUsage } from './upstream-common.ts';
import { CONTEXT_LENGTH_TRIGGER, type InferenceState } from './upstream-inference.ts';
import { anthropicCountTokens, anthropicMessage, anthropicOverloaded } from './upstream-native-anthropic.ts';
import { GEMINI_METHODS, geminiAnswer, type GeminiMethod } from './upstream-native-gemini.ts';
import { responsesAnswer, responsesFailed } from './upstream-native-responses.ts';

/**
 * A prompt that makes a native fake fail on its own side: Anthropic `529 overloaded_error` (an `error`
 * event when streamed), Gemini `503 UNAVAILABLE`, Responses `500 server_error` (`response.failed`
 * when streamed).
 */
export const OVERLOADED_TRIGGER = 'please be overloaded';

type NativeRoute = { kind: 'anthropic'; op: 'messages' | 'count_tokens' } | { kind: 'gemini'; model: string; method: GeminiMethod } | { kind: 'openai'; op: 'responses' };

/**
 * `/gemini/v1beta/models/{model}:{method}`, and `/v1/…` as Gemini serves it too (@google/genai 3
 * calls `v1` unless told `apiVersion: 'v1beta'`); the model may hold slashes, plain or URL-encoded.
 */
const GEMINI_PATH = /^\/gemini\/v1(?:beta)?\/models\/(.+):([A-Za-z]+)$/;

function routeOf(pathname: string): NativeRoute | undefined {
  if (pathname === '/anthropic/v1/messages') return { kind: 'anthropic', op: 'messages' };
  if (pathname === '/anthropic/v1/messages/count_tokens') return { kind: 'anthropic', op: 'count_tokens' };
  if (pathname === '/openai/v1/responses') return { kind: 'openai', op: 'responses' };
  const gemini = GEMINI_PATH.exec(pathname);
  const method = GEMINI_METHODS.find((m) => m === gemini?.[2]);
  if (gemini?.[1] !== undefined && method !== undefined) return { kind: 'gemini', model: decoded(gemini[1]), method };
  return undefined;
}

/** A path segment URL-decoded, or as it came when it is not valid percent-encoding. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function isNativePath(pathname: string): boolean {
  return routeOf(pathname) !== undefined;
}

export async function handleNative(request: Request, state: InferenceState): Promise<Response> {
  const url = new URL(request.url);
  const route = routeOf(url.pathname);
  if (route === undefined) return json({ error: { message: `no route ${url.pathname}` } }, 404);
  const { body, call } = await recordCall(request, state.received);
  const report = (usage: ReportedUsage) => void (call.usage = usage);
  if (request.method !== 'POST') return nativeError(route.kind, 404, 'not_found', `${request.method} ${url.pathname} not found`);
  const refused = keyRefusal(route.kind, request, url, state.keys[route.kind]);
  if (refused !== undefined) return refused;
  const parsed = parseObject(body);
  if (parsed === undefined) return nativeError(route.kind, 400, 'invalid_request', 'Invalid JSON payload received.');
  if (body.includes(CONTEXT_LENGTH_TRIGGER)) return contextLengthError(route.kind);
  const stream = { dripMs: state.dripMs, chunks: state.chunks };
  if (body.includes(OVERLOADED_TRIGGER)) {
    if (route.kind === 'anthropic') return anthropicOverloaded(parsed, stream);
    if (route.kind === 'openai') return responsesFailed(parsed, stream);
    return json({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } }, 503);
  }
  switch (route.kind) {
    case 'anthropic':
      if (typeof parsed.model !== 'string') return nativeError(route.kind, 400, 'invalid_request', 'model: Field required');
      return route.op === 'messages' ? anthropicMessage(parsed.model, parsed, stream, report, state.toolPicks) : anthropicCountTokens(parsed);
    case 'gemini':
      return geminiAnswer(route.model, route.method, parsed, url.searchParams.get('alt') === 'sse', stream, report, state.toolPicks);
    case 'openai':
      return responsesAnswer(parsed, stream, report, state.toolPicks);
  }
}

/**
 * The provider's own refusal when `key` is set and not presented its way: Anthropic `x-api-key` (or a
 * Bearer token, as its SDK sends `apiKey` since API version 2026-10-21) and always `anthropic-version`;
 * Gemini `x-goog-api-key` or `?key=`; OpenAI `Authorization: Bearer`.
 */
function keyRefusal(kind: Kind, request: Request, url: URL, key: string | undefined): Response | undefined {
  const bearer = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? null;
  if (kind === 'anthropic') {
    const presented = request.headers.get('x-api-key') ?? bearer;
    if (key !== undefined && presented === null) return nativeError(kind, 401, 'unauthenticated', 'x-api-key header is required');
    if (key !== undefined && presented !== key) return nativeError(kind, 401, 'unauthenticated', 'invalid x-api-key');
    if (request.headers.get('anthropic-version') === null) return nativeError(kind, 400, 'invalid_request', 'anthropic-version: header is required');
    return undefined;
  }
  if (key === undefined) return undefined;
  if (kind === 'gemini') {
    const presented = request.headers.get('x-goog-api-key') ?? url.searchParams.get('key');
    if (presented === null) return nativeError(kind, 403, 'permission', "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
    return presented === key ? undefined : geminiKeyInvalid();
  }
  return bearer === key ? undefined : nativeError(kind, 401, 'unauthenticated', 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.');
}

type Problem = 'unauthenticated' | 'permission' | 'invalid_request' | 'not_found';

const ANTHROPIC_TYPES: Record<Problem, string> = { unauthenticated: 'authentication_error', permission: 'permission_error', invalid_request: 'invalid_request_error', not_found: 'not_found_error' };
const GEMINI_STATUSES: Record<Problem, string> = { unauthenticated: 'UNAUTHENTICATED', permission: 'PERMISSION_DENIED', invalid_request: 'INVALID_ARGUMENT', not_found: 'NOT_FOUND' };
const OPENAI_CODES: Record<Problem, string | null> = { unauthenticated: 'invalid_api_key', permission: null, invalid_request: null, not_found: 'unknown_url' };

/** Anthropic's request ids: `req_` and 24 characters. */
const REQUEST_ID = 'req_011CSHoEeqs5C35K2UUqR7Fy';

/**
 * Each provider's own error body: Anthropic `{type:"error",error:{type,message},request_id}`, Gemini
 * `{error:{code,message,status}}`, OpenAI `{error:{message,type,param,code}}`.
 */
function nativeError(kind: Kind, status: number, problem: Problem, message: string): Response {
  if (kind === 'anthropic') return json({ type: 'error', error: { type: ANTHROPIC_TYPES[problem], message }, request_id: REQUEST_ID }, status);
  if (kind === 'gemini') return json({ error: { code: status, message, status: GEMINI_STATUSES[problem] } }, status);
  return json({ error: { message, type: 'invalid_request_error', param: null, code: OPENAI_CODES[problem] } }, status);
}

/** What Gemini answers a key it does not know: 400, not 401, with the reason in `details`. */
function geminiKeyInvalid(): Response {
  const message = 'API key not valid. Please pass a valid API key.';
  return json(
    {
      error: {
        code: 400,
        message,
        status: 'INVALID_ARGUMENT',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
          { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message },
        ],
      },
    },
    400,
  );
}

/** Each provider's answer to a prompt over its context window, as its native API words it. */
function contextLengthError(kind: Kind): Response {
  if (kind === 'anthropic') return nativeError(kind, 400, 'invalid_request', 'prompt is too long: 208310 tokens > 200000 maximum');
  if (kind === 'gemini') return nativeError(kind, 400, 'invalid_request', 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).');
  return json({ error: { message: 'Your input exceeds the context window of this model. Please adjust your input and try again.', type: 'invalid_request_error', param: 'input', code: 'context_length_exceeded' } }, 400);
}
