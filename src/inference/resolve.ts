/**
 * @module The shared core of every call, whatever its dialect: the client key's record, the model
 * looked up in that key's view through the same cached read as the list (what a key cannot list,
 * it cannot call), its owning provider entry, and the owner's consent to calls. An `ALIASES` name
 * resolves to the model it names; `asked` keeps the name the client used, for the answer's `model`.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { loadConfig, type Config, type ProviderEntry } from '../config.ts';
import { apiError } from '../errors.ts';
import type { KeyRecord } from '../keys/store.ts';
import type { Model } from '../model.ts';
import { modelIn, scopeOf } from '../serve/answers.ts';
import { currentList } from '../serve/read.ts';
import { counting } from '../usage/count.ts';
import { usageSender } from '../usage/send.ts';

export interface Target {
  config: Config;
  key: KeyRecord;
  /** The model called: an alias's target, never the alias itself. */
  model: Model;
  /** The name the client asked for (`model.id`, or an alias of it): what the answer's `model` says. */
  asked: string;
  entry: ProviderEntry;
  /** The entry's OpenAI-compatible root: set, since a listed-only owner is refused here. */
  base: string;
}

/** The model `id` names for this request's key, or a 404 (unknown and outside the view alike) or 403 (listed only). */
export async function resolveTarget(c: Context<AppEnv>, id: string): Promise<Target> {
  const config = loadConfig(c.env);
  const key = c.get('clientKey');
  if (key === null) throw new Error('clientKey("always") let a request without a key through');
  const { list } = await currentList({ kv: c.env.MODELS_KV, config, coordinator: c.env.COORDINATOR }, c.executionCtx);
  const scope = scopeOf(config, key.view);
  const named = modelIn(list, scope, id);
  // An alias is in the scope exactly when its target is (serve/answers.ts), so the target is found.
  const model = named?.alias_of === undefined ? named : modelIn(list, scope, named.alias_of);
  const entry = model === undefined ? undefined : config.providers.find((p) => p.id === model.provider);
  if (model === undefined || entry === undefined) throw apiError(404, 'model_not_found', `The model '${id}' does not exist.`);
  const base = entry.inferenceBase;
  if (base === null) {
    throw apiError(403, 'inference_disabled', `Calls to '${id}' are turned off: its provider '${entry.id}' is listed only ("inference": false).`);
  }
  return { config, key, model, asked: id, entry, base };
}

/**
 * The parts of a forwarded call that come from the request and its target, whatever the dialect; the
 * call is counted for its key in the answer's dialect (`hideUsageChunk`: see usage/hidden-usage.ts).
 */
export function callOf(c: Context<AppEnv>, target: Target, dialect: 'openai' | 'anthropic' | 'gemini', route: string, hideUsageChunk = false) {
  const { entry, model, key, config } = target;
  const usage = counting(usageSender(c.env), c.executionCtx, key.id, dialect, hideUsageChunk);
  return { entry, model, request: c.req.raw, keyName: key.name, dialect, route, secrets: config.secretValues, background: c.executionCtx, usage };
}

/**
 * The routes a model can be called through, for the error that sends a client elsewhere: generation in
 * every dialect (translated where the owner speaks another, contract §15); embeddings where the owner has them.
 */
export function routesFor(entry: ProviderEntry): string[] {
  const routes = ['POST /v1/chat/completions', 'POST /v1/messages', 'POST /v1/responses', 'POST /v1beta/models/{model}:generateContent'];
  if (entry.type !== 'anthropic') routes.push(entry.type === 'gemini' ? 'POST /v1beta/models/{model}:embedContent' : 'POST /v1/embeddings');
  return routes;
}

/** 400: the owner of `target`'s model cannot take this dialect's call; names where it can be called. */
export function wrongOwner(target: Target, api: string) {
  const { model, entry } = target;
  return apiError(
    400,
    'wrong_dialect',
    `The model '${model.id}' belongs to provider '${entry.id}' (type ${entry.type}), which has no ${api}; call it through ${routesFor(entry).join(', ')}.`,
  );
}
