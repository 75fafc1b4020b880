/**
 * @module The Responses `response` object (https://platform.openai.com/docs/api-reference/responses/object):
 * its output items, its usage, its status, and the request fields it echoes (the SDKs read
 * `parallel_tool_calls`, `tool_choice`, `tools`, `text`, … from it). Shared by the whole answer
 * (`writeAnswer`) and the stream's lifecycle events (stream.ts), so both say the same thing.
 */
import type { AnswerContext } from '../codec.ts';
import type { Answer, StopReason, ToolCallPart, Usage } from '../ir.ts';

export type Item = Record<string, unknown>;

/** Letters and digits only, for ids made from the owner's id (`msg_01…`, `chatcmpl-…`). */
function alnum(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, '');
}

/** The answer's id: `resp_` and the owner's id where it gave one, else the fresh random id. */
export function responseId(ownerId: string | undefined, context: AnswerContext): string {
  return `resp_${(ownerId === undefined ? '' : alnum(ownerId)) || alnum(context.randomId)}`;
}

/** Item ids, distinct within one answer: `msg_…`, `rs_…`, `fc_…` with a running number. */
export function itemId(prefix: 'msg' | 'rs' | 'fc', context: AnswerContext, n: number): string {
  return `${prefix}_${alnum(context.randomId)}${n}`;
}

export function messageItem(id: string, text: string, status: string): Item {
  return { id, type: 'message', status, role: 'assistant', content: [{ type: 'output_text', annotations: [], logprobs: [], text }] };
}

export function reasoningItem(id: string, texts: readonly string[]): Item {
  return { id, type: 'reasoning', summary: texts.map((text) => ({ type: 'summary_text', text })) };
}

export function callItem(id: string, call: { id: string; name: string; arguments: string }, status: string): Item {
  return { id, type: 'function_call', status, arguments: call.arguments, call_id: call.id, name: call.name };
}

/** Responses usage from ours: its `input_tokens` counts cached ones too (ours does not). */
export function usageObject(usage: Usage | undefined): Record<string, unknown> | null {
  if (!usage) return null;
  const input = usage.input + (usage.cacheRead ?? 0) + (usage.cacheWrite ?? 0);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage.cacheRead ?? 0 },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: usage.reasoning ?? 0 },
    total_tokens: input + usage.output,
  };
}

/** `status` and `incomplete_details` for a stop reason: the output cap and a refusal leave a response incomplete. */
export function statusOf(stop: StopReason | undefined): { status: 'completed' | 'incomplete'; incomplete_details: { reason: string } | null } {
  if (stop === 'max_tokens') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (stop === 'refusal') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/** The request's fields as a response echoes them. */
function echo(context: AnswerContext): Record<string, unknown> {
  const request = context.request;
  const choice = request.toolChoice;
  const format = request.responseFormat;
  return {
    instructions: request.system.length > 0 ? request.system.map((part) => part.text).join('\n\n') : null,
    max_output_tokens: request.maxTokens ?? null,
    max_tool_calls: null,
    parallel_tool_calls: request.parallelToolCalls ?? true,
    previous_response_id: null,
    prompt_cache_key: null,
    prompt_cache_retention: null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.includeText ? 'auto' : null },
    safety_identifier: null,
    service_tier: 'default',
    store: false, // a translated call is never stored: it cannot be fetched or continued by id
    temperature: request.temperature ?? null,
    text: { format: format === undefined ? { type: 'text' } : format.type === 'json_object' ? format : { type: 'json_schema', name: format.name ?? 'response', schema: format.schema, strict: format.strict ?? false } },
    tool_choice: choice === undefined ? 'auto' : choice.type === 'tool' ? { type: 'function', name: choice.name } : choice.type,
    tools: (request.tools ?? []).map((tool) => ({ type: 'function', name: tool.name, description: tool.description ?? null, parameters: tool.parameters, strict: tool.strict ?? false })),
    top_logprobs: 0,
    top_p: request.topP ?? null,
    truncation: 'disabled',
    user: null,
    metadata: {},
  };
}

/** A whole `response` object. */
export function responseObject(
  id: string,
  context: AnswerContext,
  state: { status: string; incomplete_details: unknown; error: unknown; output: Item[]; usage: Record<string, unknown> | null },
): Record<string, unknown> {
  return {
    id,
    object: 'response',
    created_at: context.now,
    status: state.status,
    background: false,
    error: state.error,
    incomplete_details: state.incomplete_details,
    model: context.model,
    output: state.output,
    ...echo(context),
    usage: state.usage,
  };
}

/** A whole answer as a `response`: reasoning (when its text was asked for), text and calls, in the answer's order. */
export function writeAnswer(answer: Answer, context: AnswerContext): Record<string, unknown> {
  const includeReasoning = context.request.reasoning?.includeText === true;
  const { status, incomplete_details } = statusOf(answer.stop);
  const output: Item[] = [];
  let run: { kind: 'text' | 'reasoning'; texts: string[] } | undefined;
  const flush = () => {
    if (!run) return;
    if (run.kind === 'text') output.push(messageItem(itemId('msg', context, output.length), run.texts.join(''), status));
    else output.push(reasoningItem(itemId('rs', context, output.length), run.texts));
    run = undefined;
  };
  for (const part of answer.parts) {
    if (part.type === 'tool_call') {
      flush();
      // A call without arguments is an empty object, as the stream writer sends it (clients parse the text as JSON).
      const call = part.arguments === '' ? { ...part, arguments: '{}' } : part;
      output.push(callItem(itemId('fc', context, output.length), call satisfies ToolCallPart, 'completed'));
      continue;
    }
    if (part.type === 'reasoning' && (!includeReasoning || part.text === '')) continue;
    const kind = part.type === 'text' ? 'text' : 'reasoning';
    if (run?.kind !== kind) flush();
    run ??= { kind, texts: [] };
    run.texts.push(part.text);
  }
  flush();
  return responseObject(responseId(answer.id, context), context, { status, incomplete_details, error: null, output, usage: usageObject(answer.usage) });
}
