/**
 * @module An Anthropic Messages request body (the Anthropic SDK, Claude Code) read into the internal request
 * (docs/translation.md, "Reading a Messages request"). Used only when the model's owner does not speak
 * Messages: an Anthropic owner gets the body natively. Unknown fields, roles and blocks are dropped.
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { Message, Reasoning, Request, ResponseFormat, TextPart, Tool, ToolChoice } from '../ir.ts';
import { invalid, Refusal } from '../refuse.ts';
import { anthropicOnly, cacheOf, readContent } from './read-content.ts';

/**
 * Fields with a feature behind them that runs on Anthropic's servers and whose absence would change the
 * answer unnoticed: refused, named. `safeguards` (Claude Code's auto mode) must be refused naming it: the
 * client then retries without it and runs the check itself.
 */
const REFUSED: Record<string, string> = {
  container: 'a code-execution container',
  mcp_servers: 'MCP servers called by Anthropic',
  compaction: 'server-side compaction',
  thread: 'a server-side thread',
  fallbacks: 'server-side model fallbacks',
  fallback_credit_token: 'server-side model fallbacks',
  safeguards: "auto mode's server-side safety check (safeguards)",
};

const EFFORTS = new Set(['low', 'medium', 'high', 'xhigh', 'max']);

function system(value: unknown): TextPart[] | Refusal {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value === '' ? [] : [{ type: 'text', text: value }];
  if (!Array.isArray(value)) return invalid('system', 'a string or an array of text blocks');
  const parts: TextPart[] = [];
  for (let i = 0; i < value.length; i++) {
    const block: unknown = value[i];
    if (!isObject(block)) return invalid(`system[${i}]`, 'a text block');
    if (block.type !== 'text') continue; // a block type system does not take today: dropped, never an error
    if (typeof block.text !== 'string') return invalid(`system[${i}].text`, 'a string');
    const cache = cacheOf(block);
    parts.push(cache === undefined ? { type: 'text', text: block.text } : { type: 'text', text: block.text, cache });
  }
  return parts;
}

/**
 * `messages`: user / assistant turns, and `system` / `developer` turns anywhere (kept in place, as current
 * Claude Code sends one after the first user turn). A user turn's tool_result blocks become a `tool` turn
 * right before the rest of it. Any other role is dropped: what it means is unknown.
 */
function messages(list: unknown): Message[] | Refusal {
  if (!Array.isArray(list) || list.length === 0) return invalid('messages', 'a non-empty array');
  const names = new Map<string, string>();
  const out: Message[] = [];
  for (let i = 0; i < list.length; i++) {
    const message: unknown = list[i];
    const field = `messages[${i}]`;
    if (!isObject(message)) return invalid(field, 'a message object');
    const role = message.role;
    if (role !== 'user' && role !== 'assistant' && role !== 'system' && role !== 'developer') continue;
    const parts = readContent(message.content, `${field}.content`, role === 'developer' ? 'system' : role, names);
    if (parts instanceof Refusal) return parts;
    if (role !== 'user') {
      out.push({ role, parts });
      continue;
    }
    const results = parts.filter((part) => part.type === 'tool_result');
    if (results.length > 0) out.push({ role: 'tool', parts: results });
    const rest = results.length > 0 ? parts.filter((part) => part.type !== 'tool_result') : parts;
    if (rest.length > 0 || results.length === 0) out.push({ role: 'user', parts: rest });
  }
  return out;
}

/** A custom tool; any other `type` (web_search_*, bash_*, text_editor_*, computer_*, code_execution_*, mcp_toolset, …) runs on Anthropic's side. */
function tools(value: unknown): Tool[] | Refusal {
  if (!Array.isArray(value)) return invalid('tools', 'an array');
  const out: Tool[] = [];
  for (let i = 0; i < value.length; i++) {
    const tool: unknown = value[i];
    const field = `tools[${i}]`;
    if (!isObject(tool)) return invalid(field, 'a tool object');
    if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') return anthropicOnly(`${field}.type`, `the server or Anthropic-defined tool ${JSON.stringify(tool.type)}`);
    if (typeof tool.name !== 'string') return invalid(`${field}.name`, 'a string');
    if (!isObject(tool.input_schema)) return invalid(`${field}.input_schema`, 'a JSON Schema object');
    // defer_loading, input_examples, eager_input_streaming, allowed_callers: hints for Anthropic's servers, dropped.
    const read: Tool = { name: tool.name, parameters: tool.input_schema };
    if (typeof tool.description === 'string') read.description = tool.description;
    if (typeof tool.strict === 'boolean') read.strict = tool.strict;
    const cache = cacheOf(tool);
    if (cache !== undefined) read.cache = cache;
    out.push(read);
  }
  return out;
}

function toolChoice(value: unknown, request: Request): Refusal | undefined {
  if (!isObject(value)) return invalid('tool_choice', 'an object');
  let choice: ToolChoice;
  switch (value.type) {
    case 'auto': choice = { type: 'auto' }; break;
    case 'any': choice = { type: 'required' }; break;
    case 'none': choice = { type: 'none' }; break;
    case 'tool':
      if (typeof value.name !== 'string') return invalid('tool_choice.name', 'a string');
      choice = { type: 'tool', name: value.name };
      break;
    default: return undefined; // a choice type this reader does not know: dropped, the owner's default (auto) applies
  }
  request.toolChoice = choice;
  if (value.disable_parallel_tool_use === true) request.parallelToolCalls = false;
  return undefined;
}

/**
 * `thinking` and `output_config.effort` as the reasoning asked for: a budget (`enabled`), an effort
 * (`adaptive`, or effort alone), or `none` (`disabled`). `display: "omitted"` asks for no thinking text.
 */
function reasoning(thinking: unknown, config: Json): Reasoning | Refusal | undefined {
  const effort = config.effort;
  if (effort !== undefined && effort !== null && typeof effort !== 'string') return invalid('output_config.effort', 'a string');
  const read: Reasoning = {};
  // A level this reader does not know (a newer one) is dropped: the owner's default effort applies.
  if (typeof effort === 'string' && EFFORTS.has(effort)) read.effort = effort as Reasoning['effort'];
  if (thinking === undefined || thinking === null) return read.effort === undefined ? undefined : read;
  if (!isObject(thinking)) return invalid('thinking', 'an object');
  if (thinking.type === 'disabled') return { effort: 'none' };
  if (thinking.type === 'enabled') {
    if (typeof thinking.budget_tokens !== 'number' || !Number.isInteger(thinking.budget_tokens)) return invalid('thinking.budget_tokens', 'an integer');
    read.budgetTokens = thinking.budget_tokens;
  } else if (thinking.type === 'adaptive') {
    read.effort ??= 'high'; // Anthropic's default effort
  } else {
    // A thinking type this reader does not know: dropped, the effort (if any) still carried.
    return read.effort === undefined ? undefined : read;
  }
  read.includeText = thinking.display !== 'omitted';
  return read;
}

/** `output_config.format` / `output_format`: a JSON schema the answer must follow. */
function responseFormat(format: unknown, field: string): ResponseFormat | Refusal {
  if (!isObject(format) || format.type !== 'json_schema' || !isObject(format.schema)) return invalid(field, 'a json_schema format with a schema object');
  return { type: 'json_schema', schema: format.schema, strict: true };
}

function number(body: Json, field: string): number | Refusal | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : invalid(field, 'a number');
}

export function readRequest(body: unknown): Request | Refusal {
  if (!isObject(body)) return invalid('body', 'a JSON object');
  for (const field of Object.keys(body)) {
    const refused = REFUSED[field];
    if (refused !== undefined && body[field] !== null && body[field] !== undefined) return anthropicOnly(field, refused);
  }
  const top = system(body.system);
  if (top instanceof Refusal) return top;
  const turns = messages(body.messages);
  if (turns instanceof Refusal) return turns;
  const request: Request = { system: top, messages: turns, stream: body.stream === true };

  if (body.max_tokens !== undefined) {
    if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) return invalid('max_tokens', 'a positive integer');
    request.maxTokens = body.max_tokens;
  }
  for (const [field, key] of [['temperature', 'temperature'], ['top_p', 'topP'], ['top_k', 'topK']] as const) {
    const value = number(body, field);
    if (value instanceof Refusal) return value;
    if (value !== undefined) request[key] = value;
  }
  if (body.stop_sequences !== undefined && body.stop_sequences !== null) {
    const stops = body.stop_sequences;
    if (!Array.isArray(stops) || !stops.every((stop) => typeof stop === 'string')) return invalid('stop_sequences', 'an array of strings');
    if (stops.length > 0) request.stop = stops;
  }
  if (body.tools !== undefined && body.tools !== null) {
    const read = tools(body.tools);
    if (read instanceof Refusal) return read;
    if (read.length > 0) request.tools = read;
  }
  if (body.tool_choice !== undefined && body.tool_choice !== null) {
    const refused = toolChoice(body.tool_choice, request);
    if (refused !== undefined) return refused;
  }
  const config = body.output_config ?? {};
  if (!isObject(config)) return invalid('output_config', 'an object');
  const thinking = reasoning(body.thinking, config);
  if (thinking instanceof Refusal) return thinking;
  if (thinking !== undefined) request.reasoning = thinking;
  for (const [format, field] of [[body.output_format, 'output_format'], [config.format, 'output_config.format']] as const) {
    if (format === undefined || format === null) continue;
    const read = responseFormat(format, field);
    if (read instanceof Refusal) return read;
    request.responseFormat = read;
  }
  if (body.metadata !== undefined && body.metadata !== null) {
    if (!isObject(body.metadata)) return invalid('metadata', 'an object');
    const user = body.metadata.user_id;
    if (typeof user === 'string') request.user = user;
    else if (user !== undefined && user !== null) return invalid('metadata.user_id', 'a string');
  }
  return request;
}
