/** @module Ollama's native `GET /api/tags`. https://github.com/ollama/ollama/blob/main/docs/api.md#list-local-models */
import type { UpstreamModel } from '../model.ts';
import { arrayField, isObject, optionalString, requiredId, unixSecondsFromDate } from './narrow.ts';
import { joinUrl } from '../upstream/url.ts';
import type { ProviderSpec } from './types.ts';

export const ollama: ProviderSpec = {
  defaultBaseUrl: 'http://localhost:11434',
  pageUrl: (baseUrl) => joinUrl(baseUrl, '/api/tags'),
  // Ollama itself has no keys; a proxy in front of it usually takes a bearer token.
  // Ollama's OpenAI compatibility: `/v1/chat/completions`. https://github.com/ollama/ollama/blob/main/docs/openai.md
  inferenceBase: (baseUrl) => joinUrl(baseUrl, '/v1'),
  authHeaders: (key) => ({ Authorization: `Bearer ${key}` }),
  parse(json) {
    return { models: arrayField(json, 'models').map(toModel) };
  },
};

function toModel(entry: unknown): UpstreamModel {
  // `model` is the tag clients pass to /api/chat; older servers send only `name`.
  const id = requiredId(entry, isObject(entry) && optionalString(entry.model) !== undefined ? 'model' : 'name');
  if (!isObject(entry)) return { id };
  return { id, created: unixSecondsFromDate(entry.modified_at) };
}
