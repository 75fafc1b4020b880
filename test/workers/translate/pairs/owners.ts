/**
 * @module Owner streams in each owner's recorded shapes (OpenAI chunks, Anthropic events, Gemini responses):
 * text, calls split and interleaved, a call without parameters, usage after the stop; a length stop; an
 * in-stream error and a body cut short.
 */
import type { OwnerDialect } from '../../../../src/translate/codec.ts';
import { chatOwner } from '../../../../src/translate/chat/index.ts';
import { geminiOwner } from '../../../../src/translate/gemini/index.ts';
import { messagesOwner } from '../../../../src/translate/messages/index.ts';
import { calls, type Json, named, type OwnerCase, sse, streamed } from './support.ts';

/** OpenAI: text, two calls interleaved by index with arguments split mid-string, the finish, the usage chunk after it. */
export const chatHead = { id: 'chatcmpl-abc', object: 'chat.completion.chunk', created: 1764650000, model: 'gpt-4.1', system_fingerprint: 'fp_1' };
export const chunk = (delta: Json, finish: string | null = null) => ({ ...chatHead, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
export const chatTools = sse([
  chunk({ role: 'assistant', content: '', refusal: null }),
  chunk({ content: 'Let me ' }),
  chunk({ content: 'check.' }),
  chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Pa' } }] }),
  chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: 'ris","note":"say \\"}\\" if cold"}' } }] }),
  chunk({ tool_calls: [{ index: 1, function: { arguments: '"UTC"}' } }] }),
  // A tool without parameters: no argument piece at all.
  chunk({ tool_calls: [{ index: 2, id: 'call_c', type: 'function', function: { name: 'list_files', arguments: '' } }] }),
  chunk({}, 'tool_calls'),
  { ...chatHead, choices: [], usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150, prompt_tokens_details: { cached_tokens: 40, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 10, audio_tokens: 0 } } },
  '[DONE]',
]);
export const chatLength = sse([
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'A long ' }),
  chunk({ content: 'story' }),
  chunk({}, 'length'),
  { ...chatHead, choices: [], usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 } },
  '[DONE]',
]);

/** Anthropic: message_start with cache usage, text, two tool_use blocks with split input_json_delta, message_delta, message_stop. */
export const block = (index: number, content_block: Json): [string, unknown] => ['content_block_start', { type: 'content_block_start', index, content_block }];
export const delta = (index: number, d: Json): [string, unknown] => ['content_block_delta', { type: 'content_block_delta', index, delta: d }];
export const blockStop = (index: number): [string, unknown] => ['content_block_stop', { type: 'content_block_stop', index }];
export const messageStart = (usage: Json): [string, unknown] => ['message_start', { type: 'message_start', message: { id: 'msg_01XYZ', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage } }];
export const messagesTools = named([
  messageStart({ input_tokens: 60, cache_creation_input_tokens: 0, cache_read_input_tokens: 40, output_tokens: 1 }),
  block(0, { type: 'text', text: '' }),
  ['ping', { type: 'ping' }],
  delta(0, { type: 'text_delta', text: 'Let me ' }),
  delta(0, { type: 'text_delta', text: 'check.' }),
  blockStop(0),
  block(1, { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: {} }),
  delta(1, { type: 'input_json_delta', partial_json: '' }),
  delta(1, { type: 'input_json_delta', partial_json: '{"city": "Pa' }),
  delta(1, { type: 'input_json_delta', partial_json: 'ris", "note": "say \\"}\\" if cold"}' }),
  blockStop(1),
  block(2, { type: 'tool_use', id: 'toolu_b', name: 'get_time', input: {} }),
  delta(2, { type: 'input_json_delta', partial_json: '{"tz": "UTC"}' }),
  blockStop(2),
  // A tool without parameters, as Anthropic streams it: an empty input_json_delta.
  block(3, { type: 'tool_use', id: 'toolu_c', name: 'list_files', input: {} }),
  delta(3, { type: 'input_json_delta', partial_json: '' }),
  blockStop(3),
  ['message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 50 } }],
  ['message_stop', { type: 'message_stop' }],
]);
export const messagesLength = named([
  messageStart({ input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 }),
  block(0, { type: 'text', text: '' }),
  delta(0, { type: 'text_delta', text: 'A long ' }),
  delta(0, { type: 'text_delta', text: 'story' }),
  blockStop(0),
  ['message_delta', { type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { output_tokens: 5 } }],
  ['message_stop', { type: 'message_stop' }],
]);

/** Gemini: text, then both calls whole in one chunk with the finish and running usage (cached inside the prompt, thoughts outside the candidates). */
export const geminiChunk = (parts: Json[], extra: Json = {}, usage?: Json) => ({ candidates: [{ content: { parts, role: 'model' }, index: 0, ...extra }], ...(usage ? { usageMetadata: usage } : {}), modelVersion: 'gemini-2.5-flash', responseId: 'resp-gem-1' });
export const geminiTools = sse([
  geminiChunk([{ text: 'Let me ' }], {}, { promptTokenCount: 100, candidatesTokenCount: 2, totalTokenCount: 112, thoughtsTokenCount: 10, cachedContentTokenCount: 40 }),
  geminiChunk([{ text: 'check.' }]),
  geminiChunk([{ functionCall: { name: 'get_weather', args: calls[0]?.args }, thoughtSignature: 'c2lnbmF0dXJl' }, { functionCall: { name: 'get_time', args: calls[1]?.args } }, { functionCall: { name: 'list_files', args: {} } }], { finishReason: 'STOP' }, { promptTokenCount: 100, candidatesTokenCount: 40, totalTokenCount: 150, thoughtsTokenCount: 10, cachedContentTokenCount: 40 }),
]).replaceAll('\n\n', '\r\n\r\n');
export const geminiLength = sse([
  geminiChunk([{ text: 'A long ' }]),
  geminiChunk([{ text: 'story' }], { finishReason: 'MAX_TOKENS' }, { promptTokenCount: 12, candidatesTokenCount: 5, totalTokenCount: 17 }),
]).replaceAll('\n\n', '\r\n\r\n');

export const OWNERS: Record<string, OwnerCase[]> = {
  chat: [
    { owner: chatOwner, body: chatTools, text: 'Let me check.', calls: streamed, stop: 'tool_use', usage: { prompt: 100, cached: 40, output: 50 } },
    { owner: chatOwner, body: chatLength, text: 'A long story', calls: [], stop: 'max_tokens', usage: { prompt: 12, cached: 0, output: 5 } },
  ],
  messages: [
    { owner: messagesOwner, body: messagesTools, text: 'Let me check.', calls: streamed, stop: 'tool_use', usage: { prompt: 100, cached: 40, output: 50 } },
    { owner: messagesOwner, body: messagesLength, text: 'A long story', calls: [], stop: 'max_tokens', usage: { prompt: 12, cached: 0, output: 5 } },
  ],
  gemini: [
    { owner: geminiOwner, body: geminiTools, text: 'Let me check.', calls: streamed, stop: 'tool_use', usage: { prompt: 100, cached: 40, output: 50 } },
    { owner: geminiOwner, body: geminiLength, text: 'A long story', calls: [], stop: 'max_tokens', usage: { prompt: 12, cached: 0, output: 5 } },
  ],
};

/** An owner failing mid-stream (its own in-stream error form) and an owner whose body stops before it finished. */
export const FAILURES: Record<string, { owner: OwnerDialect; error: string; cut: string; message: string }> = {
  chat: {
    owner: chatOwner,
    error: sse([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), { error: { message: 'prompt is too long: 210000 tokens > 200000 maximum', type: 'invalid_request_error', param: null, code: null } }]),
    cut: sse([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' })]),
    message: 'prompt is too long: 210000 tokens > 200000 maximum',
  },
  messages: {
    owner: messagesOwner,
    error: named([messageStart({ input_tokens: 5, output_tokens: 1 }), block(0, { type: 'text', text: '' }), delta(0, { type: 'text_delta', text: 'Hel' }), ['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]]),
    cut: named([messageStart({ input_tokens: 5, output_tokens: 1 }), block(0, { type: 'text', text: '' }), delta(0, { type: 'text_delta', text: 'Hel' })]),
    message: 'Overloaded',
  },
  gemini: {
    owner: geminiOwner,
    error: `${sse([geminiChunk([{ text: 'Hel' }])]).replaceAll('\n\n', '\r\n\r\n')}{"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}}\r\n`,
    cut: sse([geminiChunk([{ text: 'Hel' }])]).replaceAll('\n\n', '\r\n\r\n'),
    message: 'The model is overloaded. Please try again later.',
  },
};
