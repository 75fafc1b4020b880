/**
 * @module The fake providers' OpenAI-compatible inference endpoints, on each type's real path:
 * OpenAI `/v1/…`, Anthropic `/v1/chat/completions` (its OpenAI SDK compatibility layer), Gemini
 * `/v1beta/openai/…`, Ollama `/v1/…`. Answers follow the documented shapes — `chat.completion`,
 * `chat.completion.chunk` server-sent events ending in `data: [DONE]`, `text_completion`, embedding
 * lists — and each provider's own error body. The reply names the model the provider received, so a
 * test sees the id rewrite; the prompt is never echoed. Streams can be drip-fed (`dripMs`).
 */
import type { Kind } from './demo-data.ts';

type Operation = 'chat' | 'completions' | 'embeddings';

/** Path → provider and operation; Anthropic's compatibility layer has chat only. */
const INFERENCE_ROUTES: Record<string, { kind: Kind; op: Operation }> = {
  '/openai/v1/chat/completions': { kind: 'openai', op: 'chat' },
  '/openai/v1/completions': { kind: 'openai', op: 'completions' },
  '/openai/v1/embeddings': { kind: 'openai', op: 'embeddings' },
  '/anthropic/v1/chat/completions': { kind: 'anthropic', op: 'chat' },
  '/gemini/v1beta/openai/chat/completions': { kind: 'gemini', op: 'chat' },
  '/gemini/v1beta/openai/embeddings': { kind: 'gemini', op: 'embeddings' },
  '/ollama/v1/chat/completions': { kind: 'ollama', op: 'chat' },
  '/ollama/v1/completions': { kind: 'ollama', op: 'completions' },
  '/ollama/v1/embeddings': { kind: 'ollama', op: 'embeddings' },
};

/** A prompt that makes the fake answer its provider's context-length error. */
export const CONTEXT_LENGTH_TRIGGER = 'please exceed the context length';

/** What an inference endpoint received, for assertions (headers lower-cased). */
export interface ReceivedCall {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface InferenceState {
  /** When set, calls without `Authorization: Bearer <key>` get the provider's 401. */
  keys: Partial<Record<Kind, string>>;
  /** Milliseconds between streamed chunks. */
  dripMs: number;
  /** How many content chunks a stream has. */
  chunks: number;
  /** The last calls received, newest last (at most 50). */
  received: ReceivedCall[];
}

export function isInferencePath(pathname: string): boolean {
  return Object.hasOwn(INFERENCE_ROUTES, pathname);
}

export async function handleInference(request: Request, state: InferenceState): Promise<Response> {
  const url = new URL(request.url);
  const route = INFERENCE_ROUTES[url.pathname];
  if (route === undefined || request.method !== 'POST') return json({ error: { message: `no route ${request.method} ${url.pathname}` } }, 404);
  const body = await request.text();
  state.received.push({ path: url.pathname, headers: Object.fromEntries([...request.headers].map(([k, v]) => [k.toLowerCase(), v])), body });
  if (state.received.length > 50) state.received.shift();

  const { kind, op } = route;
  const key = state.keys[kind];
  if (key !== undefined && request.headers.get('authorization') !== `Bearer ${key}`) return providerError(kind, 401, 'Incorrect API key provided.', 'invalid_api_key');
  let parsed: { model?: unknown; stream?: unknown; messages?: { content?: unknown }[]; prompt?: unknown; input?: unknown };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return providerError(kind, 400, 'We could not parse the JSON body of your request.', 'invalid_json');
  }
  const model = typeof parsed.model === 'string' ? parsed.model : '';
  if (JSON.stringify(parsed.messages ?? parsed.prompt ?? '').includes(CONTEXT_LENGTH_TRIGGER)) {
    return providerError(kind, 400, "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.", 'context_length_exceeded');
  }
  const reply = `Hello from the ${kind} demo, as ${model}.`;
  if (op === 'embeddings') return json(embeddings(model, parsed.input));
  if (parsed.stream === true) return sse(streamChunks(kind, op, model, reply, state.chunks), state.dripMs);
  return json(op === 'chat' ? chatCompletion(kind, model, reply) : textCompletion(model, reply));
}

const created = () => Math.floor(Date.now() / 1000);
const idFor = (kind: Kind, op: Operation) => (kind === 'anthropic' ? 'msg_01XFDUDYJgAACzvnptvVoYEL' : op === 'chat' ? 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT' : 'cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7');
const usage = { prompt_tokens: 19, completion_tokens: 10, total_tokens: 29 };

/** OpenAI's `chat.completion` (https://platform.openai.com/docs/api-reference/chat/object). */
function chatCompletion(kind: Kind, model: string, content: string) {
  return {
    id: idFor(kind, 'chat'),
    object: 'chat.completion',
    created: created(),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
    usage,
    ...(kind === 'openai' ? { service_tier: 'default', system_fingerprint: 'fp_fc9f1d7035' } : kind === 'ollama' ? { system_fingerprint: 'fp_ollama' } : {}),
  };
}

/** OpenAI's legacy `text_completion` (https://platform.openai.com/docs/api-reference/completions/object). */
function textCompletion(model: string, text: string) {
  return { id: idFor('openai', 'completions'), object: 'text_completion', created: created(), model, system_fingerprint: 'fp_44709d6fcb', choices: [{ text, index: 0, logprobs: null, finish_reason: 'stop' }], usage };
}

/** An embedding list: one 8-dimension vector per input (https://platform.openai.com/docs/api-reference/embeddings/object). */
function embeddings(model: string, input: unknown) {
  const inputs = Array.isArray(input) ? input : [input];
  return {
    object: 'list',
    data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: Array.from({ length: 8 }, (__, i) => Number(Math.sin(index + i).toFixed(7))) })),
    model,
    usage: { prompt_tokens: 8 * inputs.length, total_tokens: 8 * inputs.length },
  };
}

/** `chat.completion.chunk` events: role first, the content in `chunks` parts, then the finish reason. */
function streamChunks(kind: Kind, op: Operation, model: string, reply: string, chunks: number): unknown[] {
  const words = reply.split(/(?<= )/);
  const parts = Array.from({ length: chunks }, (_, i) => words.slice(Math.floor((i * words.length) / chunks), Math.floor(((i + 1) * words.length) / chunks)).join(''));
  const base = { id: idFor(kind, op), object: op === 'chat' ? 'chat.completion.chunk' : 'text_completion', created: created(), model, system_fingerprint: 'fp_44709d6fcb' };
  if (op === 'completions') {
    return [...parts.map((text) => ({ ...base, choices: [{ text, index: 0, logprobs: null, finish_reason: null }] })), { ...base, choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }] }];
  }
  return [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] },
    ...parts.map((content) => ({ ...base, choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }] })),
    { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] },
  ];
}

/** Server-sent events, one `data:` line per chunk, `dripMs` apart, ending in `data: [DONE]`. */
function sse(events: unknown[], dripMs: number): Response {
  const encoder = new TextEncoder();
  const lines = [...events.map((event) => `data: ${JSON.stringify(event)}\n\n`), 'data: [DONE]\n\n'];
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (next > 0 && dripMs > 0) await new Promise((resolve) => setTimeout(resolve, dripMs));
      const line = lines[next++];
      if (line === undefined) return controller.close();
      controller.enqueue(encoder.encode(line));
    },
  });
  return new Response(body, { headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'Set-Cookie': '__cf_bm=upstream-cookie; path=/; HttpOnly' } });
}

/**
 * Each provider's error body as its compatibility layer sends it: OpenAI's `{error:{message,type,param,code}}`
 * (Ollama and Anthropic's layer follow it), Gemini's a one-element array of `{error:{code,message,status}}`.
 */
function providerError(kind: Kind, status: number, message: string, code: string): Response {
  if (kind === 'gemini') return json([{ error: { code: status, message, status: status === 401 ? 'UNAUTHENTICATED' : 'INVALID_ARGUMENT' } }], status);
  const type = status === 401 ? (kind === 'anthropic' ? 'authentication_error' : 'invalid_request_error') : 'invalid_request_error';
  return json({ error: { message, type, param: null, code } }, status);
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', 'Set-Cookie': '__cf_bm=upstream-cookie; path=/; HttpOnly' } });
}
