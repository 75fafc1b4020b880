/**
 * @module The OpenAI Responses dialect (`POST /v1/responses`), client side only: a model whose owner
 * has a Responses endpoint is called natively, so no owner ever gets a translated Responses request.
 * docs/translation.md, "OpenAI Responses".
 */
import type { ClientDialect } from '../codec.ts';
import { writeError } from './errors.ts';
import { readRequest } from './request.ts';
import { writeAnswer } from './response.ts';
import { streamWriter } from './stream.ts';

export const responsesClient: ClientDialect = {
  readRequest: (body) => readRequest(body),
  writeAnswer,
  streamWriter,
  writeError,
  streamContentType: 'text/event-stream; charset=utf-8',
};
