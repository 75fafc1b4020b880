/**
 * @module OpenAI-compatible `GET /models`: OpenAI, Azure OpenAI, Groq, Mistral, DeepSeek, Together,
 * OpenRouter, Novita, SambaNova, DeepInfra, Fireworks, vLLM, llama.cpp, LM Studio and Ollama's `/v1`.
 * https://platform.openai.com/docs/api-reference/models/list
 */
import type { UpstreamModel } from '../model.ts';
import { arrayField, isObject, listEntries, nested, noId, optionalNumber, optionalString, unixSeconds, type Json, type Skip } from './narrow.ts';
import { joinUrl } from '../upstream/url.ts';
import type { ProviderSpec } from './types.ts';

export const openai: ProviderSpec = {
  defaultBaseUrl: 'https://api.openai.com/v1',
  pageUrl: (baseUrl) => joinUrl(baseUrl, '/models'),
  // The list and the calls share one root.
  inferenceBase: (baseUrl) => baseUrl,
  authHeaders: (key) => ({ Authorization: `Bearer ${key}` }),
  parse(json) {
    return listEntries(entriesOf(json), toModel);
  },
};

/** The entries of a list, whatever envelope the server uses. */
function entriesOf(json: unknown): unknown[] {
  // Together answers with a bare array instead of `{ object: "list", data }`.
  if (Array.isArray(json)) return json;
  // Ollama's `/v1/models` with nothing pulled: `{"object":"list","data":null}` (a nil Go slice).
  // A list object without `data` is as empty. https://github.com/ollama/ollama/blob/main/openai/openai.go
  if (isObject(json) && (json.data === null || (json.data === undefined && json.object === 'list'))) return [];
  return arrayField(json, 'data');
}

function toModel(entry: Json): UpstreamModel | Skip {
  const id = optionalString(entry.id);
  if (id === undefined) return noId('id');
  const metadata = nested(entry, 'metadata');
  return {
    id,
    // Seconds in `created` (OpenAI and most); Azure OpenAI's classic list sends seconds in `created_at`
    // (https://learn.microsoft.com/en-us/rest/api/azureopenai/models/list); some send an ISO-8601 string.
    // DeepSeek and LM Studio send none: left out rather than invented.
    created: unixSeconds(entry.created) ?? unixSeconds(entry.created_at),
    // Together names the owner `organization`.
    owned_by: optionalString(entry.owned_by) ?? optionalString(entry.organization),
    // OpenRouter and Mistral `name`; Together `display_name`; Novita `title`
    // (https://novita.ai/docs/api-reference/model-apis-llm-list-models).
    name: optionalString(entry.name) ?? optionalString(entry.display_name) ?? optionalString(entry.title),
    context_length:
      // OpenRouter, Together, SambaNova, Fireworks.
      optionalNumber(entry.context_length) ??
      // Groq.
      optionalNumber(entry.context_window) ??
      // Mistral, LM Studio.
      optionalNumber(entry.max_context_length) ??
      // vLLM.
      optionalNumber(entry.max_model_len) ??
      // Novita.
      optionalNumber(entry.context_size) ??
      // DeepInfra's `/v1/openai/models` nests it. https://deepinfra.com/docs/openai_api
      optionalNumber(metadata.context_length),
    max_output_tokens:
      // Groq, SambaNova (https://docs.sambanova.ai/cloud/api-reference/endpoints/model-list).
      optionalNumber(entry.max_completion_tokens) ??
      // Novita.
      optionalNumber(entry.max_output_tokens) ??
      // OpenRouter.
      optionalNumber(nested(entry, 'top_provider').max_completion_tokens) ??
      // DeepInfra.
      optionalNumber(metadata.max_tokens),
  };
}
