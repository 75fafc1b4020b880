/**
 * @module An OpenAI chat completions body in the internal form (docs/translation.md, "Reading a chat
 * request"): sampling, stop, tools (and the legacy `functions`), reasoning effort, response format, the
 * stream's usage flag. Unknown fields are dropped; malformed known ones and the few features whose loss the
 * caller could not notice (n > 1, audio out, web search, custom tools) are refused, named.
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { Reasoning, Request, ResponseFormat, Tool, ToolChoice } from '../ir.ts';
import { invalid, Refusal } from '../refuse.ts';
import { readMessages } from './read-messages.ts';

type Effort = NonNullable<Reasoning['effort']>;
const EFFORTS: ReadonlySet<string> = new Set<Effort>(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']);
const isEffort = (value: unknown): value is Effort => typeof value === 'string' && EFFORTS.has(value);

/** What the caller asked for that no owner reached by translation gives, and would be missing unnoticed. */
function refused(field: string, what: string): Refusal {
  return new Refusal(`${field}: ${what} cannot be carried to this model's provider; remove it or call a model whose provider speaks the OpenAI chat API`);
}

/** A number field (null is absent, as the openai SDK sends it). */
function numberField(body: Json, field: string): number | undefined | Refusal {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : invalid(field, 'a number');
}

function functionTool(fn: unknown, field: string): Tool | Refusal {
  if (!isObject(fn) || typeof fn.name !== 'string') return invalid(`${field}.name`, 'a string');
  if (fn.parameters !== undefined && !isObject(fn.parameters)) return invalid(`${field}.parameters`, 'a JSON Schema object');
  // OpenAI allows a function without parameters: it takes none.
  const tool: Tool = { name: fn.name, parameters: isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} } };
  if (typeof fn.description === 'string') tool.description = fn.description;
  if (typeof fn.strict === 'boolean') tool.strict = fn.strict;
  return tool;
}

/** `tools` (function tools; a custom grammar tool is refused, other types dropped), else the legacy `functions`. */
function tools(body: Json): Tool[] | undefined | Refusal {
  const list = body.tools ?? body.functions;
  const name = body.tools !== undefined ? 'tools' : 'functions';
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) return invalid(name, 'an array');
  const out: Tool[] = [];
  for (let i = 0; i < list.length; i++) {
    const entry: unknown = list[i];
    const field = `${name}[${i}]`;
    if (!isObject(entry)) return invalid(field, 'a tool object');
    if (name === 'functions') {
      const tool = functionTool(entry, field);
      if (tool instanceof Refusal) return tool;
      out.push(tool);
    } else if (entry.type === 'function') {
      const tool = functionTool(entry.function, `${field}.function`);
      if (tool instanceof Refusal) return tool;
      out.push(tool);
    } else if (entry.type === 'custom') {
      return refused(`${field}.type`, 'a custom (free-form grammar) tool');
    }
  }
  return out;
}

/** `tool_choice` (else the legacy `function_call`); `allowed_tools` narrows `tools` to the names it allows. */
function toolChoice(body: Json, request: Request): ToolChoice | undefined | Refusal {
  const name = body.tool_choice !== undefined ? 'tool_choice' : 'function_call';
  const choice = body.tool_choice ?? body.function_call;
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto' || choice === 'none' || choice === 'required') return { type: choice };
  if (!isObject(choice)) return invalid(name, '"auto", "none", "required" or an object');
  if (typeof choice.name === 'string' && name === 'function_call') return { type: 'tool', name: choice.name };
  if (choice.type === 'function' && isObject(choice.function) && typeof choice.function.name === 'string') return { type: 'tool', name: choice.function.name };
  if (choice.type === 'allowed_tools' && isObject(choice.allowed_tools) && Array.isArray(choice.allowed_tools.tools)) {
    const allowed = new Set(choice.allowed_tools.tools.map((tool: unknown) => (isObject(tool) && isObject(tool.function) ? tool.function.name : undefined)));
    if (request.tools !== undefined) request.tools = request.tools.filter((tool) => allowed.has(tool.name));
    return { type: choice.allowed_tools.mode === 'required' ? 'required' : 'auto' };
  }
  return invalid(name, 'a function tool choice with function.name');
}

function responseFormat(format: unknown): ResponseFormat | undefined | Refusal {
  if (format === undefined || format === null) return undefined;
  if (!isObject(format)) return invalid('response_format', 'an object');
  if (format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  const spec = format.json_schema;
  if (format.type !== 'json_schema' || !isObject(spec)) return invalid('response_format', 'a text, json_object or json_schema format');
  const out: ResponseFormat = { type: 'json_schema', schema: isObject(spec.schema) ? spec.schema : {} };
  if (typeof spec.name === 'string') out.name = spec.name;
  if (typeof spec.strict === 'boolean') out.strict = spec.strict;
  return out;
}

/** Sampling and limits: each a number when given, `max_completion_tokens` before the older `max_tokens`. */
function sampling(body: Json, request: Request): Refusal | undefined {
  const fields = [['temperature', 'temperature'], ['top_p', 'topP'], ['top_k', 'topK'], ['seed', 'seed'], ['presence_penalty', 'presencePenalty'], ['frequency_penalty', 'frequencyPenalty']] as const;
  for (const [field, key] of fields) {
    const value = numberField(body, field);
    if (value instanceof Refusal) return value;
    if (value !== undefined) request[key] = value;
  }
  const maxField = body.max_completion_tokens !== undefined && body.max_completion_tokens !== null ? 'max_completion_tokens' : 'max_tokens';
  const max = numberField(body, maxField);
  if (max instanceof Refusal) return max;
  if (max !== undefined) {
    if (!Number.isInteger(max) || max < 1) return invalid(maxField, 'a positive integer');
    request.maxTokens = max;
  }
  const stop = body.stop;
  if (typeof stop === 'string') request.stop = [stop];
  else if (Array.isArray(stop) && stop.every((entry) => typeof entry === 'string')) request.stop = stop;
  else if (stop !== undefined && stop !== null) return invalid('stop', 'a string or an array of strings');
  return undefined;
}

/** The features no translated owner gives, refused by name; everything else unknown is dropped. */
function refusedFeature(body: Json): Refusal | undefined {
  const n = body.n;
  if (n !== undefined && n !== null && n !== 1) return typeof n === 'number' ? refused('n', 'more than one choice') : invalid('n', 'a number');
  const audioOut = body.audio !== undefined && body.audio !== null || (Array.isArray(body.modalities) && body.modalities.includes('audio'));
  if (audioOut) return refused(body.audio !== undefined && body.audio !== null ? 'audio' : 'modalities', 'an audio answer');
  if (body.web_search_options !== undefined && body.web_search_options !== null) return refused('web_search_options', 'web search');
  return undefined;
}

export function readRequest(input: unknown): Request | Refusal {
  if (!isObject(input)) return invalid('body', 'a JSON object');
  const feature = refusedFeature(input);
  if (feature !== undefined) return feature;
  const conversation = readMessages(input.messages);
  if (conversation instanceof Refusal) return conversation;
  const request: Request = { system: conversation.system, messages: conversation.messages, stream: input.stream === true };
  if (input.stream === true && isObject(input.stream_options) && input.stream_options.include_usage === true) request.streamUsage = true;
  const fault = sampling(input, request);
  if (fault !== undefined) return fault;
  const toolList = tools(input);
  if (toolList instanceof Refusal) return toolList;
  if (toolList !== undefined) request.tools = toolList;
  const choice = toolChoice(input, request);
  if (choice instanceof Refusal) return choice;
  if (choice !== undefined) request.toolChoice = choice;
  if (typeof input.parallel_tool_calls === 'boolean') request.parallelToolCalls = input.parallel_tool_calls;
  const effort = input.reasoning_effort;
  if (effort !== undefined && effort !== null) {
    if (!isEffort(effort)) return invalid('reasoning_effort', '"none", "minimal", "low", "medium", "high" or "xhigh"');
    request.reasoning = { effort };
  }
  const format = responseFormat(input.response_format);
  if (format instanceof Refusal) return format;
  if (format !== undefined) request.responseFormat = format;
  const user = typeof input.safety_identifier === 'string' ? input.safety_identifier : input.user;
  if (typeof user === 'string' && user !== '') request.user = user;
  return request;
}
