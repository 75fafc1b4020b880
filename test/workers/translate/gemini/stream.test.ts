import { describe, expect, it } from 'vitest';
import type { AnswerContext } from '../../../../src/translate/codec.ts';
import { failure } from '../../../../src/translate/failure.ts';
import { foreignSignatureOut } from '../../../../src/translate/gemini/answer.ts';
import { geminiClient, geminiOwner } from '../../../../src/translate/gemini/index.ts';
import type { Event, Request } from '../../../../src/translate/ir.ts';
import { sseParser } from '../../../../src/translate/sse.ts';
import calls from '../../../fixtures/translate/gemini/stream-parallel-calls.json';
import thinking from '../../../fixtures/translate/gemini/stream-thinking-text.json';

const request = (overrides: Partial<Request> = {}): Request => ({ system: [], messages: [], stream: true, ...overrides });
const context = (overrides: Partial<Request> = {}): AnswerContext => ({ model: 'claude-as-gemini', request: request(overrides), now: 1_700_000_000, randomId: 'rnd42' });

/** The `data` of each SSE event, as the pipe hands them to a reader. */
function dataOf(body: string): string[] {
  const parser = sseParser();
  return [...parser.feed(body), ...parser.flush()];
}

/** Every event a reader makes of an SSE body, push by push, then its end. */
function readStream(body: string, limit?: number): Event[] {
  const reader = geminiOwner.streamReader(request());
  return [...dataOf(body).slice(0, limit).flatMap((data) => reader.push(data)), ...reader.end()];
}

/** The GenerateContentResponses a writer's output holds, and its raw text. */
function written(text: string): unknown[] {
  expect(text.endsWith('\r\n\r\n') || text === '').toBe(true);
  return text.split('\r\n\r\n').filter((event) => event !== '').map((event) => {
    expect(event.startsWith('data: ')).toBe(true);
    return JSON.parse(event.slice(6)) as unknown;
  });
}

describe('Gemini owner: reading a stream', () => {
  it('reads thought and text deltas, running usage totals (the last counts) and STOP, then done', () => {
    const events = readStream(thinking.body);
    expect(events).toEqual([
      { type: 'start', id: 'IZI2acSKMoWl0-kPmYj2yQc' },
      { type: 'reasoning', text: '**Weighing the question**\n\nThe user asks for a haiku about the sea.' },
      { type: 'usage', usage: { input: 9, output: 88, reasoning: 88 } },
      { type: 'reasoning', text: '**Drafting lines**\n\nFive, seven, five syllables.' },
      { type: 'usage', usage: { input: 9, output: 301, reasoning: 301 } },
      { type: 'text', text: 'Grey waves fold and break,' },
      { type: 'usage', usage: { input: 9, output: 307, reasoning: 301 } },
      { type: 'text', text: '\nsalt wind carries gull voices,\nthe tide keeps its time.' },
      { type: 'usage', usage: { input: 9, output: 322, reasoning: 301 } },
      { type: 'stop', reason: 'end' },
      { type: 'done' },
    ]);
  });

  it('reads parallel whole calls, each its own index with an id, STOP with calls as tool_use, cached input', () => {
    const events = readStream(calls.body);
    expect(events).toEqual([
      { type: 'start', id: 'qpc2afWVFJK4vr0Pq6WiyAU' },
      { type: 'text', text: 'I will check both cities.' },
      { type: 'usage', usage: { input: 186, cacheRead: 1024, output: 111, reasoning: 104 } },
      { type: 'tool_call', index: 0, id: 'call_qpc2afWVFJK4vr0Pq6WiyAU_0', name: 'getWeather', arguments: '{"location":"Tokyo"}', signature: expect.stringMatching(/^CikB/) },
      { type: 'tool_call', index: 1, id: 'call_qpc2afWVFJK4vr0Pq6WiyAU_1', name: 'getWeather', arguments: '{"location":"Paris","units":{"scale":"celsius","note":"say \\"}\\" if cold"}}' },
      { type: 'usage', usage: { input: 186, cacheRead: 1024, output: 142, reasoning: 104 } },
      { type: 'stop', reason: 'tool_use' },
      { type: 'done' },
    ]);
  });

  it('ends in an error when the stream stops before a finishReason', () => {
    const events = readStream(thinking.body, 3);
    expect(events.at(-1)).toEqual({ type: 'error', failure: { status: 502, kind: 'api_error', message: 'the upstream stream ended before the answer was complete' } });
    expect(events.some((event) => event.type === 'stop' || event.type === 'done')).toBe(false);
  });

  it('reads an error object in the stream as an error, word for word, and nothing after it', () => {
    const reader = geminiOwner.streamReader(request());
    const first = reader.push(dataOf(thinking.body)[0] ?? '');
    const error = reader.push('{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}');
    expect(first[0]).toEqual({ type: 'start', id: 'IZI2acSKMoWl0-kPmYj2yQc' });
    expect(error).toEqual([{ type: 'error', failure: { status: 503, kind: 'overloaded', message: 'The model is overloaded. Please try again later.' } }]);
    expect([...reader.push(dataOf(thinking.body)[1] ?? ''), ...reader.end()]).toEqual([]);
  });
});

describe('Gemini client: writing a stream', () => {
  it('writes each text delta as a chunk and the last chunk with finishReason and usage, CRLF CRLF after each', () => {
    const writer = geminiClient.streamWriter(context());
    const text = writer.write([{ type: 'start', id: 'msg_1' }, { type: 'text', text: 'Hel' }]) + writer.write([{ type: 'text', text: 'lo' }, { type: 'stop', reason: 'end' }]) + writer.write([{ type: 'usage', usage: { input: 5, cacheRead: 10, output: 7, reasoning: 3 } }, { type: 'done' }]);
    expect(written(text)).toEqual([
      { candidates: [{ content: { parts: [{ text: 'Hel' }], role: 'model' }, index: 0 }], modelVersion: 'claude-as-gemini', responseId: 'msg_1' },
      { candidates: [{ content: { parts: [{ text: 'lo' }], role: 'model' }, index: 0 }], modelVersion: 'claude-as-gemini', responseId: 'msg_1' },
      {
        candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 15, cachedContentTokenCount: 10, candidatesTokenCount: 4, thoughtsTokenCount: 3, totalTokenCount: 22 },
        modelVersion: 'claude-as-gemini', responseId: 'msg_1',
      },
    ]);
  });

  it('writes interleaved calls split across events each whole, once its JSON closes', () => {
    const writer = geminiClient.streamWriter(context());
    const out = [
      writer.write([{ type: 'start' }, { type: 'tool_call', index: 0, id: 'call_a', name: 'weather', arguments: '{"city":' }]),
      writer.write([{ type: 'tool_call', index: 1, id: 'call_b', name: 'clock', arguments: '{"tz":"Europe/Oslo' }]),
      writer.write([{ type: 'tool_call', index: 0, arguments: '"Oslo {x}"}' }]),
      writer.write([{ type: 'tool_call', index: 1, arguments: '"}' }, { type: 'stop', reason: 'tool_use' }, { type: 'done' }]),
    ];
    expect(out[0]).toBe('');
    expect(out[1]).toBe('');
    expect(written(out[2] ?? '')).toEqual([{ candidates: [{ content: { parts: [{ functionCall: { id: 'call_a', name: 'weather', args: { city: 'Oslo {x}' } } }], role: 'model' }, index: 0 }], modelVersion: 'claude-as-gemini', responseId: 'rnd42' }]);
    const last = written(out[3] ?? '') as Array<{ candidates: Array<{ content: { parts: unknown[] }; finishReason?: string }> }>;
    expect(last.map((chunk) => [chunk.candidates[0]?.content.parts, chunk.candidates[0]?.finishReason])).toEqual([
      [[{ functionCall: { id: 'call_b', name: 'clock', args: { tz: 'Europe/Oslo' } } }], undefined],
      [[{ text: '' }], 'STOP'],
    ]);
  });

  it('sends a call with no arguments at the stop, and thoughts only when asked', () => {
    const events: Event[] = [{ type: 'start' }, { type: 'reasoning', text: 'Hmm.' }, { type: 'reasoning', text: '', signature: 'sig' }, { type: 'tool_call', index: 0, id: 'c', name: 'now', arguments: '' }, { type: 'stop', reason: 'tool_use' }, { type: 'done' }];
    const parts = (text: string) => (written(text) as Array<{ candidates: Array<{ content: { parts: unknown[] } }> }>).map((chunk) => chunk.candidates[0]?.content.parts[0]);
    expect(parts(geminiClient.streamWriter(context()).write(events))).toEqual([{ functionCall: { id: 'c', name: 'now', args: {} } }, { text: '' }]);
    expect(parts(geminiClient.streamWriter(context({ reasoning: { includeText: true } })).write(events))).toEqual([
      { text: 'Hmm.', thought: true },
      { text: '', thought: true, thoughtSignature: foreignSignatureOut('sig') },
      { functionCall: { id: 'c', name: 'now', args: {} } },
      { text: '' },
    ]);
  });

  it('writes a failure as Google\'s bare error object, the message word for word, and nothing after it', () => {
    const writer = geminiClient.streamWriter(context());
    const text = writer.write([{ type: 'start' }, { type: 'text', text: 'Par' }, { type: 'error', failure: failure(529, 'Overloaded') }]);
    const [chunk, error] = text.split('\r\n\r\n');
    expect(JSON.parse((chunk ?? '').slice(6))).toMatchObject({ candidates: [{ content: { parts: [{ text: 'Par' }] } }] });
    expect(error).toBe('{"error":{"code":503,"message":"Overloaded","status":"UNAVAILABLE"}}\r\n');
    expect(writer.write([{ type: 'text', text: 'more' }, { type: 'done' }])).toBe('');
  });

  it('round trip: a recorded Gemini stream read and written again says the same', () => {
    for (const fixture of [thinking, calls]) {
      const events = readStream(fixture.body);
      const text = geminiClient.streamWriter(context({ reasoning: { includeText: true } })).write(events);
      const again = readStream(text);
      const essentials = (list: Event[]) => list.filter((event) => event.type !== 'usage' && event.type !== 'start');
      expect(essentials(again)).toEqual(essentials(events));
      expect(again.filter((event) => event.type === 'usage').at(-1)).toEqual(events.filter((event) => event.type === 'usage').at(-1));
    }
  });
});
