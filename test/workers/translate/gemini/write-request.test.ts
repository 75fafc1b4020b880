import { describe, expect, it } from 'vitest';
import { geminiOwner } from '../../../../src/translate/gemini/index.ts';
import type { Request } from '../../../../src/translate/ir.ts';
import { Refusal } from '../../../../src/translate/refuse.ts';
import type { OwnerRequest } from '../../../../src/translate/codec.ts';

const base = (overrides: Partial<Request> = {}): Request => ({ system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }], stream: false, ...overrides });

function write(request: Request, upstreamModel = 'gemini-2.5-flash'): OwnerRequest {
  const written = geminiOwner.writeRequest(request, { upstreamModel });
  if (written instanceof Refusal) throw new Error(`refused: ${written.message}`);
  return written;
}

describe('Gemini owner: writing a request', () => {
  it('calls generateContent, or streamGenerateContent with alt=sse, the model id segment-safe', () => {
    expect(write(base()).path).toBe('/models/gemini-2.5-flash:generateContent');
    expect(write(base({ stream: true })).path).toBe('/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(write(base(), 'tuned/my model').path).toBe('/models/tuned/my%20model:generateContent');
  });

  it('puts top-level and leading system/developer texts in systemInstruction, later ones in place as a user <system> part', () => {
    const { body } = write(base({
      system: [{ type: 'text', text: 'You are terse.' }],
      messages: [
        { role: 'developer', parts: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'user', parts: [{ type: 'text', text: 'hi' }] },
        { role: 'assistant', parts: [{ type: 'text', text: 'salut' }] },
        { role: 'system', parts: [{ type: 'text', text: 'Now in German.' }] },
        { role: 'user', parts: [{ type: 'text', text: 'and now?' }] },
      ],
    }));
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'You are terse.' }, { text: 'Answer in French.' }] });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'hi' }] },
      { role: 'model', parts: [{ text: 'salut' }] },
      { role: 'user', parts: [{ text: '<system>\nNow in German.\n</system>' }, { text: 'and now?' }] },
    ]);
  });

  it('writes images and documents inline and by URL, a text document as text', () => {
    const { body } = write(base({ messages: [{ role: 'user', parts: [
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' } },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/a.webp' } },
      { type: 'document', source: { kind: 'url', url: 'https://example.com/paper', mediaType: 'application/pdf' } },
      { type: 'document', source: { kind: 'text', text: 'Plain notes.' }, title: 'notes.txt' },
    ] }] }));
    expect(body.contents).toEqual([{ role: 'user', parts: [
      { inlineData: { mimeType: 'image/png', data: 'AAAA' } },
      { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/a.webp' } },
      { fileData: { mimeType: 'application/pdf', fileUri: 'https://example.com/paper' } },
      { text: 'notes.txt\n\nPlain notes.' },
    ] }]);
  });

  it('writes calls with args objects and the stand-in signature on a turn\'s first call, and responses named from their call', () => {
    const { body } = write(base({ messages: [
      { role: 'user', parts: [{ type: 'text', text: 'weather?' }] },
      { role: 'assistant', parts: [
        { type: 'reasoning', text: 'I should look it up.', signature: 'anthropic-signature' },
        { type: 'tool_call', id: 'toolu_1', name: 'weather', arguments: '{"city":"Oslo"}' },
        { type: 'tool_call', id: 'toolu_2', name: 'clock', arguments: '' },
        { type: 'tool_call', id: 'toolu_3', name: 'zone', arguments: '{}' },
      ] },
      { role: 'tool', parts: [
        { type: 'tool_result', id: 'toolu_1', content: [{ type: 'text', text: 'snow' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' } }] },
        { type: 'tool_result', id: 'toolu_2', content: [{ type: 'text', text: 'no clock' }], isError: true },
        { type: 'tool_result', id: 'toolu_3', content: [{ type: 'text', text: '{"zone":"CET","offset":1}' }] },
      ] },
      { role: 'user', parts: [{ type: 'text', text: 'thanks' }] },
    ] }));
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'weather?' }] },
      { role: 'model', parts: [
        { functionCall: { id: 'toolu_1', name: 'weather', args: { city: 'Oslo' } }, thoughtSignature: 'skip_thought_signature_validator' },
        { functionCall: { id: 'toolu_2', name: 'clock', args: {} } },
        { functionCall: { id: 'toolu_3', name: 'zone', args: {} } },
      ] },
      { role: 'user', parts: [
        { functionResponse: { id: 'toolu_1', name: 'weather', response: { output: 'snow' } } },
        { functionResponse: { id: 'toolu_2', name: 'clock', response: { error: 'no clock' } } },
        { functionResponse: { id: 'toolu_3', name: 'zone', response: { zone: 'CET', offset: 1 } } },
        { inlineData: { mimeType: 'image/png', data: 'AAAA' } },
        { text: 'thanks' },
      ] },
    ]);
  });

  it('hands a Gemini signature back on its call', () => {
    const { body } = write(base({ messages: [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{}', signature: 'real-sig' }] }] }));
    expect(body.contents).toEqual([{ role: 'model', parts: [{ functionCall: { id: 'c', name: 'f', args: {} }, thoughtSignature: 'real-sig' }] }]);
  });

  it('refuses a result whose call it cannot name, and arguments that are not an object', () => {
    const unnamed = geminiOwner.writeRequest(base({ messages: [{ role: 'tool', parts: [{ type: 'tool_result', id: 'x', content: [] }] }] }), { upstreamModel: 'm' });
    expect(unnamed instanceof Refusal && unnamed.message).toMatch(/^messages\[0\]\.parts\[0\]\.id: expected the id of a tool call/);
    const broken = geminiOwner.writeRequest(base({ messages: [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '[1]' }] }] }), { upstreamModel: 'm' });
    expect(broken instanceof Refusal && broken.message).toBe('messages[0].parts[0].arguments: expected the JSON text of an object');
  });

  it('writes tools with parametersJsonSchema as they are, and each tool choice', () => {
    const parameters = { type: 'object', properties: { q: { type: ['string', 'null'] } }, required: ['q'], additionalProperties: false };
    const tools = [{ name: 'search', description: 'Finds.', parameters, strict: true }];
    const config = (toolChoice: Request['toolChoice']) => write(base({ tools, toolChoice })).body.toolConfig;
    expect(write(base({ tools })).body.tools).toEqual([{ functionDeclarations: [{ name: 'search', description: 'Finds.', parametersJsonSchema: parameters }] }]);
    expect(config({ type: 'auto' })).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
    expect(config({ type: 'none' })).toEqual({ functionCallingConfig: { mode: 'NONE' } });
    expect(config({ type: 'required' })).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(config({ type: 'tool', name: 'search' })).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['search'] } });
  });

  it('writes sampling, stop sequences, the cap and JSON output in generationConfig', () => {
    const { body } = write(base({ maxTokens: 500, temperature: 0.3, topP: 0.8, topK: 20, seed: 1, presencePenalty: 0.1, frequencyPenalty: 0.2, stop: ['###'], responseFormat: { type: 'json_schema', name: 'x', schema: { type: 'object' } }, user: 'u-1', parallelToolCalls: false }));
    expect(body.generationConfig).toEqual({ maxOutputTokens: 500, temperature: 0.3, topP: 0.8, topK: 20, seed: 1, presencePenalty: 0.1, frequencyPenalty: 0.2, stopSequences: ['###'], responseMimeType: 'application/json', responseJsonSchema: { type: 'object' } });
    expect(Object.keys(body)).toEqual(['contents', 'generationConfig']);
  });

  it('writes thinking: a budget on 2.5, a level on Gemini 3, includeThoughts when the text is wanted', () => {
    const thinking = (reasoning: Request['reasoning'], model = 'gemini-2.5-flash') => write(base({ reasoning }), model).body.generationConfig;
    expect(thinking({ budgetTokens: 4000, includeText: true })).toEqual({ thinkingConfig: { thinkingBudget: 4000, includeThoughts: true } });
    expect(thinking({ effort: 'none' })).toEqual({ thinkingConfig: { thinkingBudget: 0 } });
    expect(thinking({ effort: 'low' })).toEqual({ thinkingConfig: { thinkingBudget: 1024 } });
    expect(thinking({ effort: 'high', budgetTokens: 9000 }, 'gemini-3-pro-preview')).toEqual({ thinkingConfig: { thinkingLevel: 'high' } });
    expect(thinking({ effort: 'minimal', includeText: true }, 'gemini-3-flash-preview')).toEqual({ thinkingConfig: { thinkingLevel: 'low', includeThoughts: true } });
    expect(thinking({ budgetTokens: 2048 }, 'gemini-3-flash-preview')).toEqual({ thinkingConfig: { thinkingBudget: 2048 } });
  });

  it('counts with countTokens and the whole request in generateContentRequest; reads totalTokens', () => {
    const request = base({ system: [{ type: 'text', text: 'sys' }], tools: [{ name: 't', parameters: { type: 'object' } }] });
    const counted = geminiOwner.countRequest?.(request, { upstreamModel: 'gemini-2.5-pro' });
    expect(counted).toEqual({ path: '/models/gemini-2.5-pro:countTokens', body: { generateContentRequest: {
      model: 'models/gemini-2.5-pro',
      contents: [{ role: 'user', parts: [{ text: 'hi' }] }],
      systemInstruction: { parts: [{ text: 'sys' }] },
      tools: [{ functionDeclarations: [{ name: 't', parametersJsonSchema: { type: 'object' } }] }],
    } } });
    expect(geminiOwner.readCount?.({ totalTokens: 31, promptTokensDetails: [] })).toBe(31);
    expect(geminiOwner.readCount?.({})).toBeUndefined();
  });
});
