/**
 * @module The fake OpenAI Responses API's answers (https://platform.openai.com/docs/api-reference/responses):
 * a `response` object whose output is one `message` with one `output_text` part (or, with function
 * tools, one `function_call` as upstream-tools.ts decides), or its streaming events
 * (`response.created`, `response.in_progress`, `response.output_item.added`,
 * `response.content_part.added`, `response.output_text.delta`…, `response.output_text.done`,
 * `response.content_part.done` — or `response.function_call_arguments.delta`… and `.done` —,
 * `response.output_item.done`, `response.completed`), each named on its `event:` line, numbered by
 * `sequence_number`, with no `[DONE]`. Usage as OpenAI reports it: `input_tokens` holding
 * `input_tokens_details.cached_tokens` on a follow-up turn, `output_tokens` holding
 * `output_tokens_details.reasoning_tokens` for a reasoning model, whose output opens with a `reasoning`
 * item.
 */
import { cachedPrefix, countTokens, drip, isReasoningModel, isRecord, json, REASONING_TOKENS, splitChars, splitWords, type StreamShape, type UsageReport } from './upstream-common.ts';
import { afterToolText, toolCallFor, toolsOf, type FakeToolCall, type ToolPick } from './upstream-tools.ts';

const RESPONSE_ID = 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b';
const MESSAGE_ID = 'msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b';
const FUNCTION_CALL_ID = 'fc_67ca09c6bedc8190a7abfec07b1a1332096610f474011cc0';
const CALL_ID = 'call_unLAR8MvFNptuiZK6K6HCy5k';
const REASONING_ID = 'rs_67ccd2c0b1ac8190b8a4b1a3b0f4c5d60bb6a6b452d3795b';
/** Output tokens the fake counts for a function call. */
const FUNCTION_CALL_TOKENS = 24;

export function responsesAnswer(body: Record<string, unknown>, stream: StreamShape, report: UsageReport = () => {}, picks: ToolPick[] = []): Response {
  const model = typeof body.model === 'string' ? body.model : '';
  const reasoning = isReasoningModel(model) ? REASONING_TOKENS : 0;
  const input = { total: countTokens({ input: body.input, instructions: body.instructions }), cached: cachedPrefix(body.input, isModelItem, body.instructions), reasoning };
  const call = functionCall(body, picks);
  const text = lastItemIsCallOutput(body.input) ? afterToolText('openai', model) : `Hello from the openai demo, as ${model}.`;
  const done = call === undefined ? message('completed', text) : functionCallItem('completed', call);
  // A reasoning model's output opens with its reasoning item (no summary unless asked for one).
  const thought = reasoning > 0 ? [{ id: REASONING_ID, type: 'reasoning', summary: [] }] : [];
  const at = thought.length;
  const outputTokens = (call === undefined ? text.split(' ').length : FUNCTION_CALL_TOKENS) + reasoning;
  report({ input: input.total, cachedInput: input.cached, output: outputTokens, reasoning });
  if (body.stream !== true) return json(response(model, 'completed', [...thought, done], input, outputTokens));
  const events = [
    { type: 'response.created', response: response(model, 'in_progress', [], input) },
    { type: 'response.in_progress', response: response(model, 'in_progress', [], input) },
    ...thought.flatMap((item) => [
      { type: 'response.output_item.added', output_index: 0, item },
      { type: 'response.output_item.done', output_index: 0, item },
    ]),
    ...(call === undefined ? textEvents(text, stream.chunks, at) : callEvents(call, stream.chunks, at)),
    { type: 'response.output_item.done', output_index: at, item: done },
    { type: 'response.completed', response: response(model, 'completed', [...thought, done], input, outputTokens) },
  ];
  return drip(
    events.map((event, sequence) => `event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence })}\n\n`),
    stream.dripMs,
  );
}

/** One streaming event before its `sequence_number` is set. */
type StreamEvent = { type: string } & Record<string, unknown>;

/** The events of a message item with one `output_text` part, up to its `content_part.done`. */
function textEvents(text: string, chunks: number, index: number): StreamEvent[] {
  const part = (content: string) => ({ type: 'output_text', annotations: [], logprobs: [], text: content });
  const at = { item_id: MESSAGE_ID, output_index: index, content_index: 0 };
  return [
    { type: 'response.output_item.added', output_index: index, item: { ...message('in_progress', text), content: [] } },
    { type: 'response.content_part.added', ...at, part: part('') },
    ...splitWords(text, chunks)
      .filter(Boolean)
      .map((delta) => ({ type: 'response.output_text.delta', ...at, delta, logprobs: [] })),
    { type: 'response.output_text.done', ...at, text, logprobs: [] },
    { type: 'response.content_part.done', ...at, part: part(text) },
  ];
}

/** The events of a function call item: added with empty arguments, the arguments in pieces, done. */
function callEvents(call: FakeToolCall, chunks: number, index: number): StreamEvent[] {
  const at = { item_id: FUNCTION_CALL_ID, output_index: index };
  return [
    { type: 'response.output_item.added', output_index: index, item: { ...functionCallItem('in_progress', call), arguments: '' } },
    ...splitChars(call.arguments, Math.max(chunks, 3)).map((delta) => ({ type: 'response.function_call_arguments.delta', ...at, delta })),
    { type: 'response.function_call_arguments.done', ...at, name: call.name, arguments: call.arguments },
  ];
}

/**
 * A function call when `tools` hold functions, the last input item is not a `function_call_output`
 * and `tool_choice` allows one.
 */
function functionCall(body: Record<string, unknown>, picks: ToolPick[]): FakeToolCall | undefined {
  const tools = toolsOf(body.tools, (tool) => (tool.type === 'function' && typeof tool.name === 'string' ? { name: tool.name, schema: tool.parameters } : undefined));
  const choice = body.tool_choice;
  const forced = isRecord(choice) && typeof choice.name === 'string' ? choice.name : undefined;
  return toolCallFor(tools, lastItemIsCallOutput(body.input), { none: choice === 'none', picks, ...(forced === undefined ? {} : { forced }) });
}

function lastItemIsCallOutput(input: unknown): boolean {
  const last: unknown = Array.isArray(input) ? input.at(-1) : undefined;
  return isRecord(last) && last.type === 'function_call_output';
}

/**
 * A failure on OpenAI's side: `500 server_error`, or, once a stream has begun, `response.failed`
 * (status `failed`, the error in `response.error`) after `response.created`.
 */
export function responsesFailed(body: Record<string, unknown>, stream: StreamShape): Response {
  const message = 'The server had an error while processing your request. Sorry about that!';
  if (body.stream !== true) return json({ error: { message, type: 'server_error', param: null, code: 'server_error' } }, 500);
  const model = typeof body.model === 'string' ? body.model : '';
  const none = { total: 0, cached: 0, reasoning: 0 };
  const events = [
    { type: 'response.created', response: response(model, 'in_progress', [], none) },
    { type: 'response.failed', response: { ...response(model, 'failed', [], none), error: { code: 'server_error', message } } },
  ];
  return drip(
    events.map((event, sequence) => `event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence })}\n\n`),
    stream.dripMs,
  );
}

function message(status: string, text: string) {
  return { id: MESSAGE_ID, type: 'message', status, role: 'assistant', content: [{ type: 'output_text', annotations: [], logprobs: [], text }] };
}

function functionCallItem(status: string, call: FakeToolCall) {
  return { id: FUNCTION_CALL_ID, type: 'function_call', status, arguments: call.arguments, call_id: CALL_ID, name: call.name };
}

/** An assistant message or a function call: what the model said earlier in the input. */
const isModelItem = (item: Record<string, unknown>) => item.role === 'assistant' || item.type === 'function_call';

/** A `response` object; usage only once it is complete (`outputTokens` given). */
function response(model: string, status: string, output: unknown[], input: { total: number; cached: number; reasoning: number }, outputTokens?: number) {
  return {
    id: RESPONSE_ID,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage:
      outputTokens === undefined
        ? null
        : {
            input_tokens: input.total,
            input_tokens_details: { cached_tokens: input.cached },
            output_tokens: outputTokens,
            output_tokens_details: { reasoning_tokens: input.reasoning },
            total_tokens: input.total + outputTokens,
          },
    user: null,
    metadata: {},
  };
}
