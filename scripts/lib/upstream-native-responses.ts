/**
 * @module The fake OpenAI Responses API's answers (https://platform.openai.com/docs/api-reference/responses):
 * a `response` object whose output is one `message` with one `output_text` part, or its streaming
 * events (`response.created`, `response.in_progress`, `response.output_item.added`,
 * `response.content_part.added`, `response.output_text.delta`…, `response.output_text.done`,
 * `response.content_part.done`, `response.output_item.done`, `response.completed`), each named on its
 * `event:` line, numbered by `sequence_number`, with no `[DONE]`.
 */
import { countTokens, drip, json, splitWords, type StreamShape } from './upstream-common.ts';

const RESPONSE_ID = 'resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b';
const ITEM_ID = 'msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b';

export function responsesAnswer(body: Record<string, unknown>, stream: StreamShape): Response {
  const model = typeof body.model === 'string' ? body.model : '';
  const text = `Hello from the openai demo, as ${model}.`;
  const input = countTokens({ input: body.input, instructions: body.instructions });
  if (body.stream !== true) return json(response(model, 'completed', [item('completed', text)], input, text));
  const part = (content: string) => ({ type: 'output_text', annotations: [], logprobs: [], text: content });
  const at = { item_id: ITEM_ID, output_index: 0, content_index: 0 };
  const events = [
    { type: 'response.created', response: response(model, 'in_progress', [], input) },
    { type: 'response.in_progress', response: response(model, 'in_progress', [], input) },
    { type: 'response.output_item.added', output_index: 0, item: { ...item('in_progress', text), content: [] } },
    { type: 'response.content_part.added', ...at, part: part('') },
    ...splitWords(text, stream.chunks)
      .filter(Boolean)
      .map((delta) => ({ type: 'response.output_text.delta', ...at, delta, logprobs: [] })),
    { type: 'response.output_text.done', ...at, text, logprobs: [] },
    { type: 'response.content_part.done', ...at, part: part(text) },
    { type: 'response.output_item.done', output_index: 0, item: item('completed', text) },
    { type: 'response.completed', response: response(model, 'completed', [item('completed', text)], input, text) },
  ];
  return drip(
    events.map((event, sequence) => `event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence })}\n\n`),
    stream.dripMs,
  );
}

/**
 * A failure on OpenAI's side: `500 server_error`, or, once a stream has begun, `response.failed`
 * (status `failed`, the error in `response.error`) after `response.created`.
 */
export function responsesFailed(body: Record<string, unknown>, stream: StreamShape): Response {
  const message = 'The server had an error while processing your request. Sorry about that!';
  if (body.stream !== true) return json({ error: { message, type: 'server_error', param: null, code: 'server_error' } }, 500);
  const model = typeof body.model === 'string' ? body.model : '';
  const events = [
    { type: 'response.created', response: response(model, 'in_progress', [], 0) },
    { type: 'response.failed', response: { ...response(model, 'failed', [], 0), error: { code: 'server_error', message } } },
  ];
  return drip(
    events.map((event, sequence) => `event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence })}\n\n`),
    stream.dripMs,
  );
}

function item(status: string, text: string) {
  return { id: ITEM_ID, type: 'message', status, role: 'assistant', content: [{ type: 'output_text', annotations: [], logprobs: [], text }] };
}

/** A `response` object; usage only once it is complete. */
function response(model: string, status: string, output: unknown[], input: number, text?: string) {
  const outputTokens = text === undefined ? 0 : text.split(' ').length;
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
      text === undefined
        ? null
        : { input_tokens: input, input_tokens_details: { cached_tokens: 0 }, output_tokens: outputTokens, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + outputTokens },
    user: null,
    metadata: {},
  };
}
