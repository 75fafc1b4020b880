import { describe, expect, it } from 'vitest';
import type { Event, Request } from '../../../../src/translate/ir.ts';
import { responsesClient } from '../../../../src/translate/responses/index.ts';
import real from '../../../fixtures/translate/responses/openai-streams.json';
import { assemble, context, type Data, parseSse, type SseEvent, skeleton } from './support.ts';

/** The writer's events for these IR events, written one at a time as the pipe does. */
function run(events: Event[], request: Partial<Request> = {}): SseEvent[] {
  const writer = responsesClient.streamWriter(context(request));
  return parseSse(events.map((event) => writer.write([event])).join(''));
}

const types = (events: Array<{ type?: unknown } | SseEvent>): string[] => events.map((event) => String('event' in event ? event.event : event.type));
const record = (value: unknown): Data => (typeof value === 'object' && value !== null ? (value as Data) : {});
/** Each event type's keys (and its item's or part's keys), the way OpenAI sends them; `obfuscation` is optional padding. */
function keysByType(events: Data[]): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const data of events) {
    const own = Object.keys(data).filter((key) => key !== 'obfuscation');
    const nested = ['item', 'part'].flatMap((field) => Object.keys(record(data[field])).map((key) => `${field}.${key}`));
    keys.set(`${String(data.type)}/${String(record(data.item).type ?? '')}`, [...own, ...nested].sort());
  }
  return keys;
}

const textEvents: Event[] = [
  { type: 'start', id: 'msg_01XFDUDYJgAACzvnptvVoYEL', usage: { input: 290, output: 1 } },
  { type: 'text', text: 'The' },
  { type: 'text', text: ' final result' },
  { type: 'text', text: ' is **570**.' },
  { type: 'stop', reason: 'end' },
  { type: 'usage', usage: { input: 290, output: 12, cacheRead: 9 } },
  { type: 'done' },
];

describe('the Responses stream writer against OpenAI’s recorded streams', () => {
  it('writes a text answer in the recorded order, with the recorded fields, adding up to the final response', () => {
    const events = run(textEvents);
    expect(skeleton(types(events))).toEqual(skeleton(types(real.text)));
    const ours = keysByType(events.map((event) => event.data));
    for (const [type, keys] of keysByType(real.text)) expect([type, ours.get(type)]).toEqual([type, keys]);
    const response = assemble(events);
    expect(response).toMatchObject({ object: 'response', status: 'completed', model: 'claude-alias', created_at: 1_765_552_659, error: null, incomplete_details: null });
    expect(response.id).toBe('resp_msg01XFDUDYJgAACzvnptvVoYEL');
    expect((response.output as Data[])[0]?.content).toEqual([{ type: 'output_text', annotations: [], logprobs: [], text: 'The final result is **570**.' }]);
    // A usage after `stop` counts; cached input is part of input_tokens.
    expect(response.usage).toEqual({ input_tokens: 299, input_tokens_details: { cached_tokens: 9 }, output_tokens: 12, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 311 });
  });

  it('writes reasoning (when its text was asked for) then a call in the recorded order', () => {
    const events = run([
      { type: 'start' },
      { type: 'reasoning', text: '**Calculating**\n\n' },
      { type: 'reasoning', text: "I'll add 12 and 7." },
      { type: 'reasoning', text: '', signature: 'sig' },
      { type: 'tool_call', index: 0, id: 'toolu_01', name: 'calculator', arguments: '' },
      { type: 'tool_call', index: 0, arguments: '{"a":12,' },
      { type: 'tool_call', index: 0, arguments: '"b":7,"op":"add"}' },
      { type: 'stop', reason: 'tool_use' },
      { type: 'usage', usage: { input: 100, output: 40, reasoning: 25 } },
      { type: 'done' },
    ], { reasoning: { effort: 'high', includeText: true } });
    expect(skeleton(types(events))).toEqual(skeleton(types(real.reasoningThenCall)));
    const ours = keysByType(events.map((event) => event.data));
    for (const [type, keys] of keysByType(real.reasoningThenCall)) {
      // OpenAI's reasoning items carry its encrypted content, which no other owner has.
      expect([type, ours.get(type)]).toEqual([type, keys.filter((key) => key !== 'item.encrypted_content')]);
    }
    const response = assemble(events);
    expect(response.output).toEqual([
      { id: 'rs_a1b2c30', type: 'reasoning', summary: [{ type: 'summary_text', text: "**Calculating**\n\nI'll add 12 and 7." }] },
      { id: 'fc_a1b2c31', type: 'function_call', status: 'completed', arguments: '{"a":12,"b":7,"op":"add"}', call_id: 'toolu_01', name: 'calculator' },
    ]);
    expect(record(response.usage).output_tokens_details).toEqual({ reasoning_tokens: 25 });
    expect(response.reasoning).toEqual({ effort: 'high', summary: 'auto' });
  });

  it('fails the way OpenAI does: an `error` event with the message word for word, then `response.failed`, then nothing', () => {
    const writer = responsesClient.streamWriter(context());
    const message = 'prompt is too long: 215000 tokens > 200000 maximum';
    const text = writer.write([{ type: 'start' }, { type: 'text', text: 'partial' }, { type: 'error', failure: { status: 400, kind: 'invalid_request', message } }]);
    expect(writer.write([{ type: 'text', text: 'more' }, { type: 'done' }])).toBe('');
    const events = parseSse(text);
    expect(types(events).slice(-2)).toEqual(['error', 'response.failed']);
    const error = events.at(-2)?.data ?? {};
    expect(Object.keys(error)).toEqual(expect.arrayContaining(Object.keys(real.error[2] ?? {})));
    // Codex compacts the conversation on this code.
    expect(record(error.error)).toEqual({ type: 'invalid_request_error', code: 'context_length_exceeded', message, param: null });
    expect(error.message).toBe(message);
    const response = assemble(events);
    expect(response).toMatchObject({ status: 'failed', error: { code: 'context_length_exceeded', message } });
    // What OpenAI had so far stays in the failed response's output.
    expect(response.output).toEqual([{ id: 'msg_a1b2c30', type: 'message', status: 'in_progress', role: 'assistant', content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'partial' }] }]);
  });

  it('answers an owner that fails before anything as OpenAI does: created, in_progress, error, failed', () => {
    const events = run([{ type: 'error', failure: { status: 429, kind: 'rate_limit', message: 'Number of request tokens has exceeded your per-minute rate limit' } }]);
    expect(types(events)).toEqual(types(real.error));
    expect(record(events[2]?.data.error)).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(record(events[3]?.data.response).error).toEqual({ code: 'rate_limit_exceeded', message: 'Number of request tokens has exceeded your per-minute rate limit' });
  });
});

describe('the Responses stream writer’s own rules', () => {
  it('streams each piece as it comes: nothing held back', () => {
    const writer = responsesClient.streamWriter(context());
    expect(types(parseSse(writer.write([{ type: 'start' }])))).toEqual(['response.created', 'response.in_progress']);
    const first = parseSse(writer.write([{ type: 'text', text: 'Hel' }]));
    expect(types(first)).toEqual(['response.output_item.added', 'response.content_part.added', 'response.output_text.delta']);
    expect(first[2]?.data).toMatchObject({ delta: 'Hel', output_index: 0, content_index: 0, item_id: 'msg_a1b2c30' });
    expect(parseSse(writer.write([{ type: 'tool_call', index: 0, id: 'call_1', name: 'f', arguments: '{"x"' }])).map((event) => event.data.delta ?? event.event))
      .toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.output_item.added', '{"x"']);
  });

  it('streams interleaved parallel calls live, each by its own output_index, and closes them at the end', () => {
    const events = run([
      { type: 'start' },
      { type: 'tool_call', index: 0, id: 'call_paris', name: 'get_weather', arguments: '{"ci' },
      { type: 'tool_call', index: 1, id: 'call_rome', name: 'get_weather', arguments: '{"ci' },
      { type: 'tool_call', index: 0, arguments: 'ty":"Paris"}' },
      { type: 'tool_call', index: 1, arguments: 'ty":"Rome"}' },
      { type: 'stop', reason: 'tool_use' },
      { type: 'done' },
    ]);
    const response = assemble(events);
    expect(response.output).toEqual([
      { id: 'fc_a1b2c30', type: 'function_call', status: 'completed', arguments: '{"city":"Paris"}', call_id: 'call_paris', name: 'get_weather' },
      { id: 'fc_a1b2c31', type: 'function_call', status: 'completed', arguments: '{"city":"Rome"}', call_id: 'call_rome', name: 'get_weather' },
    ]);
    const deltas = events.filter((event) => event.event === 'response.function_call_arguments.delta').map((event) => [event.data.output_index, event.data.delta]);
    expect(deltas).toEqual([[0, '{"ci'], [1, '{"ci'], [0, 'ty":"Paris"}'], [1, 'ty":"Rome"}']]);
  });

  it('opens a new item when text follows reasoning or a call, and reasoning follows text', () => {
    const events = run([
      { type: 'start' },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_call', index: 0, id: 'c1', name: 'now', arguments: '' },
      { type: 'text', text: 'Checked.' },
      { type: 'reasoning', text: 'Afterthought.' },
      { type: 'stop', reason: 'end' },
      { type: 'done' },
    ], { reasoning: { includeText: true } });
    const output = assemble(events).output as Data[];
    expect(output.map((item) => item.type)).toEqual(['message', 'function_call', 'message', 'reasoning']);
    // A call with no arguments gets `{}`, as OpenAI sends it.
    expect(output[1]?.arguments).toBe('{}');
  });

  it('leaves reasoning out when its text was not asked for, but counts its tokens', () => {
    const events = run([{ type: 'start' }, { type: 'reasoning', text: 'secret' }, { type: 'text', text: 'Hi' }, { type: 'usage', usage: { input: 5, output: 9, reasoning: 7 } }, { type: 'stop', reason: 'end' }, { type: 'done' }]);
    expect(events.some((event) => event.event.includes('reasoning'))).toBe(false);
    const response = assemble(events);
    expect((response.output as Data[]).map((item) => item.type)).toEqual(['message']);
    expect(record(response.usage).output_tokens_details).toEqual({ reasoning_tokens: 7 });
  });

  it.each([
    ['max_tokens', 'max_output_tokens'],
    ['refusal', 'content_filter'],
  ] as const)('ends a %s stop as response.incomplete (%s)', (reason, why) => {
    const events = run([{ type: 'start' }, { type: 'text', text: 'Once upon' }, { type: 'stop', reason }, { type: 'done' }]);
    expect(events.at(-1)?.event).toBe('response.incomplete');
    const response = assemble(events);
    expect(response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: why } });
    expect((response.output as Data[])[0]?.status).toBe('incomplete');
  });

  it('says the usage is unknown when the owner gave none, and keeps quiet with a comment ping', () => {
    const writer = responsesClient.streamWriter(context());
    const response = assemble(parseSse(writer.write([{ type: 'start' }, { type: 'text', text: 'x' }, { type: 'done' }])));
    expect(response.usage).toBeNull();
    expect(writer.ping?.()).toMatch(/^:[^\n]*\n\n$/);
  });
});
