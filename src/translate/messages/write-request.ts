/**
 * @module The internal request written as a native Anthropic Messages body, for OpenAI chat, Gemini and
 * Responses clients calling an Anthropic-owned model (docs/translation.md, "Writing a Messages request"):
 * prompt-cache hints, thinking, documents and mid-conversation system turns keep working.
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { OwnerContext, OwnerRequest } from '../codec.ts';
import type { CacheHint, Message, Part, Request, Source } from '../ir.ts';
import type { Refusal } from '../refuse.ts';

/**
 * `max_tokens` when the client gave none (Anthropic requires it; OpenAI's default is "up to the model's
 * limit"): 32000, the smallest output limit among current Claude models (Opus 4.1), so no model refuses it.
 */
export const DEFAULT_MAX_TOKENS = 32000;
/** Anthropic's smallest thinking budget. */
export const MIN_THINKING_BUDGET = 1024;

type Block = Json;

function cached(block: Block, cache: CacheHint | undefined): Block {
  if (cache !== undefined) block.cache_control = cache;
  return block;
}

/** A `data:` URL's media type and base64 data (some clients send images so under an URL). */
const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function source(src: Source): Json {
  switch (src.kind) {
    case 'base64': return { type: 'base64', media_type: src.mediaType, data: src.data };
    case 'url': {
      const data = DATA_URL.exec(src.url);
      return data === null ? { type: 'url', url: src.url } : { type: 'base64', media_type: data[1], data: data[2] };
    }
    case 'text': return { type: 'text', media_type: 'text/plain', data: src.text };
  }
}

/**
 * A call's id as Anthropic takes it (`^[a-zA-Z0-9_-]+$`; it refuses any other): other owners' ids such as
 * Kimi's `functions.get_weather:0` with each other character as `_`. The same id always gives the same
 * result, so a call and its result stay paired; ids Anthropic made pass unchanged.
 */
export function toolUseId(id: string): string {
  return /^[A-Za-z0-9_-]+$/.test(id) ? id : id.replace(/[^A-Za-z0-9_-]/g, '_') || '_';
}

/** The tool_use `input` object from a call's arguments text; `{}` when it is not a JSON object. */
export function toolInput(args: string): Json {
  if (args.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(args);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Json) : {};
  } catch {
    return {};
  }
}

/**
 * One part as a block, or undefined when dropped: empty text (Anthropic refuses it) and reasoning that
 * carries neither a signature nor redacted data (Anthropic refuses unsigned thinking: it came from
 * another model, or from a translated answer that could not sign it).
 */
function block(part: Part): Block | undefined {
  switch (part.type) {
    case 'text': return part.text === '' ? undefined : cached({ type: 'text', text: part.text }, part.cache);
    case 'image': return cached({ type: 'image', source: source(part.source) }, part.cache);
    case 'document': {
      const doc = cached({ type: 'document', source: source(part.source) }, part.cache);
      if (part.title !== undefined) doc.title = part.title;
      return doc;
    }
    case 'tool_call': return { type: 'tool_use', id: toolUseId(part.id), name: part.name, input: toolInput(part.arguments) };
    case 'tool_result': {
      const result: Block = { type: 'tool_result', tool_use_id: toolUseId(part.id) };
      const content = part.content.map(block).filter((item) => item !== undefined);
      if (content.length > 0) result.content = content;
      if (part.isError === true) result.is_error = true;
      return cached(result, part.cache);
    }
    case 'reasoning':
      if (part.redacted !== undefined && part.redacted !== '') return { type: 'redacted_thinking', data: part.redacted };
      if (part.signature !== undefined && part.signature !== '') return { type: 'thinking', thinking: part.text, signature: part.signature };
      return undefined;
  }
}

function leadingResults(blocks: Block[]): number {
  let at = 0;
  while (at < blocks.length && blocks[at]?.type === 'tool_result') at++;
  return at;
}

/**
 * The turns as Messages turns: `tool` turns are user turns (tool results first), `developer` is `system`,
 * system turns before the first user/assistant turn join the top-level `system`, consecutive user (or
 * assistant) turns merge, and turns left empty are skipped.
 */
function turns(messages: Message[], system: Block[]): Json[] {
  const out: Array<{ role: string; content: Block[] }> = [];
  for (const message of messages) {
    const role = message.role === 'tool' ? 'user' : message.role === 'developer' ? 'system' : message.role;
    const blocks = message.parts.map(block).filter((item) => item !== undefined);
    if (blocks.length === 0) continue;
    if (role === 'system' && out.length === 0) {
      system.push(...blocks.filter((item) => item.type === 'text'));
      continue;
    }
    const last = out[out.length - 1];
    if (last !== undefined && last.role === role && role !== 'system') {
      // Tool results must lead a user turn: after the results already there, before anything else.
      const at = message.role === 'tool' ? leadingResults(last.content) : last.content.length;
      last.content.splice(at, 0, ...blocks);
    } else {
      out.push({ role, content: blocks });
    }
  }
  // A prefill may not end with whitespace (Anthropic refuses it).
  const final = out[out.length - 1];
  const tail = final?.role === 'assistant' ? final.content[final.content.length - 1] : undefined;
  if (tail !== undefined && tail.type === 'text' && typeof tail.text === 'string') tail.text = tail.text.trimEnd();
  return out;
}

const EFFORT: Record<string, string> = { minimal: 'low', low: 'low', medium: 'medium', high: 'high', xhigh: 'xhigh', max: 'max' };

/** A budget for an effort, for models that take only budgets (capped below max_tokens). */
const BUDGET: Record<string, number> = { minimal: 1024, low: 2048, medium: 8192, high: 16384, xhigh: 24576, max: 32768 };

/**
 * Claude 3.x and 4.0–4.5 ids (`claude-3-5-sonnet…`, `claude-sonnet-4-20250514`, `claude-opus-4-1`,
 * `claude-sonnet-4-5-20250929`, Bedrock's `anthropic.claude-…`): they take only `enabled` thinking with a
 * budget. Every later Claude takes adaptive thinking with an effort (Opus 4.7 and later take nothing else).
 */
const BUDGET_ONLY = /claude-(?:3|(?:opus|sonnet|haiku)-4(?:-[0-5](?![0-9])|-\d{8}|(?![-0-9])))/;

/** An effort for a budget, for models that take only efforts. */
function effortOf(budget: number): string {
  return budget <= 2048 ? 'low' : budget <= 8192 ? 'medium' : 'high';
}

/**
 * `thinking` (+ `output_config.effort`) for the reasoning asked for, in the form the model takes: a budget
 * for Claude up to 4.5, adaptive thinking with an effort after. None when tool use is forced (Anthropic
 * refuses thinking with it) or the effort is `none` (Anthropic does not think unless asked).
 */
function thinking(request: Request, body: Json, maxTokens: number, model: string): void {
  const reasoning = request.reasoning;
  if (reasoning === undefined || reasoning.effort === 'none') return;
  if (request.toolChoice?.type === 'required' || request.toolChoice?.type === 'tool') return;
  const asked = reasoning.budgetTokens ?? (reasoning.effort === undefined ? undefined : BUDGET[reasoning.effort]);
  if (asked === undefined) return;
  if (BUDGET_ONLY.test(model)) {
    const budget = Math.min(Math.max(asked, MIN_THINKING_BUDGET), maxTokens - 1);
    if (budget < MIN_THINKING_BUDGET) return;
    body.thinking = { type: 'enabled', budget_tokens: budget };
  } else {
    const effort = reasoning.effort === undefined ? effortOf(asked) : EFFORT[reasoning.effort] ?? 'high';
    body.thinking = reasoning.includeText === false ? { type: 'adaptive', display: 'omitted' } : { type: 'adaptive' };
    body.output_config = { effort };
  }
  // Thinking takes no temperature or top_k, and top_p only from 0.95 (Anthropic refuses the rest).
  delete body.temperature;
  delete body.top_k;
  if (typeof body.top_p === 'number' && body.top_p < 0.95) delete body.top_p;
}

function tools(request: Request, body: Json): void {
  if (request.tools === undefined || request.tools.length === 0) return;
  body.tools = request.tools.map((tool) => {
    const out: Json = { name: tool.name, input_schema: tool.parameters };
    if (tool.description !== undefined) out.description = tool.description;
    if (tool.strict === true) out.strict = true;
    return cached(out, tool.cache);
  });
  const choice = request.toolChoice;
  let written: Json | undefined;
  if (choice?.type === 'required') written = { type: 'any' };
  else if (choice?.type === 'tool') written = { type: 'tool', name: choice.name };
  else if (choice?.type === 'none') written = { type: 'none' };
  else if (choice?.type === 'auto' || request.parallelToolCalls === false) written = { type: 'auto' };
  if (written !== undefined && request.parallelToolCalls === false && choice?.type !== 'none') written.disable_parallel_tool_use = true;
  if (written !== undefined) body.tool_choice = written;
}

/** The body without the sampling and output fields: what `count_tokens` takes too. */
function prompt(request: Request, context: OwnerContext): Json {
  const system: Block[] = request.system.map(block).filter((item) => item !== undefined);
  const body: Json = { model: context.upstreamModel, messages: turns(request.messages, system) };
  if (system.length > 0) body.system = system;
  tools(request, body);
  return body;
}

export function writeRequest(request: Request, context: OwnerContext): OwnerRequest | Refusal {
  const body = prompt(request, context);
  // Without the client's cap: the default, or less where the model's own limit is lower (Claude 3.x
  // Haiku's is 4096 or 8192; Anthropic refuses a max_tokens above it).
  const maxTokens = request.maxTokens ?? Math.min(DEFAULT_MAX_TOKENS, context.maxOutputTokens ?? DEFAULT_MAX_TOKENS);
  body.max_tokens = maxTokens;
  // Anthropic takes 0–1; OpenAI's range goes to 2, and its top is Anthropic's top.
  if (request.temperature !== undefined) body.temperature = Math.min(Math.max(request.temperature, 0), 1);
  // Current Claude models refuse temperature and top_p together: temperature wins.
  if (request.topP !== undefined && request.temperature === undefined) body.top_p = request.topP;
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.stop !== undefined && request.stop.length > 0) body.stop_sequences = request.stop;
  thinking(request, body, maxTokens, context.upstreamModel);
  if (request.responseFormat?.type === 'json_schema') {
    // output_config may already hold the effort.
    const config = isObject(body.output_config) ? body.output_config : {};
    config.format = { type: 'json_schema', schema: request.responseFormat.schema };
    body.output_config = config;
  }
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (request.stream) body.stream = true;
  return { path: '/messages', body };
}

/** `count_tokens`: the same prompt, tools and thinking, without max_tokens, sampling or stream. */
export function countRequest(request: Request, context: OwnerContext): OwnerRequest {
  const body = prompt(request, context);
  const probe: Json = {};
  // count_tokens takes no max_tokens: the budget has nothing to stay under.
  thinking(request, probe, Number.MAX_SAFE_INTEGER, context.upstreamModel);
  if (probe.thinking !== undefined) body.thinking = probe.thinking;
  return { path: '/messages/count_tokens', body };
}
