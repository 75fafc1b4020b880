/** @module One `PROVIDERS` entry: its fields, their defaults, and the checks that name what is wrong. */
import { isProviderType, providers, type ProviderType } from '../providers/registry.ts';
import {
  ConfigError,
  glob,
  httpUrl,
  isBoolean,
  isObject,
  isPositiveInteger,
  isString,
  isStringArray,
  isStringRecord,
  onlyKnownFields,
  optional,
  type Problems,
  type Secrets,
} from './fields.ts';

/** Contract default: the budget for one provider's whole listing. */
const DEFAULT_TIMEOUT_MS = 5000;
/** Contract default (§11): more models than this from one provider fails that provider alone. */
export const DEFAULT_MAX_MODELS = 10_000;
/** Provider ids end up in URLs (`?provider=`) and logs: keep them plain. */
const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Every field an entry may have; anything else is a typo, refused with the nearest of these. */
const FIELDS = [
  'id', 'type', 'baseUrl', 'apiKeySecret', 'apiKeyHeader', 'prefix', 'include', 'exclude', 'timeoutMs',
  'headers', 'models', 'maxModels', 'inferenceBaseUrl', 'inference', 'responses', 'chat',
] as const;
/** How OpenAI chat calls reach an `anthropic` owner: translated to its native Messages API, or its OpenAI-compatible layer. */
const CHAT_ROUTES = ['messages', 'compat'] as const;

export interface ProviderEntry {
  id: string;
  type: ProviderType;
  baseUrl: string;
  /** The key read from the secret named by `apiKeySecret`; never logged or answered. */
  apiKey?: string;
  /** When set, the key goes bare in this header (Azure's `api-key`) instead of the type's own way. */
  apiKeyHeader?: string;
  prefix: string;
  include: RegExp[];
  exclude: RegExp[];
  timeoutMs: number;
  headers: Record<string, string>;
  /** A fixed list: the provider is not called. */
  models?: string[];
  maxModels: number;
  /** The OpenAI-compatible root calls are forwarded to (`{inferenceBase}/chat/completions`), or null: `inference: false`. */
  inferenceBase: string | null;
  /** Whether `{inferenceBase}/responses` exists (OpenAI's Responses API): type `openai` by default. */
  responses: boolean;
  /** An `anthropic` owner's OpenAI chat calls: `messages` (translated to native Messages, the default) or `compat` (its OpenAI layer). */
  chat: (typeof CHAT_ROUTES)[number];
}

/**
 * One entry, every field checked on its own (problems go to `problems`). Undefined when it has no
 * valid id, type or base URL; an entry with other problems is answered with stand-ins for them (the
 * configuration is refused anyway), so later checks see its id and raise no second problem.
 */
export function parseEntry(entry: unknown, at: string, secrets: Secrets, problems: Problems): ProviderEntry | undefined {
  if (!isObject(entry)) {
    problems.add(at, 'must be an object');
    return undefined;
  }
  const check = <T>(field: () => T) => problems.check(field, undefined);
  onlyKnownFields(entry, FIELDS, at, problems);
  const id = validId(entry);
  if (id === undefined) problems.add(`${at}.id`, 'is required and must match [a-z0-9][a-z0-9-]*');
  const type = isProviderType(entry.type) ? entry.type : undefined;
  if (type === undefined) problems.add(`${at}.type`, `unknown type ${JSON.stringify(entry.type)}; one of: ${Object.keys(providers).join(', ')}`);
  // Without a type there is no default to check; a base URL that is given is checked all the same.
  const givenBaseUrl = entry.baseUrl ?? (type === undefined ? undefined : providers[type].defaultBaseUrl);
  const baseUrl = givenBaseUrl === undefined ? undefined : check(() => httpUrl(givenBaseUrl, `${at}.baseUrl`));
  const inference = check(() => optional(entry.inference, `${at}.inference`, isBoolean, 'true or false')) ?? true;
  const inferenceBaseUrl = entry.inferenceBaseUrl === undefined ? undefined : check(() => httpUrl(entry.inferenceBaseUrl, `${at}.inferenceBaseUrl`));
  const fields = {
    apiKey: check(() => apiKey(entry.apiKeySecret, `${at}.apiKeySecret`, secrets)),
    apiKeyHeader: check(() => optional(entry.apiKeyHeader, `${at}.apiKeyHeader`, isHeaderName, 'an HTTP header name')),
    prefix: check(() => optional(entry.prefix, `${at}.prefix`, isString, 'a string')) ?? '',
    include: (check(() => optional(entry.include, `${at}.include`, isStringArray, 'an array of strings')) ?? []).map(glob),
    exclude: (check(() => optional(entry.exclude, `${at}.exclude`, isStringArray, 'an array of strings')) ?? []).map(glob),
    timeoutMs: check(() => optional(entry.timeoutMs, `${at}.timeoutMs`, isPositiveInteger, 'a positive whole number')) ?? DEFAULT_TIMEOUT_MS,
    headers: check(() => optional(entry.headers, `${at}.headers`, isStringRecord, 'an object of string values')) ?? {},
    models: check(() => optional(entry.models, `${at}.models`, isStringArray, 'an array of strings')),
    maxModels: check(() => optional(entry.maxModels, `${at}.maxModels`, isPositiveInteger, 'a positive whole number')) ?? DEFAULT_MAX_MODELS,
  };
  const responses = check(() => optional(entry.responses, `${at}.responses`, isBoolean, 'true or false'));
  const chat = type === undefined ? undefined : check(() => chatRoute(entry.chat, type, `${at}.chat`));
  if (id === undefined || type === undefined || baseUrl === undefined) return undefined;
  return {
    id,
    type,
    baseUrl,
    ...fields,
    inferenceBase: inference ? (inferenceBaseUrl ?? providers[type].inferenceBase(baseUrl)) : null,
    responses: responses ?? type === 'openai',
    chat: chat ?? 'messages',
  };
}

/** The entry's id when it is a valid one, whatever else is wrong with the entry. */
export function validId(entry: unknown): string | undefined {
  const id = isObject(entry) ? entry.id : undefined;
  return typeof id === 'string' && ID_PATTERN.test(id) ? id : undefined;
}

/**
 * Placeholders from `.dev.vars.example` and provider docs: a key that is one of these was never
 * filled in, and every call with it would fail as 401 far from the cause.
 */
const PLACEHOLDER_KEY = /^(sk-\.\.\.|sk-ant-\.\.\.|AIza\.\.\.|\.\.\.|changeme|change-me.*|your[-_ ].*key.*|<.*>)$/i;

function apiKey(secretName: unknown, at: string, secrets: Secrets): string | undefined {
  if (secretName === undefined) return undefined;
  if (typeof secretName !== 'string' || secretName === '') throw new ConfigError(at, 'must be the name of a secret');
  const key = secrets[secretName];
  if (typeof key !== 'string' || key === '') {
    throw new ConfigError(at, `secret ${secretName} is not set (wrangler secret put ${secretName}, or .dev.vars locally)`);
  }
  if (PLACEHOLDER_KEY.test(key.trim())) {
    throw new ConfigError(at, `secret ${secretName} still holds the example placeholder; set the real key (wrangler secret put ${secretName})`);
  }
  return key;
}

const isHeaderName = (v: unknown): v is string => typeof v === 'string' && HEADER_NAME.test(v);

function chatRoute(value: unknown, type: ProviderType, at: string): ProviderEntry['chat'] {
  if (value === undefined) return 'messages';
  if (type !== 'anthropic') throw new ConfigError(at, 'is only for type anthropic (how OpenAI chat calls reach its models)');
  const route = CHAT_ROUTES.find((known) => known === value);
  if (route === undefined) throw new ConfigError(at, `must be one of: ${CHAT_ROUTES.map((known) => JSON.stringify(known)).join(', ')}`);
  return route;
}
