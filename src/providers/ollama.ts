/** @module Ollama's native `GET /api/tags`. https://github.com/ollama/ollama/blob/main/docs/api.md#list-local-models */
import type { UpstreamModel } from '../model.ts';
import { arrayField, listEntries, noId, optionalString, unixSeconds, type Json, type Skip } from './narrow.ts';
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
    return listEntries(arrayField(json, 'models'), toModel);
  },
};

function toModel(entry: Json): UpstreamModel | Skip {
  // `model` is the tag clients pass to /api/chat; older servers send only `name`.
  const id = optionalString(entry.model) ?? optionalString(entry.name);
  if (id === undefined) return noId('model');
  // RFC 3339 with nanoseconds and a local offset: `2024-05-01T14:26:23.140384637-07:00`.
  return { id, created: unixSeconds(entry.modified_at) };
}
