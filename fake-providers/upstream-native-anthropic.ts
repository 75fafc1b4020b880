/**
 * @module The fake Anthropic Messages API's answers (https://docs.anthropic.com/en/api/messages,
 * .../messages-streaming, .../messages-count-tokens): a `message` object, or its server-sent events
 * (`message_start`, `content_block_start`, `ping`, `content_block_delta` with `text_delta` or
 * `input_json_delta`, `content_block_stop`, `message_delta`, `message_stop`), and `{input_tokens}`.
 * With `tools` it calls one as upstream-tools.ts decides, the input sent as several JSON pieces. A
 * follow-up turn reads its prefix from the prompt cache: `cache_read_input_tokens`, apart from
 * `input_tokens` as Anthropic counts them. Any role and block is taken (`system` turns mid-conversation
 * too); `max_tokens` and `messages` are required, as the API requires them.
 */
import { cachedPrefix, countTokens, drip, isRecord, json, splitChars, splitWords, type StreamShape, type UsageReport } from './upstream-common.ts';
import { afterToolText, toolCallFor, toolsOf, type FakeToolCall, type ToolPick } from './upstream-tools.ts';

const MESSAGE_ID = 'msg_01K2JbSUMYhez5RHoK9ZCj9U';
const TOOL_USE_ID = 'toolu_01KFbKqPYSuAKujiL6mTfzYA';

export function anthropicCountTokens(body: Record<string, unknown>): Response {
  return json({ input_tokens: inputTokens(body) });
}

export function anthropicMessage(model: string, body: Record<string, unknown>, stream: StreamShape, report: UsageReport = () => {}, picks: ToolPick[] = []): Response {
  const missing = typeof body.max_tokens !== 'number' ? 'max_tokens' : !Array.isArray(body.messages) ? 'messages' : undefined;
  if (missing !== undefined) return json({ type: 'error', error: { type: 'invalid_request_error', message: `${missing}: Field required` }, request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy' }, 400);
  const afterTool = lastUserTurnHasToolResult(body.messages);
  const choice = isRecord(body.tool_choice) ? body.tool_choice : {};
  const tools = toolsOf(body.tools, (tool) => (typeof tool.name === 'string' ? { name: tool.name, schema: tool.input_schema } : undefined));
  const toolCall = toolCallFor(tools, afterTool, { none: choice.type === 'none', picks, ...(choice.type === 'tool' && typeof choice.name === 'string' ? { forced: choice.name } : {}) });
  const text = afterTool ? afterToolText('anthropic', model) : `Hello from the anthropic demo, as ${model}.`;
  const total = inputTokens(body);
  const input = { fresh: total - cached(body), cached: cached(body) };
  report({ input: total, cachedInput: input.cached, output: outputTokens(text, toolCall), reasoning: 0 });
  if (body.stream === true) return drip(events(model, input, text, toolCall, stream.chunks), stream.dripMs);
  const content = toolCall === undefined ? [{ type: 'text', text }] : [toolUse(toolCall, JSON.parse(toolCall.arguments))];
  return json({ ...message(model, content, input, outputTokens(text, toolCall)), stop_reason: toolCall === undefined ? 'end_turn' : 'tool_use' });
}

/**
 * An overloaded API: `529 overloaded_error`, or, once a stream has begun, its `error` event after
 * `message_start` and a `ping`, as Anthropic sends it mid-stream.
 */
export function anthropicOverloaded(body: Record<string, unknown>, stream: StreamShape): Response {
  const error = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
  if (body.stream !== true) return json(error, 529);
  const model = typeof body.model === 'string' ? body.model : '';
  const list = [{ type: 'message_start', message: message(model, [], { fresh: inputTokens(body), cached: 0 }, 1) }, { type: 'ping' }, error];
  return drip(list.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`), stream.dripMs);
}

/** The events of one streamed message, each as `event: <type>` and its `data:` line. */
function events(model: string, input: InputTokens, text: string, toolCall: FakeToolCall | undefined, chunks: number): string[] {
  const deltas =
    toolCall === undefined
      ? splitWords(text, chunks).filter(Boolean).map((piece) => ({ type: 'text_delta', text: piece }))
      : // Anthropic opens a tool's input with an empty piece, then sends the JSON in parts.
        ['', ...splitChars(toolCall.arguments, Math.max(chunks, 3))].map((piece) => ({ type: 'input_json_delta', partial_json: piece }));
  const block = toolCall === undefined ? { type: 'text', text: '' } : toolUse(toolCall, {});
  const list = [
    { type: 'message_start', message: message(model, [], input, 1) },
    { type: 'content_block_start', index: 0, content_block: block },
    { type: 'ping' },
    ...deltas.map((delta) => ({ type: 'content_block_delta', index: 0, delta })),
    { type: 'content_block_stop', index: 0 },
    {
      type: 'message_delta',
      delta: { stop_reason: toolCall === undefined ? 'end_turn' : 'tool_use', stop_sequence: null, stop_details: null },
      usage: { input_tokens: input.fresh, cache_creation_input_tokens: 0, cache_read_input_tokens: input.cached, output_tokens: outputTokens(text, toolCall) },
    },
    { type: 'message_stop' },
  ];
  return list.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
}

/** Input tokens as Anthropic reports them: those read from the cache apart from the rest. */
interface InputTokens {
  fresh: number;
  cached: number;
}

/** A `message` object as the API sends it (in `message_start`: no content yet, no stop reason). */
function message(model: string, content: unknown[], input: InputTokens, output: number) {
  return {
    model,
    id: MESSAGE_ID,
    type: 'message',
    role: 'assistant',
    content,
    stop_reason: null,
    stop_sequence: null,
    stop_details: null,
    usage: {
      input_tokens: input.fresh,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: input.cached,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      output_tokens: output,
      service_tier: 'standard',
      inference_geo: 'not_available',
    },
  };
}

function toolUse(call: FakeToolCall, input: unknown) {
  return { type: 'tool_use', id: TOOL_USE_ID, name: call.name, input, caller: { type: 'direct' } };
}

/** The fake count of what is sent: the same for `count_tokens` and a message's `usage.input_tokens`. */
function inputTokens(body: Record<string, unknown>): number {
  return countTokens({ system: body.system, messages: body.messages });
}

/** The tokens a follow-up turn finds in the prompt cache (upstream-common.ts). */
const cached = (body: Record<string, unknown>) => cachedPrefix(body.messages, (turn) => turn.role === 'assistant', body.system);

const outputTokens = (text: string, toolCall: FakeToolCall | undefined) => (toolCall === undefined ? text.split(' ').length : 24);

/** Whether the last user turn carries a `tool_result` block: then the fake answers text. */
function lastUserTurnHasToolResult(messages: unknown): boolean {
  const last: unknown = Array.isArray(messages) ? messages.findLast((m: unknown) => isRecord(m) && m.role === 'user') : undefined;
  return isRecord(last) && Array.isArray(last.content) && last.content.some((block: unknown) => isRecord(block) && block.type === 'tool_result');
}
