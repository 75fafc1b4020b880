/** @module Anthropic `GET /v1/models`, paged by `after_id`. https://docs.anthropic.com/en/api/models-list */
import type { UpstreamModel } from '../model.ts';
import { arrayField, isObject, listEntries, noId, optionalNumber, optionalString, unixSeconds, type Json, type Skip } from './narrow.ts';
import { joinUrl } from '../upstream/url.ts';
import { ShapeError, type ProviderSpec } from './types.ts';

/** The largest page the API accepts: fewest round trips. */
const PAGE_LIMIT = 1000;
/** The API version the list format below is documented for. */
const ANTHROPIC_VERSION = '2023-06-01';

export const anthropic: ProviderSpec = {
  defaultBaseUrl: 'https://api.anthropic.com/v1',
  pageUrl(baseUrl, cursor) {
    const url = new URL(joinUrl(baseUrl, '/models'));
    url.searchParams.set('limit', String(PAGE_LIMIT));
    if (cursor !== undefined) url.searchParams.set('after_id', cursor);
    return url.href;
  },
  // Anthropic's OpenAI SDK compatibility: `{baseUrl}/chat/completions`. https://docs.anthropic.com/en/api/openai-sdk
  inferenceBase: (baseUrl) => baseUrl,
  authHeaders: (key) => ({ 'x-api-key': key, 'anthropic-version': ANTHROPIC_VERSION }),
  parse(json) {
    const page = listEntries(arrayField(json, 'data'), toModel);
    if (!isObject(json) || json.has_more !== true) return page;
    const next = optionalString(json.last_id);
    if (next === undefined) throw new ShapeError('expected "last_id" when "has_more" is true');
    page.next = next;
    return page;
  },
};

function toModel(entry: Json): UpstreamModel | Skip {
  const id = optionalString(entry.id);
  if (id === undefined) return noId('id');
  const created = unixSeconds(entry.created_at);
  return {
    id,
    // "May be set to an epoch value if the release date is unknown": that is no date at all.
    created: created === 0 ? undefined : created,
    name: optionalString(entry.display_name),
    context_length: optionalNumber(entry.max_input_tokens),
    max_output_tokens: optionalNumber(entry.max_tokens),
  };
}
