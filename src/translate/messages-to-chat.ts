/**
 * @module An Anthropic Messages request body as an OpenAI chat completions body, field by field
 * (README, "Translation", has the table). Pure: no I/O, nothing kept between calls.
 */
import { isObject, type Json } from '../providers/narrow.ts';
import { assistantMessage, TEXT_JOIN, userMessages } from './content.ts';
import { invalid, notTranslated, Refusal } from './refuse.ts';
import { chatToolChoice, chatTools } from './tools.ts';

export type ChatRequestResult = { ok: true; body: Record<string, unknown> } | { ok: false; message: string };

/**
 * Fields dropped because the answer stays a valid, equivalent answer without them: each is a hint to
 * Anthropic's servers (caching, routing, speed, budgets) or a sampling knob OpenAI does not have.
 */
const DROPPED = new Set([
  'model', // replaced by the owner's upstream id
  'cache_control', // prompt caching is the upstream's own business
  'thinking', // a reasoning budget; the answer is complete without thinking blocks (README)
  'top_k', // no OpenAI equivalent; only the randomness of sampling differs
  'service_tier', 'speed', 'inference_geo', 'diagnostics', 'workspace_id', 'user_profile_id', 'billing_policy',
  'context_management', // server-side clearing of old context; without it the whole history is sent
  'betas',
]);

/** Fields with a server-side feature behind them, whose absence would change the answer: refused, named. */
const REFUSED: Record<string, string> = {
  container: 'a code-execution container',
  mcp_servers: 'MCP servers called by Anthropic',
  compaction: 'server-side compaction',
  thread: 'a server-side thread',
  fallbacks: 'server-side model fallbacks',
  fallback_credit_token: 'server-side model fallbacks',
};

/** Fields read below; anything not here, in DROPPED or in REFUSED is refused as unknown. */
const MAPPED = new Set(['messages', 'system', 'max_tokens', 'temperature', 'top_p', 'stop_sequences', 'metadata', 'stream', 'tools', 'tool_choice', 'output_config', 'output_format']);

export type ChatRequestOptions = {
  /**
   * Where `max_tokens` goes. `max_tokens` (the default) is the field every OpenAI-compatible server reads
   * (Ollama reads no other); OpenAI's reasoning models want `max_completion_tokens` instead.
   */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
};

/** `system` as the text of one leading `system` message. */
function systemText(system: unknown): string | Refusal {
  if (typeof system === 'string') return system;
  if (!Array.isArray(system)) return invalid('system', 'a string or an array of text blocks');
  const texts: string[] = [];
  for (let i = 0; i < system.length; i++) {
    const block: unknown = system[i];
    if (!isObject(block) || block.type !== 'text' || typeof block.text !== 'string') return invalid(`system[${i}]`, 'a text block');
    texts.push(block.text);
  }
  return texts.join(TEXT_JOIN);
}

/** `output_config.format` / `output_format` (a JSON schema the answer must follow) as `response_format`. */
function responseFormat(format: unknown, field: string): Json | Refusal {
  if (!isObject(format) || format.type !== 'json_schema' || !isObject(format.schema)) return invalid(field, 'a json_schema format with a schema object');
  return { type: 'json_schema', json_schema: { name: 'output', schema: format.schema, strict: true } };
}

function messages(list: unknown): Json[] | Refusal {
  if (!Array.isArray(list) || list.length === 0) return invalid('messages', 'a non-empty array');
  const out: Json[] = [];
  for (let i = 0; i < list.length; i++) {
    const message: unknown = list[i];
    const field = `messages[${i}]`;
    if (!isObject(message)) return invalid(field, 'a message object');
    // Anthropic continues a last assistant turn (prefill); OpenAI chat answers it with a new turn instead.
    if (message.role === 'assistant' && i === list.length - 1) return notTranslated(field, 'a last assistant message (prefill, which the answer would continue)');
    const translated = message.role === 'user' ? userMessages(message.content, `${field}.content`)
      : message.role === 'assistant' ? assistantMessage(message.content, `${field}.content`)
      : invalid(`${field}.role`, '"user" or "assistant"');
    if (translated instanceof Refusal) return translated;
    if (Array.isArray(translated)) out.push(...translated);
    else out.push(translated);
  }
  return out;
}

function translate(request: unknown, upstreamModel: string, options: ChatRequestOptions): Json | Refusal {
  if (!isObject(request)) return invalid('body', 'a JSON object');
  for (const field of Object.keys(request)) {
    const refused = REFUSED[field];
    if (refused !== undefined) return notTranslated(field, refused);
    if (!MAPPED.has(field) && !DROPPED.has(field)) return notTranslated(field, 'this field');
  }
  const body: Json = { model: upstreamModel };
  const chat: Json[] = [];
  if (request.system !== undefined) {
    const system = systemText(request.system);
    if (system instanceof Refusal) return system;
    chat.push({ role: 'system', content: system });
  }
  const turns = messages(request.messages);
  if (turns instanceof Refusal) return turns;
  body.messages = chat.concat(turns);

  if (typeof request.max_tokens !== 'number' || !Number.isInteger(request.max_tokens) || request.max_tokens < 1) return invalid('max_tokens', 'a positive integer');
  body[options.maxTokensField ?? 'max_tokens'] = request.max_tokens;
  for (const field of ['temperature', 'top_p'] as const) {
    const value = request[field];
    if (value === undefined) continue;
    if (typeof value !== 'number') return invalid(field, 'a number');
    body[field] = value;
  }
  if (request.stop_sequences !== undefined) {
    const stops = request.stop_sequences;
    if (!Array.isArray(stops) || !stops.every((stop) => typeof stop === 'string')) return invalid('stop_sequences', 'an array of strings');
    if (stops.length > 0) body.stop = stops;
  }
  if (request.metadata !== undefined) {
    if (!isObject(request.metadata)) return invalid('metadata', 'an object');
    const userId = request.metadata.user_id;
    if (typeof userId === 'string') body.user = userId;
    else if (userId !== undefined && userId !== null) return invalid('metadata.user_id', 'a string');
  }
  if (request.stream === true) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  const tools = request.tools === undefined ? [] : chatTools(request.tools);
  if (tools instanceof Refusal) return tools;
  if (tools.length > 0) body.tools = tools;
  if (request.tool_choice !== undefined) {
    const choice = chatToolChoice(request.tool_choice);
    if (choice instanceof Refusal) return choice;
    // OpenAI refuses tool_choice and parallel_tool_calls without tools; with none, "none" is what happens anyway.
    if (tools.length > 0) Object.assign(body, choice);
  }
  if (request.output_format !== undefined) {
    const format = responseFormat(request.output_format, 'output_format');
    if (format instanceof Refusal) return format;
    body.response_format = format;
  }
  if (request.output_config !== undefined) {
    // `effort` is a reasoning budget, dropped like `thinking`; `format` must hold.
    if (!isObject(request.output_config)) return invalid('output_config', 'an object');
    const format = request.output_config.format;
    if (format !== undefined && format !== null) {
      const translated = responseFormat(format, 'output_config.format');
      if (translated instanceof Refusal) return translated;
      body.response_format = translated;
    }
  }
  return body;
}

/**
 * A parsed Anthropic Messages body as an OpenAI chat body for `upstreamModel`, or why not (a message
 * naming the field, for a `400 invalid_request_error`).
 */
export function messagesToChat(request: unknown, upstreamModel: string, options: ChatRequestOptions = {}): ChatRequestResult {
  const body = translate(request, upstreamModel, options);
  return body instanceof Refusal ? { ok: false, message: body.message } : { ok: true, body };
}
