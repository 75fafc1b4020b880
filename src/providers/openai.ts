/**
 * @module OpenAI-compatible `GET /models`: OpenAI, Groq, Mistral, DeepSeek, Together, OpenRouter,
 * vLLM, LM Studio and Ollama's `/v1`. https://platform.openai.com/docs/api-reference/models/list
 */
import type { UpstreamModel } from '../model.ts';
import { arrayField, isObject, optionalNumber, optionalString, requiredId } from './narrow.ts';
import { joinUrl } from '../upstream/url.ts';
import type { ProviderSpec } from './types.ts';

export const openai: ProviderSpec = {
  defaultBaseUrl: 'https://api.openai.com/v1',
  pageUrl: (baseUrl) => joinUrl(baseUrl, '/models'),
  // The list and the calls share one root.
  inferenceBase: (baseUrl) => baseUrl,
  authHeaders: (key) => ({ Authorization: `Bearer ${key}` }),
  parse(json) {
    // Together answers with a bare array instead of `{ object: "list", data }`.
    const entries = Array.isArray(json) ? json : arrayField(json, 'data');
    return { models: entries.map(toModel) };
  },
};

function toModel(entry: unknown): UpstreamModel {
  const id = requiredId(entry, 'id');
  if (!isObject(entry)) return { id };
  const topProvider = isObject(entry.top_provider) ? entry.top_provider : {};
  return {
    id,
    // DeepSeek and LM Studio send no `created`: leave it out rather than invent one.
    created: optionalNumber(entry.created),
    // Together names the owner `organization`.
    owned_by: optionalString(entry.owned_by) ?? optionalString(entry.organization),
    // OpenRouter and Mistral send `name`, Together `display_name`.
    name: optionalString(entry.name) ?? optionalString(entry.display_name),
    // OpenRouter/Together `context_length`, Groq `context_window`, Mistral `max_context_length`,
    // vLLM `max_model_len`.
    context_length:
      optionalNumber(entry.context_length) ??
      optionalNumber(entry.context_window) ??
      optionalNumber(entry.max_context_length) ??
      optionalNumber(entry.max_model_len),
    // Groq `max_completion_tokens`, OpenRouter `top_provider.max_completion_tokens`.
    max_output_tokens:
      optionalNumber(entry.max_completion_tokens) ?? optionalNumber(topProvider.max_completion_tokens),
  };
}
