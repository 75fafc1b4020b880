/**
 * @module The OpenAI chat completions dialect (docs/translation.md, "OpenAI chat completions"): as a client
 * (the openai SDK, AI SDK, LangChain, Open WebUI calling Anthropic- or Gemini-owned models) and as an owner
 * (OpenAI, Groq, vLLM, Ollama's /v1, DeepSeek… called by the other dialects' clients).
 */
import type { ClientDialect, OwnerDialect } from '../codec.ts';
import { readAnswer, writeAnswer } from './answer.ts';
import { readError, writeError } from './errors.ts';
import { readRequest } from './read.ts';
import { streamReader } from './stream-read.ts';
import { streamWriter } from './stream-write.ts';
import { writeRequest } from './write.ts';

export const chatClient: ClientDialect = {
  readRequest: (body) => readRequest(body),
  writeAnswer,
  streamWriter,
  writeError,
  streamContentType: 'text/event-stream',
};

/** No token counter: OpenAI-compatible servers have none, so the lead's estimate covers them. */
export const chatOwner: OwnerDialect = {
  writeRequest,
  readAnswer,
  streamReader,
  readError,
};
