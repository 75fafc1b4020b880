/**
 * @module Gemini `GET /v1beta/models`, paged by `pageToken`.
 * https://ai.google.dev/api/models#method:-models.list
 */
import type { UpstreamModel } from '../model.ts';
import { arrayField, isObject, listEntries, noId, optionalNumber, optionalString, type Json, type Skip } from './narrow.ts';
import { joinUrl } from '../upstream/url.ts';
import type { ProviderSpec } from './types.ts';

/** The largest page the API accepts: fewest round trips. */
const PAGE_SIZE = 1000;
/** Names are resource names, `models/gemini-2.5-pro`; clients call them by the bare id. */
const RESOURCE_PREFIX = 'models/';

export const gemini: ProviderSpec = {
  defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta',
  pageUrl(baseUrl, cursor) {
    const url = new URL(joinUrl(baseUrl, '/models'));
    url.searchParams.set('pageSize', String(PAGE_SIZE));
    if (cursor !== undefined) url.searchParams.set('pageToken', cursor);
    return url.href;
  },
  // Gemini's OpenAI compatibility lives under `/v1beta/openai`. https://ai.google.dev/gemini-api/docs/openai
  inferenceBase: (baseUrl) => joinUrl(baseUrl, '/openai'),
  authHeaders: (key) => ({ 'x-goog-api-key': key }),
  parse(json) {
    const page = listEntries(arrayField(json, 'models'), toModel);
    copyOut(page.models);
    // The last page has no token, or an empty one.
    const next = isObject(json) ? optionalString(json.nextPageToken) : undefined;
    if (next !== undefined) page.next = next;
    return page;
  },
};

/**
 * An id cut from `models/…` is, to V8, a view into the longer name, and a single such view anywhere
 * in the list sends `JSON.stringify` off its fast path for the whole list (twice the CPU). One JSON
 * round trip of the page's ids gives each its own copy, for a fraction of that.
 */
function copyOut(models: UpstreamModel[]): void {
  const ids = JSON.parse(JSON.stringify(models.map((model) => model.id))) as string[];
  for (let i = 0; i < models.length; i++) {
    const model = models[i];
    const id = ids[i];
    if (model !== undefined && id !== undefined) model.id = id;
  }
}

function toModel(entry: Json): UpstreamModel | Skip {
  const name = optionalString(entry.name);
  if (name === undefined) return noId('name');
  return {
    id: name.startsWith(RESOURCE_PREFIX) ? name.slice(RESOURCE_PREFIX.length) : name,
    name: optionalString(entry.displayName),
    context_length: optionalNumber(entry.inputTokenLimit),
    max_output_tokens: optionalNumber(entry.outputTokenLimit),
  };
}
