/**
 * @module The fake providers' OpenAI-compatible inference endpoints, on each type's real path:
 * OpenAI `/v1/…`, Anthropic `/v1/chat/completions` (its OpenAI SDK compatibility layer), Gemini
 * `/v1beta/openai/…`, Ollama `/v1/…`. Answers follow the documented shapes — `chat.completion`,
 * `chat.completion.chunk` server-sent events ending in `data: [DONE]`, `text_completion`, embedding
 * lists — and each provider's own error body. Every chat endpoint calls tools as upstream-tools.ts
 * decides, in its own stream shape (OpenAI and Anthropic's layer the arguments in pieces, Ollama and
 * Gemini's layer a whole call in one chunk), and honours `stream_options.include_usage`. OpenAI's
 * usage holds the cached prompt tokens of a follow-up turn and a reasoning model's reasoning tokens,
 * as its details do. The reply names
 * the model the provider received, so a test sees the id rewrite; the prompt is never echoed. Streams
 * can be drip-fed (`dripMs`).
 */
import type { Kind } from './demo-data.ts';
import { cachedPrefix, drip, isReasoningModel, isRecord, json, parseObject, REASONING_TOKENS, recordCall, splitChars, splitWords, type ReceivedCall, type ReportedUsage } from './upstream-common.ts';
import { afterToolText, toolCallFor, toolsOf, type FakeToolCall, type ToolPick } from './upstream-tools.ts';

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

export type { ReceivedCall } from './upstream-common.ts';

export interface InferenceState {
  /** When set, calls without this key (sent the provider's way) get the provider's 401. */
  keys: Partial<Record<Kind, string>>;
  /** Milliseconds between streamed chunks. */
  dripMs: number;
  /** How many content chunks a stream has. */
  chunks: number;
  /** A stream breaks after its first chunk: an event that is not JSON, then the end. */
  streamBreak: boolean;
  /** The last calls received, newest last (at most 50). */
  received: ReceivedCall[];
  /** Tools every fake prefers to call when a request offers them (upstream-tools.ts); none by default. */
  toolPicks: ToolPick[];
}

export function isInferencePath(pathname: string): boolean {
  return Object.hasOwn(INFERENCE_ROUTES, pathname);
}

export async function handleInference(request: Request, state: InferenceState): Promise<Response> {
  const url = new URL(request.url);
  const route = INFERENCE_ROUTES[url.pathname];
  if (route === undefined || request.method !== 'POST') return json({ error: { message: `no route ${request.method} ${url.pathname}` } }, 404);
  const { body, call } = await recordCall(request, state.received);

  const { kind, op } = route;
  const key = state.keys[kind];
  if (key !== undefined && request.headers.get('authorization') !== `Bearer ${key}`) return providerError(kind, 401, 'Incorrect API key provided.', 'invalid_api_key');
  const parsed = parseObject(body);
  if (parsed === undefined) return providerError(kind, 400, 'We could not parse the JSON body of your request.', 'invalid_json');
  const model = typeof parsed.model === 'string' ? parsed.model : '';
  if (JSON.stringify(parsed.messages ?? parsed.prompt ?? '').includes(CONTEXT_LENGTH_TRIGGER)) {
    return providerError(kind, 400, "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.", 'context_length_exceeded');
  }
  if (op === 'embeddings') return json(embeddings(model, parsed.input));
  if (op === 'chat' && !Array.isArray(parsed.messages)) return providerError(kind, 400, "Missing required parameter: 'messages'.", 'missing_required_parameter');
  // Ollama turns `reasoning_effort` into `think`, which a model without the thinking capability (none
  // of the demo's) refuses; `none` turns thinking off and is accepted.
  if (kind === 'ollama' && op === 'chat' && parsed.reasoning_effort !== undefined && parsed.reasoning_effort !== 'none') {
    return json({ error: { message: `${JSON.stringify(model)} does not support thinking`, type: 'api_error', param: null, code: null } }, 400);
  }
  const answer = op === 'chat' ? chatAnswer(kind, model, parsed, state.toolPicks) : { text: `Hello from the ${kind} demo, as ${model}.` };
  const includeUsage = isRecord(parsed.stream_options) && parsed.stream_options.include_usage === true;
  const usage = usageFor(kind, model, op === 'chat' ? cachedPrefix(parsed.messages, (turn) => turn.role === 'assistant') : 0);
  if (parsed.stream !== true || includeUsage) call.usage = reported(usage);
  if (parsed.stream === true) return sse(streamChunks(kind, op, model, answer, state.chunks, includeUsage ? usage : undefined), state.dripMs, state.streamBreak);
  return json(op === 'chat' ? chatCompletion(kind, model, answer, usage) : textCompletion(model, answer.text, usage));
}

/** What a chat answer holds: text, or (when tools are given) a tool call. */
interface Answer {
  text: string;
  toolCall?: FakeToolCall;
}

/**
 * A tool call when the request has `tools`, the last message is not a `tool` result and `tool_choice`
 * allows one; text otherwise.
 */
function chatAnswer(kind: Kind, model: string, body: Record<string, unknown>, picks: ToolPick[]): Answer {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const last: unknown = messages.at(-1);
  const afterTool = isRecord(last) && last.role === 'tool';
  const text = afterTool ? afterToolText(kind, model) : `Hello from the ${kind} demo, as ${model}.`;
  const tools = toolsOf(body.tools, (tool) => (isRecord(tool.function) && typeof tool.function.name === 'string' ? { name: tool.function.name, schema: tool.function.parameters } : undefined));
  const choice = body.tool_choice;
  const forced = isRecord(choice) && isRecord(choice.function) && typeof choice.function.name === 'string' ? choice.function.name : undefined;
  const toolCall = toolCallFor(tools, afterTool, { none: choice === 'none', picks, ...(forced === undefined ? {} : { forced }) });
  return toolCall === undefined ? { text } : { text: '', toolCall };
}

const created = () => Math.floor(Date.now() / 1000);
const idFor = (kind: Kind, op: Operation) => (kind === 'anthropic' ? 'msg_01XFDUDYJgAACzvnptvVoYEL' : op === 'chat' ? 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT' : 'cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7');
/** Tool call ids as each issues them: OpenAI `call_` and 24 characters, Ollama `call_` and 8. */
const toolCallId = (kind: Kind) => (kind === 'ollama' ? 'call_k3x9vq2m' : 'call_DdmO9pD3xa9XTPNJ32zg2hcA');
/** The fakes' prompt and completion counts, whatever was asked. */
const PROMPT_TOKENS = 19;
const COMPLETION_TOKENS = 10;

/** A chat answer's usage object. */
interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number; audio_tokens: number; accepted_prediction_tokens: number; rejected_prediction_tokens: number };
}

/**
 * OpenAI's usage object in full: the prompt tokens a follow-up turn found cached (`cached`, at most the
 * prompt), a reasoning model's reasoning tokens inside the completion's. The others send the three counts.
 */
function usageFor(kind: Kind, model: string, cached: number): ChatUsage {
  if (kind !== 'openai') return { prompt_tokens: PROMPT_TOKENS, completion_tokens: COMPLETION_TOKENS, total_tokens: PROMPT_TOKENS + COMPLETION_TOKENS };
  const reasoning = isReasoningModel(model) ? REASONING_TOKENS : 0;
  const completion = COMPLETION_TOKENS + reasoning;
  return {
    prompt_tokens: PROMPT_TOKENS,
    completion_tokens: completion,
    total_tokens: PROMPT_TOKENS + completion,
    prompt_tokens_details: { cached_tokens: Math.min(cached, PROMPT_TOKENS), audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

const reported = (usage: ChatUsage): ReportedUsage => ({
  input: usage.prompt_tokens,
  cachedInput: usage.prompt_tokens_details?.cached_tokens ?? 0,
  output: usage.completion_tokens,
  reasoning: usage.completion_tokens_details?.reasoning_tokens ?? 0,
});

/** OpenAI's `chat.completion` (https://platform.openai.com/docs/api-reference/chat/object). */
function chatCompletion(kind: Kind, model: string, answer: Answer, usage: ChatUsage) {
  const { toolCall } = answer;
  const message =
    toolCall === undefined
      ? { role: 'assistant', content: answer.text, refusal: null, annotations: [] }
      : kind === 'ollama'
        ? { role: 'assistant', content: '', tool_calls: [{ id: toolCallId(kind), index: 0, type: 'function', function: toolCall }] }
        : { role: 'assistant', content: null, tool_calls: [{ id: toolCallId(kind), type: 'function', function: toolCall }], refusal: null, annotations: [] };
  return {
    id: idFor(kind, 'chat'),
    object: 'chat.completion',
    created: created(),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: toolCall === undefined ? 'stop' : 'tool_calls' }],
    usage,
    ...(kind === 'openai' ? { service_tier: 'default', system_fingerprint: 'fp_fc9f1d7035' } : kind === 'ollama' ? { system_fingerprint: 'fp_ollama' } : {}),
  };
}

/** OpenAI's legacy `text_completion` (https://platform.openai.com/docs/api-reference/completions/object). */
function textCompletion(model: string, text: string, usage: ChatUsage) {
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

/**
 * `chat.completion.chunk` events: role first, the content in `chunks` parts, then the finish reason.
 * With `stream_options.include_usage`, one more chunk with `choices: []` carries the usage.
 */
function streamChunks(kind: Kind, op: Operation, model: string, answer: Answer, chunks: number, usage: ChatUsage | undefined): unknown[] {
  // OpenAI marks every chunk `usage: null` until the last; Ollama leaves the field out (Go's omitempty).
  const base = { id: idFor(kind, op), object: op === 'chat' ? 'chat.completion.chunk' : 'text_completion', created: created(), model, system_fingerprint: 'fp_44709d6fcb', ...(usage !== undefined && kind !== 'ollama' ? { usage: null } : {}) };
  const usageChunk = usage !== undefined ? [{ ...base, choices: [], usage }] : [];
  const choice = (delta: unknown, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  if (op === 'completions') {
    const texts = splitWords(answer.text, chunks);
    return [...texts.map((text) => ({ ...base, choices: [{ text, index: 0, logprobs: null, finish_reason: null }] })), { ...base, choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }] }, ...usageChunk];
  }
  const { toolCall } = answer;
  if (toolCall !== undefined && (kind === 'ollama' || kind === 'gemini')) {
    // Ollama and Gemini's layer send a whole tool call in one chunk, then a chunk with the finish reason.
    const call = { id: toolCallId(kind), index: 0, type: 'function', function: toolCall };
    return [choice({ role: 'assistant', content: '', tool_calls: [call] }), choice({ role: 'assistant', content: '' }, 'tool_calls'), ...usageChunk];
  }
  if (toolCall !== undefined) {
    // OpenAI: index, id, type and name in the first chunk only; the arguments in pieces after it.
    const first = { index: 0, id: toolCallId(kind), type: 'function', function: { name: toolCall.name, arguments: '' } };
    const pieces = splitChars(toolCall.arguments, Math.max(chunks, 3)).map((piece) => choice({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
    return [choice({ role: 'assistant', content: null, tool_calls: [first], refusal: null }), ...pieces, choice({}, 'tool_calls'), ...usageChunk];
  }
  return [choice({ role: 'assistant', content: '' }), ...splitWords(answer.text, chunks).map((content) => choice({ content })), choice({}, 'stop'), ...usageChunk];
}

/** Server-sent events, one `data:` line per chunk, `dripMs` apart, ending in `data: [DONE]`; broken after the first with `broken`. */
function sse(events: unknown[], dripMs: number, broken = false): Response {
  const lines = events.map((event) => `data: ${JSON.stringify(event)}\n\n`);
  return drip(broken ? [...lines.slice(0, 1), 'data: {"choices":[{"delta":\n\n'] : [...lines, 'data: [DONE]\n\n'], dripMs);
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
