/**
 * @module What must never cross owners or repeat: reasoning signatures (Gemini's never to Anthropic,
 * Anthropic's back only to Anthropic), call ids in the form Anthropic takes, and ids made up for calls an
 * owner gave none, unique across answers.
 */
import { describe, expect, it } from 'vitest';
import { chatClient, chatOwner } from '../../../../src/translate/chat/index.ts';
import { foreignSignatureOut } from '../../../../src/translate/gemini/answer.ts';
import { geminiClient } from '../../../../src/translate/gemini/index.ts';
import { messagesClient, messagesOwner } from '../../../../src/translate/messages/index.ts';
import { translateStream } from '../../../../src/translate/pipe.ts';
import { sseParser } from '../../../../src/translate/sse.ts';
import { block, blockStop, chunk, delta, messageStart } from './owners.ts';
import { type Json, list, named, parse, record, request, run, sse } from './support.ts';

describe('reasoning signatures never cross owners', () => {
  const anthropicSignature = 'EqQBCkgIARABGAIiQL3tD3jJLMeXFhRbHKhfT4bx3d5fxnW0zMe3qVOxRq8RiOTK0n2vf8Sf1Nq8h6Tf6VR5k0V3DpO4kq8lyCGyw8ESDKk=';
  const thinking = named([
    messageStart({ input_tokens: 10, output_tokens: 1 }),
    block(0, { type: 'thinking', thinking: '', signature: '' }),
    delta(0, { type: 'thinking_delta', thinking: 'Paris is in France.' }),
    delta(0, { type: 'signature_delta', signature: anthropicSignature }),
    blockStop(0),
    block(1, { type: 'text', text: '' }),
    delta(1, { type: 'text_delta', text: 'Sunny.' }),
    blockStop(1),
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }],
    ['message_stop', { type: 'message_stop' }],
  ]);
  const thinkingRequest = (contents: unknown[]) => ({ contents, generationConfig: { thinkingConfig: { includeThoughts: true, thinkingBudget: 2048 } } });
  const ownerContext = { upstreamModel: 'claude-sonnet-4-5' };

  it("a Gemini model's own thought signature in a Gemini client's history never reaches an Anthropic owner", () => {
    const read = geminiClient.readRequest(thinkingRequest([
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [{ text: 'Considering the city.', thought: true, thoughtSignature: 'CikBcsjafFK168IbtVtoxVV0Tsn8O+eU45rzJahzwuKGmMbdMdfp' }, { text: 'Sunny.' }] },
      { role: 'user', parts: [{ text: 'And tomorrow?' }] },
    ]), { stream: false });
    if (!('messages' in read)) throw new Error(read.message);
    const written = messagesOwner.writeRequest(read, ownerContext);
    if (!('body' in written)) throw new Error(written.message);
    expect(JSON.stringify(written.body)).not.toContain('CikBcsjaf');
    expect(list(written.body.messages).flatMap((message) => list(record(message).content)).filter((b) => record(b).type === 'thinking')).toStrictEqual([]);
  });

  it("an Anthropic owner's signature given to a Gemini client goes back to Anthropic unchanged", async () => {
    const thinkingIr = { ...request, reasoning: { budgetTokens: 2048, includeText: true } };
    const context = { model: 'my-alias', request: thinkingIr, now: 1764650000, randomId: 'r4nd0m' };
    const text = await new Response(translateStream(new Response(thinking).body ?? new ReadableStream(), messagesOwner.streamReader(thinkingIr), geminiClient.streamWriter(context), { secrets: [], onUsage: () => {}, onFailure: () => {} })).text();
    const parser = sseParser();
    const parts = [...parser.feed(text), ...parser.flush()].map(parse).flatMap((event) => list(record(record(list(event.candidates)[0]).content).parts)).map(record);
    const thought = parts.filter((part) => part.thought === true);
    // As a Gemini SDK keeps it: one thought part (text and signature merged) back in the history.
    const signature = thought.map((part) => part.thoughtSignature).find((value) => typeof value === 'string');
    expect(typeof signature === 'string' && atob(signature).length > 0).toBe(true);
    const read = geminiClient.readRequest(thinkingRequest([
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [{ text: thought.map((part) => part.text).join(''), thought: true, thoughtSignature: signature }, { text: 'Sunny.' }] },
      { role: 'user', parts: [{ text: 'And tomorrow?' }] },
    ]), { stream: false });
    if (!('messages' in read)) throw new Error(read.message);
    const written = messagesOwner.writeRequest(read, ownerContext);
    if (!('body' in written)) throw new Error(written.message);
    const blocks = list(written.body.messages).flatMap((message) => list(record(message).content)).filter((b) => record(b).type === 'thinking');
    expect(blocks).toStrictEqual([{ type: 'thinking', thinking: 'Paris is in France.', signature: anthropicSignature }]);
  });
});

describe("call ids in the form Anthropic takes (^[a-zA-Z0-9_-]+$)", () => {
  // Kimi's (Moonshot's) OpenAI-compatible API names its calls so.
  const kimi = sse([
    chunk({ role: 'assistant', content: '' }),
    chunk({ tool_calls: [{ index: 0, id: 'functions.get_weather:0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }),
    chunk({}, 'tool_calls'),
    '[DONE]',
  ]);

  it("another owner's call id reaches a Messages client (which may replay it to Anthropic) in Anthropic's form", async () => {
    const events = await run(chatOwner, messagesClient, kimi);
    const ids = events.filter((event) => event.type === 'content_block_start').map((event) => record(event.content_block).id);
    expect(ids).toStrictEqual(['functions_get_weather_0']);
  });

  it("a whole answer's call ids too", () => {
    const answer = chatOwner.readAnswer({ id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'functions.get_weather:0', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] }, finish_reason: 'tool_calls' }] }, request);
    if ('kind' in answer) throw new Error(answer.message);
    const written = messagesClient.writeAnswer(answer, { model: 'm', request, now: 0, randomId: 'r' });
    expect(list(written.content).map((b) => record(b).id)).toStrictEqual(['functions_get_weather_0']);
  });

  it("a chat client's history with another owner's ids reaches an Anthropic owner with each call and its result still paired", () => {
    const read = chatClient.readRequest({ model: 'm', messages: [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'functions.get_weather:0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'functions.get_weather:0', content: 'Sunny' },
    ] }, {});
    if (!('messages' in read)) throw new Error(read.message);
    const written = messagesOwner.writeRequest(read, { upstreamModel: 'claude-sonnet-4-5' });
    if (!('body' in written)) throw new Error(written.message);
    const blocks = list(written.body.messages).flatMap((message) => list(record(message).content)).map(record);
    expect(blocks.filter((b) => b.type === 'tool_use').map((b) => b.id)).toStrictEqual(['functions_get_weather_0']);
    expect(blocks.filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id)).toStrictEqual(['functions_get_weather_0']);
  });
});


describe('ids made up for calls the owner gave none are unique across answers', () => {
  // A local server's bare calls (neither index nor id), as in fixtures/translate/chat/bare-calls.json.
  const bare = (answer: string) => sse([
    { id: answer, object: 'chat.completion.chunk', created: 1, model: 'local', choices: [{ index: 0, delta: { role: 'assistant', content: null }, finish_reason: null }] },
    { id: answer, object: 'chat.completion.chunk', created: 1, model: 'local', choices: [{ index: 0, delta: { tool_calls: [{ type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } }] }, finish_reason: null }] },
    { id: answer, object: 'chat.completion.chunk', created: 1, model: 'local', choices: [{ index: 0, delta: { tool_calls: [{ type: 'function', function: { name: 'read_file', arguments: '{"path":"b"}' } }] }, finish_reason: 'tool_calls' }] },
    '[DONE]',
  ]);
  const idsOf = (events: Json[]) => events.filter((event) => event.type === 'content_block_start').map((event) => record(event.content_block).id);

  it('two streamed answers: four distinct ids (Anthropic refuses a history whose tool_use ids repeat)', async () => {
    const ids = [...idsOf(await run(chatOwner, messagesClient, bare('chatcmpl-1111'))), ...idsOf(await run(chatOwner, messagesClient, bare('chatcmpl-2222')))];
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
  });

  it('two whole answers too', () => {
    const whole = (answer: string) => {
      const read = chatOwner.readAnswer({ id: answer, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ type: 'function', function: { name: 'read_file', arguments: '{}' } }] }, finish_reason: 'tool_calls' }] }, request);
      if ('kind' in read) throw new Error(read.message);
      return read.parts.flatMap((part) => (part.type === 'tool_call' ? [part.id] : []));
    };
    const ids = [...whole('chatcmpl-1111'), ...whole('chatcmpl-2222')];
    expect(new Set(ids).size).toBe(2);
  });
});

describe("an Anthropic thought a Gemini client kept in its streamed pieces", () => {
  it('goes back to Anthropic as one thinking block: all its text, its signature', () => {
    const signature = 'EqQBCkgIARABGAIiQL3t';
    const read = geminiClient.readRequest({ contents: [
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [
        { text: 'Paris is ', thought: true },
        { text: 'in France.', thought: true },
        { text: '', thought: true, thoughtSignature: foreignSignatureOut(signature) },
        { text: 'Sunny.' },
      ] },
      { role: 'user', parts: [{ text: 'And tomorrow?' }] },
    ] }, { stream: false });
    if (!('messages' in read)) throw new Error(read.message);
    const written = messagesOwner.writeRequest(read, { upstreamModel: 'claude-sonnet-4-5' });
    if (!('body' in written)) throw new Error(written.message);
    const blocks = list(written.body.messages).flatMap((message) => list(record(message).content)).filter((b) => record(b).type === 'thinking');
    expect(blocks).toStrictEqual([{ type: 'thinking', thinking: 'Paris is in France.', signature }]);
  });
});
