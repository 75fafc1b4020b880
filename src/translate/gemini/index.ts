/**
 * @module The Gemini dialect of the translation (docs/translation.md, "Gemini"): a client's
 * `generateContent` / `streamGenerateContent?alt=sse` read and answered, and a Gemini owner written to and read.
 */
import type { ClientDialect, OwnerDialect } from '../codec.ts';
import { readGeminiAnswer, writeGeminiAnswer } from './answer.ts';
import { readGeminiError, writeGeminiError } from './errors.ts';
import { readGeminiRequest } from './read-request.ts';
import { geminiStreamReader } from './stream-read.ts';
import { geminiStreamWriter } from './stream-write.ts';
import { countGeminiRequest, writeGeminiRequest } from './write-request.ts';
import { isObject } from '../../providers/narrow.ts';

export const geminiClient: ClientDialect = {
  readRequest: readGeminiRequest,
  writeAnswer: writeGeminiAnswer,
  streamWriter: geminiStreamWriter,
  writeError: writeGeminiError,
  streamContentType: 'text/event-stream',
};

export const geminiOwner: OwnerDialect = {
  writeRequest: writeGeminiRequest,
  readAnswer: readGeminiAnswer,
  streamReader: geminiStreamReader,
  readError: readGeminiError,
  countRequest: countGeminiRequest,
  readCount: (body) => (isObject(body) && typeof body.totalTokens === 'number' ? body.totalTokens : undefined),
};
