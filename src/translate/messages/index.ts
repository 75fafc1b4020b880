/**
 * @module The Anthropic Messages dialect (docs/translation.md, "Anthropic Messages"): as a client's dialect
 * (the Anthropic SDK and Claude Code calling models owned elsewhere) and as an owner's (OpenAI chat, Gemini
 * and Responses clients calling Anthropic-owned models through the native Messages API).
 */
import { isObject } from '../../providers/narrow.ts';
import type { ClientDialect, OwnerDialect } from '../codec.ts';
import { readAnswer, writeAnswer } from './answer.ts';
import { readError, writeError } from './errors.ts';
import { readRequest } from './read-request.ts';
import { streamReader } from './stream-reader.ts';
import { streamWriter } from './stream-writer.ts';
import { countRequest, writeRequest } from './write-request.ts';

export const messagesClient: ClientDialect = {
  readRequest: (body) => readRequest(body),
  writeAnswer,
  streamWriter,
  writeError,
  streamContentType: 'text/event-stream; charset=utf-8',
};

export const messagesOwner: OwnerDialect = {
  writeRequest,
  readAnswer: (body) => readAnswer(body),
  streamReader: () => streamReader(),
  readError,
  countRequest,
  readCount: (body) => (isObject(body) && typeof body.input_tokens === 'number' ? body.input_tokens : undefined),
};
