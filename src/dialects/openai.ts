/** @module The OpenAI dialect: `Authorization: Bearer`, `{"error":{"message","type","code"}}`. */
import { bearerKey } from './credentials.ts';
import type { Dialect } from './types.ts';

export const openai: Dialect = {
  name: 'openai',
  presentedKey: bearerKey,
  keyHint: 'send it as Authorization: Bearer sk-me-…',
  errorResponse: (error) => error.getResponse(),
};
