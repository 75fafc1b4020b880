/**
 * @module `GET /v1beta/models` and `/v1beta/models/{id}` in Gemini's shape
 * (https://ai.google.dev/api/models#Model), paged by `pageSize` (1–1000, default 50) and `pageToken`.
 * Only the models the Gemini routes can call are listed: every model that takes calls (another owner's
 * through translation), but for embedding models of other owners, which Gemini's embeddings API cannot reach.
 */
import type { StoredList } from '../../cache/kv.ts';
import type { Config } from '../../config.ts';
import { apiError } from '../../errors.ts';
import type { Model } from '../../model.ts';
import { derivedAnswer, modelsIn, type Answer, type Scope } from '../../serve/answers.ts';
import { pageSize, positionAfter } from '../paging.ts';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
/** What models-edge forwards for each kind of model; the kind is read from the id, as Google names them. */
const GENERATION_METHODS = ['generateContent', 'streamGenerateContent', 'countTokens'];
const EMBEDDING_METHODS = ['embedContent', 'batchEmbedContents', 'countTokens'];
/** Another owner's embedding model, by its name (`text-embedding-3-small`, `nomic-embed-text`): not callable here. */
const EMBEDDING_ID = /embed/i;

/** Whether the Gemini routes can call `model`: its owner takes calls, and an embedding model is Gemini's own. */
export function geminiCallable(config: Config, model: Model): boolean {
  const entry = config.providers.find((p) => p.id === model.provider);
  return entry !== undefined && entry.inferenceBase !== null && (entry.type === 'gemini' || !EMBEDDING_ID.test(model.id));
}

export function geminiModel(model: Model): Record<string, unknown> {
  return {
    name: `models/${model.id}`,
    baseModelId: model.id,
    displayName: model.name ?? model.id,
    ...(model.context_length === undefined ? {} : { inputTokenLimit: model.context_length }),
    ...(model.max_output_tokens === undefined ? {} : { outputTokenLimit: model.max_output_tokens }),
    supportedGenerationMethods: (model.alias_of ?? model.id).includes('embedding') ? EMBEDDING_METHODS : GENERATION_METHODS,
    ...(model.alias_of === undefined ? {} : { alias_of: model.alias_of }),
  };
}

export function geminiList(list: StoredList, config: Config, scope: Scope, query: { pageSize?: string; pageToken?: string }): Answer {
  const size = pageSize(query.pageSize, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  if (size === undefined) throw apiError(400, 'invalid_request', `pageSize: must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  const token = query.pageToken === '' ? undefined : query.pageToken;
  const key = `${scope.key}~gemini~${size}~${token === undefined ? '' : encodeURIComponent(token)}`;
  return derivedAnswer(list, key, () => {
    const models = callableIn(list, config, scope);
    const start = token === undefined ? 0 : positionAfter(models, token, false);
    const page = models.slice(start, start + size);
    const last = page.at(-1);
    return { models: page.map(geminiModel), ...(last !== undefined && start + size < models.length ? { nextPageToken: last.id } : {}) };
  }, token === undefined && size === DEFAULT_PAGE_SIZE);
}

/** One model the Gemini routes can call, in Gemini's shape, or undefined exactly as for an unknown id. */
export function geminiModelAnswer(list: StoredList, config: Config, scope: Scope, id: string): Answer | undefined {
  const models = callableIn(list, config, scope);
  const model = models[positionAfter(models, id, true)];
  if (model?.id !== id) return undefined;
  return derivedAnswer(list, `gemini-m-${scope.aliases.tag}.${encodeURIComponent(id)}`, () => geminiModel(model), true);
}

function callableIn(list: StoredList, config: Config, scope: Scope): readonly Model[] {
  return modelsIn(list, scope, { name: 'gemini', keeps: (model) => geminiCallable(config, model) });
}
