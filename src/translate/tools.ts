/** @module Anthropic `tools` and `tool_choice` as OpenAI function tools (README, "Translation"). */
import { isObject, type Json } from '../providers/narrow.ts';
import { invalid, notTranslated, Refusal } from './refuse.ts';

/**
 * A custom tool as an OpenAI function tool. A tool with any other `type` (web_search, code_execution,
 * bash, text_editor, computer, mcp_toolset, …) runs on Anthropic's side or has a schema only Anthropic
 * knows: refused, named.
 */
function functionTool(tool: unknown, field: string): Json | Refusal {
  if (!isObject(tool)) return invalid(field, 'a tool object');
  if (tool.type !== undefined && tool.type !== 'custom') return notTranslated(`${field}.type`, `the server or Anthropic-defined tool ${JSON.stringify(tool.type)}`);
  if (typeof tool.name !== 'string') return invalid(`${field}.name`, 'a string');
  if (!isObject(tool.input_schema)) return invalid(`${field}.input_schema`, 'a JSON Schema object');
  const fn: Json = { name: tool.name, parameters: tool.input_schema };
  if (typeof tool.description === 'string') fn.description = tool.description;
  if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
  return { type: 'function', function: fn };
}

/** `tools` as OpenAI `tools`. */
export function chatTools(tools: unknown): Json[] | Refusal {
  if (!Array.isArray(tools)) return invalid('tools', 'an array');
  const out: Json[] = [];
  for (let i = 0; i < tools.length; i++) {
    const tool = functionTool(tools[i], `tools[${i}]`);
    if (tool instanceof Refusal) return tool;
    out.push(tool);
  }
  return out;
}

/** OpenAI's `tool_choice` and `parallel_tool_calls` for an Anthropic `tool_choice`. */
export function chatToolChoice(choice: unknown): { tool_choice: unknown; parallel_tool_calls?: false } | Refusal {
  if (!isObject(choice)) return invalid('tool_choice', 'an object');
  let toolChoice: unknown;
  switch (choice.type) {
    case 'auto': toolChoice = 'auto'; break;
    case 'any': toolChoice = 'required'; break;
    case 'none': toolChoice = 'none'; break;
    case 'tool':
      if (typeof choice.name !== 'string') return invalid('tool_choice.name', 'a string');
      toolChoice = { type: 'function', function: { name: choice.name } };
      break;
    default:
      return invalid('tool_choice.type', '"auto", "any", "tool" or "none"');
  }
  return choice.disable_parallel_tool_use === true ? { tool_choice: toolChoice, parallel_tool_calls: false } : { tool_choice: toolChoice };
}
