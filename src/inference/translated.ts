/**
 * @module A call whose client and owner speak different dialects (contract §15): the client's body read
 * into the internal form by its dialect's reader, written for the owner's API by the owner's writer, sent
 * through the one forward as every call, and the answer brought back — a stream event by event
 * (src/translate/pipe.ts), a whole answer at once, an error in the client's shape with the owner's message
 * kept. Which API of the owner a call goes to is decided here, in one table (`ownerApiFor`).
 */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import type { ProviderEntry } from '../config.ts';
import { apiError } from '../errors.ts';
import { logEvent } from '../log.ts';
import { readBodyText } from '../refresh/body-reader.ts';
import { sha256Hex } from '../sha256.ts';
import { chatClient, chatOwner } from '../translate/chat/index.ts';
import { countedTokens, type ClientDialect, type OwnerContext, type OwnerDialect, type OwnerRequest } from '../translate/codec.ts';
import { estimateInputTokens } from '../translate/estimate.ts';
import { failure } from '../translate/failure.ts';
import { geminiClient, geminiOwner } from '../translate/gemini/index.ts';
import type { Usage } from '../translate/ir.ts';
import { messagesClient, messagesOwner } from '../translate/messages/index.ts';
import { translateStream, type StreamFailure } from '../translate/pipe.ts';
import { Refusal } from '../translate/refuse.ts';
import { responsesClient } from '../translate/responses/index.ts';
import { sanitise } from '../upstream/sanitise.ts';
import { joinUrl } from '../upstream/url.ts';
import type { Tokens, UsageFormat } from '../usage/extract.ts';
import { forward, type Call } from './forward.ts';
import { callOf, type Target } from './resolve.ts';

/** The dialects a client may speak. */
export type ClientApi = 'chat' | 'messages' | 'gemini' | 'responses';
/** The APIs of an owner a translated call can go to. */
export type OwnerApi = 'chat' | 'messages' | 'gemini';

const CLIENTS: Record<ClientApi, ClientDialect> = { chat: chatClient, messages: messagesClient, gemini: geminiClient, responses: responsesClient };
const OWNERS: Record<OwnerApi, OwnerDialect> = { chat: chatOwner, messages: messagesOwner, gemini: geminiOwner };
/** The shape of a client's answer, for its log line and usage count. */
const FORMATS: Record<ClientApi, UsageFormat> = { chat: 'openai', messages: 'anthropic', gemini: 'gemini', responses: 'openai' };

/** The version Anthropic's own SDKs pin; sent to an Anthropic owner for a translated call. */
const ANTHROPIC_VERSION = '2023-06-01';
/** An upstream error body is read this far for its message: enough for any real one, bounded against a hostile one. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** A whole answer is read this far: far beyond any model's longest answer, bounded against a hostile upstream. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;
/** Upstream headers a translated error keeps: when to retry, and the id its owner knows the call by. */
const KEPT_ERROR_HEADERS = ['retry-after', 'x-request-id', 'request-id'];
const JSON_HEADERS = { 'Content-Type': 'application/json' };
const encoder = new TextEncoder();

/**
 * Where a client's call for this owner goes: `native` (the owner speaks the client's dialect, or an OpenAI
 * chat client reaches the owner's own OpenAI-compatible layer), or the owner API it is translated to
 * (docs/translation.md, "The matrix").
 */
export function ownerApiFor(entry: ProviderEntry, client: ClientApi): OwnerApi | 'native' {
  const owner: OwnerApi = entry.type === 'anthropic' ? 'messages' : entry.type === 'gemini' ? 'gemini' : 'chat';
  switch (client) {
    case 'chat':
      // Gemini's OpenAI layer is Google's own, complete for chat; Anthropic's loses caching, thinking and PDFs.
      return owner === 'messages' && entry.chat !== 'compat' ? 'messages' : 'native';
    case 'responses':
      return entry.responses ? 'native' : owner;
    default:
      return owner === client ? 'native' : owner;
  }
}

/** The owner's URL, how its key is placed and which of our headers it gets, per owner API. */
function ownerCall(api: OwnerApi, target: Target, written: OwnerRequest): Pick<Call, 'url' | 'purpose' | 'headers' | 'forwardHeaders'> {
  const [path = '', query = ''] = written.path.split('?', 2);
  const params = Object.fromEntries(new URLSearchParams(query));
  if (api === 'chat') return { url: joinUrl(target.base, path, params), purpose: 'inference', forwardHeaders: ['user-agent'] };
  const headers: Record<string, string> = api === 'messages' ? { 'anthropic-version': ANTHROPIC_VERSION } : {};
  return { url: joinUrl(target.entry.baseUrl, path, params), purpose: 'native', headers, forwardHeaders: ['user-agent'] };
}

/**
 * OpenAI's own API refuses `max_tokens` for its reasoning models and takes `max_completion_tokens` for
 * every model; other OpenAI-compatible servers (Ollama above all) read only `max_tokens`. OpenAI is
 * reached directly, on Azure, or through Cloudflare AI Gateway's `/openai` route.
 */
function wantsMaxCompletionTokens(base: string): boolean {
  const { hostname, pathname } = new URL(base);
  return hostname === 'api.openai.com' || hostname.endsWith('.openai.azure.com') || (hostname === 'gateway.ai.cloudflare.com' && /\/openai(\/|$)/.test(pathname));
}

/**
 * OpenAI's own models that do not reason, which refuse `reasoning_effort` (`400 Unsupported parameter:
 * 'reasoning_effort' is not supported with this model.`): GPT-4 (4o, 4.1, turbo), GPT-3.5, ChatGPT-4o.
 * Its other models reason and refuse `top_p` and a `temperature` other than 1 instead.
 */
const OPENAI_NON_REASONING = /^(gpt-4|gpt-3\.5|chatgpt-4o)/;

/**
 * What an OpenAI chat owner takes besides the messages. Agents send effort and sampling on every call
 * (Claude Code's adaptive thinking is an effort; Gemini CLI sends `topP: 0.95`), so what the owner would
 * refuse is left out. Ollama turns `reasoning_effort` into `think`, which every model without the thinking
 * capability refuses (`400 "<model>" does not support thinking`); its thinking models think unasked.
 */
export function chatOwnerSettings(type: ProviderEntry['type'], base: string, upstreamModel: string): Pick<OwnerContext, 'maxTokensField' | 'reasoningEffort' | 'sampling'> {
  const ownOpenAi = wantsMaxCompletionTokens(base);
  const reasons = ownOpenAi && !OPENAI_NON_REASONING.test(upstreamModel);
  return {
    maxTokensField: ownOpenAi ? 'max_completion_tokens' : 'max_tokens',
    reasoningEffort: type !== 'ollama' && (!ownOpenAi || reasons),
    sampling: !reasons,
  };
}

/** The client's body read and written for the owner, or a 400 naming what cannot be carried. */
async function translateRequest(client: ClientApi, api: OwnerApi, target: Target, body: unknown, stream: boolean | undefined) {
  const request = CLIENTS[client].readRequest(body, { stream });
  if (request instanceof Refusal) throw apiError(400, 'invalid_request', request.message);
  // An opaque end-user id (Claude Code's is ~150 characters of account and session ids); OpenAI caps
  // `user` at 64 characters and asks for a hash: the same user, the same 64 hex digits, for every owner.
  if (request.user !== undefined) request.user = await sha256Hex(request.user);
  // Agents ask for their own models' output cap (Claude Code: 128,000), which other models refuse; the
  // owner's own limit from the list, where it gave one, is the most it can give anyway.
  const limit = target.model.max_output_tokens;
  if (request.maxTokens !== undefined && limit !== undefined && request.maxTokens > limit) request.maxTokens = limit;
  const context: OwnerContext = { upstreamModel: target.model.upstream_id, ...chatOwnerSettings(target.entry.type, target.base, target.model.upstream_id) };
  if (limit !== undefined) context.maxOutputTokens = limit;
  return { request, context };
}

/** A generation call (`stream` given where the client's dialect says it outside the body: Gemini's method). */
export async function translatedCall(c: Context<AppEnv>, target: Target, client: ClientApi, route: string, body: unknown, stream?: boolean): Promise<Response> {
  const api = ownerApiFor(target.entry, client);
  if (api === 'native') throw new Error(`translatedCall for a native pair (${client} → ${target.entry.type})`);
  const { request, context } = await translateRequest(client, api, target, body, stream);
  const owner = OWNERS[api];
  const written = owner.writeRequest(request, context);
  if (written instanceof Refusal) throw apiError(400, 'invalid_request', written.message);
  const writer = CLIENTS[client];
  const secrets = target.config.secretValues;
  const answerContext = {
    model: target.asked,
    request,
    estimatedInputTokens: estimateInputTokens(request),
    now: Math.floor(Date.now() / 1000),
    randomId: crypto.randomUUID().replaceAll('-', ''),
  };
  let usage: Usage | undefined;
  let failed: StreamFailure | 'upstream_error_answer' | undefined;
  const base = callOf(c, target, FORMATS[client], route);
  const counting = base.usage === undefined ? undefined : { ...base.usage, tokens: (): Tokens | null => (usage === undefined ? null : countedTokens(usage)) };
  return forward(
    { ...base, ...ownerCall(api, target, written), usage: counting, body: JSON.stringify(written.body), failedInAnswer: () => failed },
    async (upstream) => {
      if (!upstream.ok || upstream.body === null) {
        const text = upstream.body === null ? '' : ((await readBodyText(upstream.body, MAX_ERROR_BODY_BYTES))?.text ?? '');
        const status = upstream.ok ? 502 : upstream.status;
        const read = owner.readError(status, text);
        const answer = writer.writeError({ ...read, message: sanitise(read.message, secrets) || `the upstream answered ${upstream.status}` });
        const headers = new Headers(JSON_HEADERS);
        for (const name of KEPT_ERROR_HEADERS) {
          const value = upstream.headers.get(name);
          if (value !== null) headers.set(name, value);
        }
        return new Response(answer.body, { status: answer.status, headers });
      }
      const eventStream = (upstream.headers.get('content-type') ?? '').includes('text/event-stream');
      if (request.stream !== eventStream) {
        await upstream.body.cancel();
        const what = request.stream ? 'a whole answer to a streamed call' : 'a stream to a call for a whole answer';
        return errorAnswer(writer, 502, `[${target.entry.id}] answered ${what}`);
      }
      if (request.stream) {
        const hooks = { secrets, onUsage: (latest: Usage) => (usage = latest), onFailure: (kind: StreamFailure) => (failed ??= kind) };
        const translated = translateStream(upstream.body, owner.streamReader(request), writer.streamWriter(answerContext), hooks);
        return new Response(translated, { status: 200, headers: { 'Content-Type': writer.streamContentType, 'Cache-Control': 'no-cache' } });
      }
      const read = await readBodyText(upstream.body, MAX_ANSWER_BYTES);
      let parsed: unknown;
      try {
        if (read === undefined) throw new RangeError('over the answer cap');
        parsed = JSON.parse(read.text);
      } catch {
        return errorAnswer(writer, 502, `[${target.entry.id}] answered a body that is not JSON or is over ${MAX_ANSWER_BYTES} bytes`);
      }
      const answer = owner.readAnswer(parsed, request);
      if ('kind' in answer) {
        failed = 'upstream_error_answer';
        return errorAnswer(writer, answer.status, sanitise(answer.message, secrets) || 'the upstream reported an error');
      }
      usage = answer.usage;
      return jsonAnswer(200, JSON.stringify(writer.writeAnswer(answer, answerContext)));
    },
  );
}

function errorAnswer(writer: ClientDialect, status: number, message: string): Response {
  const answer = writer.writeError(failure(status, message));
  return jsonAnswer(answer.status, answer.body);
}

/** A whole answer made here, its length declared: forward() sends such bytes in one piece (answer-body.ts, readWhole). */
function jsonAnswer(status: number, text: string): Response {
  const bytes = encoder.encode(text);
  return new Response(bytes, { status, headers: { ...JSON_HEADERS, 'Content-Length': String(bytes.length) } });
}

/** A client's token count for this owner: the owner's own counter where it has one, else the estimate. */
export async function translatedCount(c: Context<AppEnv>, target: Target, client: 'messages' | 'gemini', route: string, body: unknown): Promise<Response> {
  const api = ownerApiFor(target.entry, client);
  if (api === 'native') throw new Error(`translatedCount for a native pair (${client} → ${target.entry.type})`);
  const { request, context } = await translateRequest(client, api, target, body, false);
  const owner = OWNERS[api];
  const answer = (tokens: number) => Response.json(client === 'messages' ? { input_tokens: tokens } : { totalTokens: tokens });
  if (owner.countRequest === undefined || owner.readCount === undefined) {
    logEvent('inference', { key: target.key.name, model: target.model.id, provider: target.entry.id, dialect: FORMATS[client], path: route, status: 200, estimated: true });
    return answer(estimateInputTokens(request));
  }
  const readCount = owner.readCount;
  const written = owner.countRequest(request, context);
  const writer = CLIENTS[client];
  const secrets = target.config.secretValues;
  const base = callOf(c, target, FORMATS[client], route);
  return forward({ ...base, ...ownerCall(api, target, written), usage: undefined, body: JSON.stringify(written.body) }, async (upstream) => {
    const text = upstream.body === null ? '' : ((await readBodyText(upstream.body, MAX_ERROR_BODY_BYTES))?.text ?? '');
    if (!upstream.ok) {
      const read = owner.readError(upstream.status, text);
      const failed = writer.writeError({ ...read, message: sanitise(read.message, secrets) || `the upstream answered ${upstream.status}` });
      return new Response(failed.body, { status: failed.status, headers: JSON_HEADERS });
    }
    let tokens: number | undefined;
    try {
      tokens = readCount(JSON.parse(text));
    } catch {
      tokens = undefined;
    }
    return tokens === undefined ? errorAnswer(writer, 502, `[${target.entry.id}] answered a count that could not be read`) : answer(tokens);
  });
}
