/**
 * @module The internal request as an OpenAI chat completions body for an OpenAI-compatible owner
 * (docs/translation.md, "Writing a chat request"). What the owner's API lacks is dropped where the answer
 * stays right without it (top_k, a reasoning budget alone, cache hints); documents it cannot read are refused.
 */
import type { Json } from '../../providers/narrow.ts';
import type { Reasoning, Request, ResponseFormat, ToolChoice } from '../ir.ts';
import type { OwnerContext, OwnerRequest } from '../codec.ts';
import { Refusal } from '../refuse.ts';
import { chatMessages } from './write-content.ts';

function toolChoice(choice: ToolChoice): unknown {
  return choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.type;
}

function responseFormat(format: ResponseFormat): Json {
  if (format.type === 'json_object') return { type: 'json_object' };
  const spec: Json = { name: format.name ?? 'response', schema: format.schema };
  if (format.strict !== undefined) spec.strict = format.strict;
  return { type: 'json_schema', json_schema: spec };
}

/**
 * `reasoning_effort` only for an effort the client named: a model that does not reason refuses the field,
 * so a budget alone is dropped. Anthropic's `max` is `high`, the highest every compatible server knows.
 */
function reasoningEffort(reasoning: Reasoning | undefined): string | undefined {
  const effort = reasoning?.effort;
  return effort === 'max' ? 'high' : effort;
}

export function writeRequest(request: Request, context: OwnerContext): OwnerRequest | Refusal {
  // OpenAI's own API (the one that wants max_completion_tokens) is the one that reads PDFs as `file` parts.
  const files = context.maxTokensField === 'max_completion_tokens';
  const messages = chatMessages(request.system, request.messages, { files });
  if (messages instanceof Refusal) return messages;
  const body: Json = { model: context.upstreamModel, messages };
  if (request.maxTokens !== undefined) body[context.maxTokensField ?? 'max_tokens'] = request.maxTokens;
  if (request.temperature !== undefined && context.sampling !== false) body.temperature = request.temperature;
  if (request.topP !== undefined && context.sampling !== false) body.top_p = request.topP;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  // OpenAI refuses tool_choice and parallel_tool_calls without tools; with none, no call can happen anyway.
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => {
      const fn: Json = { name: tool.name, parameters: tool.parameters };
      if (tool.description !== undefined) fn.description = tool.description;
      if (tool.strict !== undefined) fn.strict = tool.strict;
      return { type: 'function', function: fn };
    });
    if (request.toolChoice !== undefined) body.tool_choice = toolChoice(request.toolChoice);
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  const effort = reasoningEffort(request.reasoning);
  if (effort !== undefined && context.reasoningEffort !== false) body.reasoning_effort = effort;
  if (request.responseFormat !== undefined) body.response_format = responseFormat(request.responseFormat);
  if (request.user !== undefined) body.user = request.user;
  // Always asked for: the pipe counts every stream's usage, whether or not the client wanted it.
  if (request.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return { path: '/chat/completions', body };
}
