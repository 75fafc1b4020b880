/**
 * @module A Responses request (`POST /v1/responses`) read into the internal request
 * (docs/translation.md, "Reading a Responses request"): `instructions` and leading system / developer
 * items as the system prompt, `input` as messages (input.ts), function tools, tool choice, sampling,
 * reasoning and the output format. Server-side state (`previous_response_id`, `conversation`, stored
 * prompts, background runs) and OpenAI's built-in tools are refused by name; what has no counterpart and
 * changes nothing the caller would miss is dropped.
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { Reasoning, Request, ResponseFormat, TextPart, Tool, ToolChoice } from '../ir.ts';
import { invalid, Refusal } from '../refuse.ts';
import { openaiOnly, readInput } from './input.ts';

/** Built-in tools OpenAI runs in its own service. */
const HOSTED_TOOLS = new Set([
  'web_search', 'web_search_preview', 'web_search_2025_08_26', 'web_search_preview_2025_03_11', 'file_search', 'code_interpreter',
  'image_generation', 'mcp', 'tool_search',
]);
/** Built-in tools the client runs, called through OpenAI-only item types (or, for `custom`, a grammar) only OpenAI's models produce. */
const CLIENT_BUILT_INS = new Set(['computer_use_preview', 'computer', 'computer_use', 'local_shell', 'shell', 'apply_patch', 'custom']);

const EFFORTS = new Set(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']);

function isBuiltIn(type: unknown): type is string {
  return typeof type === 'string' && (HOSTED_TOOLS.has(type) || CLIENT_BUILT_INS.has(type));
}

function builtIn(field: string, type: string): Refusal {
  const why = HOSTED_TOOLS.has(type) ? "runs in OpenAI's own service" : "is called through item types only OpenAI's models produce";
  return new Refusal(`${field}: the built-in "${type}" tool ${why} and cannot be carried to this model's provider; remove it or describe it as a function tool`);
}

function readTool(raw: unknown, field: string): Tool | Refusal | null {
  if (!isObject(raw)) return invalid(field, 'a tool object');
  if (isBuiltIn(raw.type)) return builtIn(`${field}.type`, raw.type);
  if (raw.type !== 'function') return null; // an unknown tool type: dropped
  if (typeof raw.name !== 'string' || raw.name === '') return invalid(`${field}.name`, 'a string');
  if (raw.parameters !== undefined && raw.parameters !== null && !isObject(raw.parameters)) return invalid(`${field}.parameters`, 'a JSON Schema object');
  const tool: Tool = { name: raw.name, parameters: isObject(raw.parameters) ? raw.parameters : { type: 'object', properties: {} } };
  if (typeof raw.description === 'string') tool.description = raw.description;
  if (typeof raw.strict === 'boolean') tool.strict = raw.strict;
  return tool;
}

function readTools(raw: unknown): Tool[] | Refusal | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) return invalid('tools', 'an array of tools');
  const tools: Tool[] = [];
  for (const [index, entry] of raw.entries()) {
    const tool = readTool(entry, `tools[${index}]`);
    if (tool instanceof Refusal) return tool;
    if (tool) tools.push(tool);
  }
  return tools;
}

/** `tool_choice`; `allowed_tools` narrows `tools` to the listed functions (the model may call no other). */
function readToolChoice(raw: unknown, request: Request): ToolChoice | Refusal | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (raw === 'auto' || raw === 'none' || raw === 'required') return { type: raw };
  if (!isObject(raw)) return invalid('tool_choice', '"auto", "none", "required" or a tool choice object');
  if (raw.type === 'function') {
    return typeof raw.name === 'string' && raw.name !== '' ? { type: 'tool', name: raw.name } : invalid('tool_choice.name', 'a string');
  }
  if (raw.type === 'allowed_tools') {
    if (!Array.isArray(raw.tools)) return invalid('tool_choice.tools', 'an array of tools');
    const names = new Set<string>();
    for (const [index, entry] of raw.tools.entries()) {
      if (!isObject(entry)) return invalid(`tool_choice.tools[${index}]`, 'a tool object');
      if (typeof entry.type === 'string' && entry.type !== 'function') return builtIn(`tool_choice.tools[${index}].type`, entry.type);
      if (typeof entry.name === 'string') names.add(entry.name);
    }
    request.tools = (request.tools ?? []).filter((tool) => names.has(tool.name));
    return { type: raw.mode === 'required' ? 'required' : 'auto' };
  }
  if (isBuiltIn(raw.type)) return builtIn('tool_choice.type', raw.type);
  // Forcing a tool of a type not known here (and so not carried) would go unnoticed if dropped.
  if (typeof raw.type === 'string') return new Refusal(`tool_choice.type: a "${raw.type}" tool choice cannot be carried to this model's provider; choose a function tool`);
  return invalid('tool_choice.type', 'a string');
}

function readReasoning(raw: unknown): Reasoning | Refusal | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) return invalid('reasoning', 'an object');
  const reasoning: Reasoning = {};
  if (raw.effort !== undefined && raw.effort !== null) {
    if (typeof raw.effort !== 'string' || !EFFORTS.has(raw.effort)) return invalid('reasoning.effort', 'none, minimal, low, medium, high or xhigh');
    reasoning.effort = raw.effort as Reasoning['effort'];
  }
  // `summary` (or the older `generate_summary`): auto, concise or detailed all ask for the reasoning text.
  const summary = raw.summary ?? raw.generate_summary;
  if (typeof summary === 'string') reasoning.includeText = true;
  return reasoning;
}

function readFormat(text: unknown): ResponseFormat | Refusal | undefined {
  if (text === undefined || text === null) return undefined;
  if (!isObject(text)) return invalid('text', 'an object');
  const format = text.format;
  if (format === undefined || format === null) return undefined;
  if (!isObject(format)) return invalid('text.format', 'an object');
  if (format.type === 'json_object') return { type: 'json_object' };
  if (format.type !== 'json_schema') return undefined; // `text` (the default) and unknown formats
  if (!isObject(format.schema)) return invalid('text.format.schema', 'a JSON Schema object');
  const result: ResponseFormat = { type: 'json_schema', schema: format.schema };
  if (typeof format.name === 'string') result.name = format.name;
  if (typeof format.strict === 'boolean') result.strict = format.strict;
  return result;
}

function optionalNumber(body: Json, field: string): number | Refusal | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : invalid(field, 'a number');
}

/** Fields that name state kept in OpenAI's account: dropping them would lose what they stand for unnoticed. */
function serverState(body: Json): Refusal | undefined {
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
    return openaiOnly('previous_response_id', 'a stored earlier response (previous_response_id)');
  }
  if (body.conversation !== undefined && body.conversation !== null) return openaiOnly('conversation', 'a stored conversation');
  if (body.prompt !== undefined && body.prompt !== null) return openaiOnly('prompt', 'a stored prompt template');
  if (body.background === true) return new Refusal('background: background responses are kept and polled in OpenAI\'s own service; send the request without "background"');
  return undefined;
}

/** Leading system and developer turns join `instructions` as the system prompt; later ones stay where they are. */
function leadingSystem(request: Request): void {
  while (request.messages[0] && (request.messages[0].role === 'system' || request.messages[0].role === 'developer')) {
    const message = request.messages.shift();
    for (const part of message?.parts ?? []) if (part.type === 'text') request.system.push(part);
  }
}

export function readRequest(body: unknown): Request | Refusal {
  if (!isObject(body)) return invalid('body', 'a JSON object');
  const state = serverState(body);
  if (state) return state;
  if (body.instructions !== undefined && body.instructions !== null && typeof body.instructions !== 'string') return invalid('instructions', 'a string');
  const messages = readInput(body.input);
  if (messages instanceof Refusal) return messages;
  const system: TextPart[] = typeof body.instructions === 'string' && body.instructions !== '' ? [{ type: 'text', text: body.instructions }] : [];
  const request: Request = { system, messages, stream: body.stream === true };
  leadingSystem(request);

  const maxTokens = optionalNumber(body, 'max_output_tokens');
  const temperature = optionalNumber(body, 'temperature');
  const topP = optionalNumber(body, 'top_p');
  for (const value of [maxTokens, temperature, topP]) if (value instanceof Refusal) return value;
  if (typeof maxTokens === 'number') request.maxTokens = maxTokens;
  if (typeof temperature === 'number') request.temperature = temperature;
  if (typeof topP === 'number') request.topP = topP;

  const tools = readTools(body.tools);
  if (tools instanceof Refusal) return tools;
  if (tools) request.tools = tools;
  const toolChoice = readToolChoice(body.tool_choice, request);
  if (toolChoice instanceof Refusal) return toolChoice;
  if (toolChoice) request.toolChoice = toolChoice;
  if (typeof body.parallel_tool_calls === 'boolean') request.parallelToolCalls = body.parallel_tool_calls;

  const reasoning = readReasoning(body.reasoning);
  if (reasoning instanceof Refusal) return reasoning;
  if (reasoning) request.reasoning = reasoning;
  const format = readFormat(body.text);
  if (format instanceof Refusal) return format;
  if (format) request.responseFormat = format;

  // `safety_identifier` replaces the older `user`; both are an opaque end-user id.
  const user = [body.safety_identifier, body.user].find((value): value is string => typeof value === 'string' && value !== '');
  if (user) request.user = user;
  return request;
}
