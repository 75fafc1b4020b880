/**
 * @module `GET /v1/models` and `/v1/models/{id}` in Anthropic's shape, for requests that send
 * `anthropic-version` (https://docs.anthropic.com/en/api/models-list): `type: "model"`, `id`,
 * `display_name` (the name, else the id), `created_at` (RFC 3339; the epoch when the upstream gave
 * no date, as Anthropic itself does), `max_input_tokens` and `max_tokens` where known (agents such as
 * Claude Code size their context from them), `alias_of` on an alias; paged by `limit` (1–1000,
 * default 20), `after_id`, `before_id`.
 */
import type { StoredList } from '../../cache/kv.ts';
import { apiError } from '../../errors.ts';
import type { Model } from '../../model.ts';
import { derivedAnswer, modelIn, modelsIn, type Answer, type Scope } from '../../serve/answers.ts';
import { pageSize, positionAfter } from '../paging.ts';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 1000;
const UNKNOWN_DATE = '1970-01-01T00:00:00Z';

export interface PageQuery {
  limit?: string;
  after_id?: string;
  before_id?: string;
}

export function anthropicModel(model: Model): Record<string, unknown> {
  return {
    type: 'model',
    id: model.id,
    display_name: model.name ?? model.id,
    created_at: model.created === undefined ? UNKNOWN_DATE : new Date(model.created * 1000).toISOString().replace('.000Z', 'Z'),
    ...(model.context_length === undefined ? {} : { max_input_tokens: model.context_length }),
    ...(model.max_output_tokens === undefined ? {} : { max_tokens: model.max_output_tokens }),
    ...(model.alias_of === undefined ? {} : { alias_of: model.alias_of }),
  };
}

/** One page of the scope's models; the first page at the default limit is kept per list version. */
export function anthropicList(list: StoredList, scope: Scope, query: PageQuery): Answer {
  const limit = pageSize(query.limit, DEFAULT_LIMIT, MAX_LIMIT);
  if (limit === undefined) throw apiError(400, 'invalid_request', `limit: must be a whole number from 1 to ${MAX_LIMIT}.`);
  const { after_id: after, before_id: before } = query;
  if (after !== undefined && before !== undefined) throw apiError(400, 'invalid_request', 'after_id and before_id cannot be used together.');
  const key = `${scope.key}~anthropic~${limit}~${after === undefined ? '' : `a${encodeURIComponent(after)}`}${before === undefined ? '' : `b${encodeURIComponent(before)}`}`;
  const firstPage = after === undefined && before === undefined && limit === DEFAULT_LIMIT;
  return derivedAnswer(list, key, () => {
    const models = modelsIn(list, scope);
    let start: number;
    let end: number;
    let hasMore: boolean;
    if (before !== undefined) {
      end = positionAfter(models, before, true);
      start = Math.max(0, end - limit);
      hasMore = start > 0;
    } else {
      start = after === undefined ? 0 : positionAfter(models, after, false);
      end = Math.min(models.length, start + limit);
      hasMore = end < models.length;
    }
    const data = models.slice(start, end).map(anthropicModel);
    return { data, has_more: hasMore, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
  }, firstPage);
}

/** One model the scope sees, in Anthropic's shape, or undefined exactly as for an unknown id. */
export function anthropicModelAnswer(list: StoredList, scope: Scope, id: string): Answer | undefined {
  const model = modelIn(list, scope, id);
  if (model === undefined) return undefined;
  // The same model is the same bytes in every scope with the same aliases: one answer, one ETag.
  return derivedAnswer(list, `anthropic-m-${scope.aliases.tag}.${encodeURIComponent(id)}`, () => anthropicModel(model), true);
}
