/**
 * @module The fake Gemini API's answers (https://ai.google.dev/api/generate-content, /api/tokens,
 * /api/embeddings): `GenerateContentResponse` (candidates, content.parts, finishReason,
 * usageMetadata, modelVersion, responseId), streamed as server-sent events with `?alt=sse` (lines
 * ending in CRLF, as Google sends them, no `[DONE]`) or else as one JSON array sent element by
 * element; `{totalTokens}`; `{embedding:{values}}` and `{embeddings:[{values}]}`.
 */
import { countTokens, drip, json, splitWords, type StreamShape } from './upstream-common.ts';

export const GEMINI_METHODS = ['generateContent', 'streamGenerateContent', 'countTokens', 'embedContent', 'batchEmbedContents'] as const;
export type GeminiMethod = (typeof GEMINI_METHODS)[number];

const RESPONSE_ID = 'mAitaLmkHPPlz7IPvtfUqQ4';
const EMBEDDING_DIMENSIONS = 8;

export function geminiAnswer(model: string, method: GeminiMethod, body: Record<string, unknown>, sse: boolean, stream: StreamShape): Response {
  const prompt = countTokens(body.contents ?? body.generateContentRequest);
  const text = `Hello from the gemini demo, as ${model}.`;
  switch (method) {
    case 'generateContent':
      return json(response(model, text, prompt, true));
    case 'streamGenerateContent': {
      const parts = splitWords(text, stream.chunks).filter(Boolean);
      const chunks = parts.map((part, i) => JSON.stringify(response(model, part, prompt, i === parts.length - 1)));
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
 * One `GenerateContentResponse`. A stream's chunks each carry the prompt's count; the last one also
 * the finish reason and the whole usage, as Gemini sends them.
 */
function response(model: string, text: string, prompt: number, last: boolean) {
  const output = text.split(' ').length;
  return {
    candidates: [{ content: { parts: [{ text }], role: 'model' }, ...(last ? { finishReason: 'STOP' } : {}), index: 0 }],
    usageMetadata: {
      promptTokenCount: prompt,
      ...(last ? { candidatesTokenCount: output } : {}),
      totalTokenCount: prompt + (last ? output : 0),
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
    },
    modelVersion: model,
    responseId: RESPONSE_ID,
  };
}

/** A fixed vector per position, so two inputs get two different embeddings. */
function vector(index: number): number[] {
  return Array.from({ length: EMBEDDING_DIMENSIONS }, (_, i) => Number(Math.cos(index + i).toFixed(7)));
}
