import { describe, expect, it } from 'vitest';
import { foreignSignatureOut } from '../../../../src/translate/gemini/answer.ts';
import { geminiClient } from '../../../../src/translate/gemini/index.ts';
import type { Request } from '../../../../src/translate/ir.ts';
import { Refusal } from '../../../../src/translate/refuse.ts';
import cli from '../../../fixtures/translate/gemini/gemini-cli-0.61.0.json';

function read(body: unknown, stream = false): Request {
  const request = geminiClient.readRequest(body, { stream });
  if (request instanceof Refusal) throw new Error(`refused: ${request.message}`);
  return request;
}

function refusal(body: unknown): string {
  const request = geminiClient.readRequest(body, {});
  if (!(request instanceof Refusal)) throw new Error('expected a refusal');
  return request.message;
}

const user = (text: string) => ({ role: 'user', parts: [{ text }] });

describe('Gemini client: reading a request', () => {
  it('reads what Gemini CLI 0.61.0 sends, every recorded request, without refusal', () => {
    const [router, turn, afterCall] = cli.requests.map((recorded) => read(recorded.body, recorded.url.includes(':streamGenerateContent')));
    // The router: JSON output with a schema in upper-case OpenAPI types, high thinking with thoughts shown.
    expect(router?.stream).toBe(false);
    expect(router?.responseFormat).toMatchObject({ type: 'json_schema', schema: { type: 'object', properties: { complexity_score: { type: 'integer' } } } });
    expect(router?.reasoning).toEqual({ effort: 'high', includeText: true });
    expect(router?.system[0]?.text).toMatch(/stand-in/);
    // The turn: eight functions with JSON Schema, sampling, a stream.
    expect(turn?.stream).toBe(true);
    expect(turn?.tools?.map((tool) => tool.name)).toEqual(['update_topic', 'list_directory', 'read_file', 'grep_search', 'glob', 'google_web_search', 'enter_plan_mode', 'invoke_agent']);
    expect(turn?.tools?.[1]?.parameters).toMatchObject({ type: 'object', properties: { dir_path: { type: 'string' } } });
    expect([turn?.temperature, turn?.topP, turn?.topK]).toEqual([1, 0.95, 64]);
    expect(turn?.messages).toEqual([{ role: 'user', parts: [{ type: 'text', text: expect.any(String) }, { type: 'text', text: 'list the folder' }] }]);
    // After a call: the call with the CLI's own id and its signature, then the response with the same id.
    const id = 'list_directory_1796659356867_0'; // the CLI's own id, as recorded
    expect(afterCall?.messages.slice(1)).toEqual([
      { role: 'assistant', parts: [{ type: 'tool_call', id, name: 'list_directory', arguments: '{"dir_path":"."}', signature: 'c2lnLTE=' }] },
      { role: 'tool', parts: [{ type: 'tool_result', id, name: 'list_directory', content: [{ type: 'text', text: 'Directory /work/gcli/ws is empty.' }] }] },
    ]);
  });

  it('reads what Gemini CLI sends back after our writer\'s call: our id on call and response, its stand-in signature', () => {
    const recorded = cli.requests[3];
    expect(recorded?.note).toMatch(/stand-in/);
    expect(read(recorded?.body, true).messages.slice(1)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', text: 'Let me look.' }, { type: 'tool_call', id: 'toolu_01', name: 'list_directory', arguments: '{"dir_path":"."}', signature: 'skip_thought_signature_validator' }] },
      { role: 'tool', parts: [{ type: 'tool_result', id: 'toolu_01', name: 'list_directory', content: [{ type: 'text', text: 'Directory /work/gcli/ws is empty.' }] }] },
    ]);
  });

  it('takes the stream flag from the method, not the body', () => {
    expect(read({ contents: [user('hi')], stream: true }).stream).toBe(false);
    expect(read({ contents: [user('hi')] }, true).stream).toBe(true);
  });

  it('reads systemInstruction as the top-level system, a bare string too', () => {
    expect(read({ systemInstruction: { role: 'user', parts: [{ text: 'Be brief.' }, { text: 'Use French.' }] }, contents: [user('hi')] }).system).toEqual([
      { type: 'text', text: 'Be brief.' },
      { type: 'text', text: 'Use French.' },
    ]);
    expect(read({ systemInstruction: 'Be brief.', contents: [user('hi')] }).system).toEqual([{ type: 'text', text: 'Be brief.' }]);
  });

  it('keeps a system turn in contents in place, drops turns of unknown roles, reads a missing role as user', () => {
    const request = read({ contents: [user('a'), { role: 'system', parts: [{ text: 'Now answer in verse.' }] }, { role: 'narrator', parts: [{ text: 'x' }] }, { parts: [{ text: 'b' }] }] });
    expect(request.messages).toEqual([
      { role: 'user', parts: [{ type: 'text', text: 'a' }] },
      { role: 'system', parts: [{ type: 'text', text: 'Now answer in verse.' }] },
      { role: 'user', parts: [{ type: 'text', text: 'b' }] },
    ]);
  });

  it('reads images and PDFs inline and by URL, text files as text, refuses Files API uris and audio', () => {
    const request = read({
      contents: [{ role: 'user', parts: [
        { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
        { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
        { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.jpg' } },
        { fileData: { fileUri: 'https://example.com/paper.pdf' } },
        { inlineData: { mimeType: 'text/markdown', data: btoa('# Notes\n\nCaf\u00c3\u00a9') } },
        { text: 'compare' },
      ] }],
    });
    expect(request.messages[0]?.parts).toEqual([
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' } },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.jpg', mediaType: 'image/jpeg' } },
      { type: 'document', source: { kind: 'url', url: 'https://example.com/paper.pdf' } },
      { type: 'document', source: { kind: 'text', text: '# Notes\n\nCafé', mediaType: 'text/markdown' } },
      { type: 'text', text: 'compare' },
    ]);
    expect(refusal({ contents: [{ role: 'user', parts: [{ fileData: { mimeType: 'application/pdf', fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc123' } }] }] })).toMatch(/^contents\[0\]\.parts\[0\]\.fileData: a file stored with Google/);
    expect(refusal({ contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } }] }] })).toMatch(/^contents\[0\]\.parts\[0\]\.inlineData: "audio\/wav" media/);
  });

  it('makes up ids for calls without one and pairs responses with them by name, in order', () => {
    const request = read({
      contents: [
        user('weather in Tokyo and Paris, and the time?'),
        { role: 'model', parts: [
          { functionCall: { name: 'weather', args: { city: 'Tokyo' } }, thoughtSignature: 'sig-1' },
          { functionCall: { name: 'clock', args: {} } },
          { functionCall: { name: 'weather', args: { city: 'Paris' } } },
        ] },
        { role: 'user', parts: [
          { functionResponse: { name: 'clock', response: { output: '12:00' } } },
          { functionResponse: { name: 'weather', response: { output: 'rain', station: 'Haneda' } } },
          { functionResponse: { name: 'weather', response: { error: 'no station' } } },
          { text: 'and tomorrow?' },
        ] },
      ],
    });
    expect(request.messages[1]?.parts.map((part) => (part.type === 'tool_call' ? [part.id, part.name, part.arguments, part.signature] : part.type))).toEqual([
      ['call_1_0', 'weather', '{"city":"Tokyo"}', 'sig-1'],
      ['call_1_1', 'clock', '{}', undefined],
      ['call_1_2', 'weather', '{"city":"Paris"}', undefined],
    ]);
    expect(request.messages[2]).toEqual({ role: 'tool', parts: [
      { type: 'tool_result', id: 'call_1_1', name: 'clock', content: [{ type: 'text', text: '12:00' }] },
      { type: 'tool_result', id: 'call_1_0', name: 'weather', content: [{ type: 'text', text: '{"output":"rain","station":"Haneda"}' }] },
      { type: 'tool_result', id: 'call_1_2', name: 'weather', content: [{ type: 'text', text: 'no station' }], isError: true },
    ] });
    expect(request.messages[3]).toEqual({ role: 'user', parts: [{ type: 'text', text: 'and tomorrow?' }] });
  });

  it('carries images a function response gives in its parts', () => {
    const request = read({ contents: [
      { role: 'model', parts: [{ functionCall: { id: 'c1', name: 'screenshot', args: {} } }] },
      { role: 'user', parts: [{ functionResponse: { id: 'c1', name: 'screenshot', response: { output: 'ok' }, parts: [{ inlineData: { mimeType: 'image/png', data: 'AAAA' } }] } }] },
    ] });
    expect(request.messages[1]?.parts[0]).toEqual({ type: 'tool_result', id: 'c1', name: 'screenshot', content: [{ type: 'text', text: 'ok' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' } }] });
  });

  it("reads thought parts as reasoning (another owner's signature we marked kept, Gemini's own dropped), drops code execution parts and unknown part fields", () => {
    const request = read({ contents: [user('q'), { role: 'model', parts: [
      { text: 'Considering.', thought: true, thoughtSignature: 'ts' },
      { executableCode: { language: 'PYTHON', code: 'print(1)' } },
      { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '1' } },
      { text: 'One.', videoMetadata: { fps: 1 } },
      { text: 'Signed elsewhere.', thought: true, thoughtSignature: foreignSignatureOut('EqQBCkgI') },
    ] }] });
    expect(request.messages[1]).toEqual({ role: 'assistant', parts: [{ type: 'reasoning', text: 'Considering.' }, { type: 'text', text: 'One.' }, { type: 'reasoning', text: 'Signed elsewhere.', signature: 'EqQBCkgI' }] });
  });

  it('converts OpenAPI-subset parameters to JSON Schema: lower-case types, nullable as a union, propertyOrdering dropped, a property named type kept', () => {
    const request = read({ contents: [user('q')], tools: [{ functionDeclarations: [{ name: 'f', description: 'd', parameters: {
      type: 'OBJECT', propertyOrdering: ['type', 'tags'],
      properties: { type: { type: 'STRING', enum: ['a', 'b'], nullable: true }, tags: { type: 'ARRAY', items: { type: 'STRING' } }, at: { anyOf: [{ type: 'INTEGER' }, { type: 'NUMBER' }] } },
      required: ['type'],
    } }, { name: 'g' }] }] });
    expect(request.tools).toEqual([
      { name: 'f', description: 'd', parameters: { type: 'object', properties: { type: { type: ['string', 'null'], enum: ['a', 'b'] }, tags: { type: 'array', items: { type: 'string' } }, at: { anyOf: [{ type: 'integer' }, { type: 'number' }] } }, required: ['type'] } },
      { name: 'g', parameters: { type: 'object', properties: {} } },
    ]);
  });

  it('refuses server tools by name', () => {
    expect(refusal({ contents: [user('q')], tools: [{ functionDeclarations: [{ name: 'f' }] }, { googleSearch: {} }] })).toMatch(/^tools\[1\]\.googleSearch: Gemini's "googleSearch" server tool cannot be translated/);
    expect(refusal({ contents: [user('q')], tools: [{ codeExecution: {} }] })).toMatch(/^tools\[0\]\.codeExecution/);
  });

  it('reads functionCallingConfig modes and allowed names', () => {
    const tools = [{ functionDeclarations: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }];
    const choice = (config: unknown) => read({ contents: [user('q')], tools, toolConfig: { functionCallingConfig: config } });
    expect(choice({ mode: 'AUTO' }).toolChoice).toEqual({ type: 'auto' });
    expect(choice({ mode: 'NONE' }).toolChoice).toEqual({ type: 'none' });
    expect(choice({ mode: 'ANY' }).toolChoice).toEqual({ type: 'required' });
    expect(choice({ mode: 'ANY', allowedFunctionNames: ['b'] }).toolChoice).toEqual({ type: 'tool', name: 'b' });
    const two = choice({ mode: 'ANY', allowedFunctionNames: ['a', 'c'] });
    expect([two.toolChoice, two.tools?.map((tool) => tool.name)]).toEqual([{ type: 'required' }, ['a', 'c']]);
    expect(choice({ mode: 'VALIDATED' }).toolChoice).toEqual({ type: 'auto' });
  });

  it('reads sampling, stop sequences, the output cap and JSON output', () => {
    const request = read({ contents: [user('q')], generationConfig: { maxOutputTokens: 300, temperature: 0.2, topP: 0.9, topK: 40, seed: 7, presencePenalty: 0.5, frequencyPenalty: 0.25, stopSequences: ['END'], candidateCount: 1, responseMimeType: 'application/json' } });
    expect(request).toMatchObject({ maxTokens: 300, temperature: 0.2, topP: 0.9, topK: 40, seed: 7, presencePenalty: 0.5, frequencyPenalty: 0.25, stop: ['END'], responseFormat: { type: 'json_object' } });
    expect(read({ contents: [user('q')], generationConfig: { responseMimeType: 'application/json', responseSchema: { type: 'OBJECT', properties: { n: { type: 'INTEGER' } } } } }).responseFormat).toEqual({ type: 'json_schema', schema: { type: 'object', properties: { n: { type: 'integer' } } } });
  });

  it('reads thinking: budget 0 is off, -1 dynamic, a budget, a level, includeThoughts', () => {
    const thinking = (config: unknown) => read({ contents: [user('q')], generationConfig: { thinkingConfig: config } }).reasoning;
    expect(thinking({ thinkingBudget: 0 })).toEqual({ effort: 'none' });
    expect(thinking({ thinkingBudget: -1 })).toEqual({ effort: 'medium' });
    expect(thinking({ thinkingBudget: 2048, includeThoughts: true })).toEqual({ budgetTokens: 2048, includeText: true });
    expect(thinking({ thinkingLevel: 'low' })).toEqual({ effort: 'low' });
  });

  it('refuses several candidates, cachedContent, audio output and enum output; drops safetySettings and labels', () => {
    expect(refusal({ contents: [user('q')], generationConfig: { candidateCount: 2 } })).toMatch(/^generationConfig\.candidateCount/);
    expect(refusal({ contents: [user('q')], cachedContent: 'cachedContents/abc' })).toMatch(/^cachedContent/);
    expect(refusal({ contents: [user('q')], generationConfig: { responseModalities: ['AUDIO'] } })).toMatch(/^generationConfig\.responseModalities/);
    expect(refusal({ contents: [user('q')], generationConfig: { responseMimeType: 'text/x.enum' } })).toMatch(/^generationConfig\.responseMimeType/);
    const request = read({ contents: [user('q')], safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }], labels: { team: 'a' }, somethingNew: 1 });
    expect(request).toEqual({ system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'q' }] }], stream: false });
  });

  it('says which field is malformed', () => {
    expect(refusal({})).toBe('contents: expected an array of Content objects');
    expect(refusal({ contents: [{ role: 'model', parts: [{ functionCall: { args: {} } }] }] })).toBe('contents[0].parts[0].functionCall.name: expected a function name');
  });
});
