/**
 * @module The fake Gemini API's answers (https://ai.google.dev/api/generate-content, /api/tokens,
 * /api/embeddings): `GenerateContentResponse` (candidates, content.parts, finishReason,
 * usageMetadata, modelVersion, responseId), streamed as server-sent events with `?alt=sse` (lines
 * ending in CRLF, as Google sends them, no `[DONE]`) or else as one JSON array sent element by
 * element; a `functionCall` part when functions are declared (upstream-tools.ts decides);
 * `{totalTokens}`; `{embedding:{values}}` and `{embeddings:[{values}]}`. Usage as Gemini reports it:
 * `promptTokenCount` (system instruction included) holding `cachedContentTokenCount` on a follow-up
 * turn, and Gemini 2.5's `thoughtsTokenCount` (apart from `candidatesTokenCount`) unless
 * `thinkingConfig.thinkingBudget` is 0. `contents` is required, as the API requires it.
 */
import { cachedPrefix, countTokens, drip, isRecord, json, REASONING_TOKENS, splitWords, type StreamShape, type UsageReport } from './upstream-common.ts';
import { afterToolText, toolCallFor, toolsOf, type ToolPick } from './upstream-tools.ts';

export const GEMINI_METHODS = ['generateContent', 'streamGenerateContent', 'countTokens', 'embedContent', 'batchEmbedContents'] as const;
export type GeminiMethod = (typeof GEMINI_METHODS)[number];

const RESPONSE_ID = 'mAitaLmkHPPlz7IPvtfUqQ4';
const EMBEDDING_DIMENSIONS = 8;

export function geminiAnswer(model: string, method: GeminiMethod, body: Record<string, unknown>, sse: boolean, stream: StreamShape, report: UsageReport = () => {}, picks: ToolPick[] = []): Response {
  const prompt = countTokens(body.contents ?? body.generateContentRequest) + countTokens(body.systemInstruction);
  switch (method) {
    case 'generateContent':
    case 'streamGenerateContent': {
      if (!Array.isArray(body.contents)) return json({ error: { code: 400, message: '* GenerateContentRequest.contents: contents is not specified', status: 'INVALID_ARGUMENT' } }, 400);
      const call = functionCall(body, picks);
      const text = lastTurnIsFunctionResponse(body.contents) ? afterToolText('gemini', model) : `Hello from the gemini demo, as ${model}.`;
      // Each element is one chunk's parts: a function call comes whole in one chunk, text in several.
      const chunkParts = call !== undefined ? [[call]] : splitWords(text, method === 'generateContent' ? 1 : stream.chunks).filter(Boolean).map((piece) => [{ text: piece }]);
      const counts = { prompt, cached: cachedPrefix(body.contents, (turn) => turn.role === 'model', body.systemInstruction), thoughts: thinks(model, body) ? REASONING_TOKENS : 0 };
      const output = outputTokens(chunkParts.flat());
      report({ input: prompt, cachedInput: counts.cached, output: output + counts.thoughts, reasoning: counts.thoughts });
      if (method === 'generateContent') return json(response(model, chunkParts[0] ?? [], counts, output));
      const chunks = chunkParts.map((parts, i) => JSON.stringify(response(model, parts, counts, i === chunkParts.length - 1 ? output : undefined)));
      if (sse) return drip(chunks.map((chunk) => `data: ${chunk}\r\n\r\n`), stream.dripMs);
      return drip(chunks.map((chunk, i) => (i === 0 ? '[' : ',\r\n') + chunk).concat(']'), stream.dripMs, 'application/json; charset=UTF-8');
    }
    case 'countTokens':
      return json({ totalTokens: prompt, promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }] });
    case 'embedContent':
      return json({ embedding: { values: vector(0) } });
    case 'batchEmbedContents': {
      const requests = Array.isArray(body.requests) ? body.requests : [];
      return json({ embeddings: requests.map((_, i) => ({ values: vector(i) })) });
    }
  }
}

/**
 * A `functionCall` part when `tools` declare functions, the last turn holds no `functionResponse` and
 * `toolConfig.functionCallingConfig.mode` is not `NONE` (the first of `allowedFunctionNames`, if any).
 */
function functionCall(body: Record<string, unknown>, picks: ToolPick[]): { functionCall: { name: string; args: unknown } } | undefined {
  const declarations = (Array.isArray(body.tools) ? body.tools : []).flatMap((tool: unknown) => (isRecord(tool) && Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : []));
  const tools = toolsOf(declarations, (d) => (typeof d.name === 'string' ? { name: d.name, schema: d.parameters ?? d.parametersJsonSchema } : undefined));
  const config = isRecord(body.toolConfig) && isRecord(body.toolConfig.functionCallingConfig) ? body.toolConfig.functionCallingConfig : {};
  const allowed: unknown = Array.isArray(config.allowedFunctionNames) ? config.allowedFunctionNames[0] : undefined;
  const call = toolCallFor(tools, lastTurnIsFunctionResponse(body.contents), { none: config.mode === 'NONE', picks, ...(typeof allowed === 'string' ? { forced: allowed } : {}) });
  return call === undefined ? undefined : { functionCall: { name: call.name, args: JSON.parse(call.arguments) } };
}

function lastTurnIsFunctionResponse(contents: unknown): boolean {
  const last: unknown = Array.isArray(contents) ? contents.at(-1) : undefined;
  return isRecord(last) && Array.isArray(last.parts) && last.parts.some((part: unknown) => isRecord(part) && part.functionResponse !== undefined);
}

/** Output tokens the fake counts for a function call part. */
const FUNCTION_CALL_TOKENS = 8;

const outputTokens = (parts: unknown[]) => countTokens(parts) + (parts.some((part) => isRecord(part) && part.functionCall !== undefined) ? FUNCTION_CALL_TOKENS : 0);

/** Gemini 2.5 thinks unless `generationConfig.thinkingConfig.thinkingBudget` is 0. */
function thinks(model: string, body: Record<string, unknown>): boolean {
  const config = isRecord(body.generationConfig) && isRecord(body.generationConfig.thinkingConfig) ? body.generationConfig.thinkingConfig : {};
  return /^gemini-2\.5/.test(model) && config.thinkingBudget !== 0;
}

/**
 * One `GenerateContentResponse` holding `parts`. A stream's chunks each carry the prompt's count and
 * the thoughts' (thinking is over before the first text); the last one (`output` given) also the
 * finish reason and the whole usage, as Gemini sends them.
 */
function response(model: string, parts: unknown[], counts: { prompt: number; cached: number; thoughts: number }, output?: number) {
  const { prompt, cached, thoughts } = counts;
  return {
    candidates: [{ content: { parts, role: 'model' }, ...(output !== undefined ? { finishReason: 'STOP' } : {}), index: 0 }],
    usageMetadata: {
      promptTokenCount: prompt,
      ...(output !== undefined ? { candidatesTokenCount: output } : {}),
      totalTokenCount: prompt + thoughts + (output ?? 0),
      ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
      ...(cached > 0 ? { cacheTokensDetails: [{ modality: 'TEXT', tokenCount: cached }] } : {}),
      ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
    },
    modelVersion: model,
    responseId: RESPONSE_ID,
  };
}

/** A fixed vector per position, so two inputs get two different embeddings. */
function vector(index: number): number[] {
  return Array.from({ length: EMBEDDING_DIMENSIONS }, (_, i) => Number(Math.cos(index + i).toFixed(7)));
}
