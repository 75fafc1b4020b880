/** @module What a provider is: a declarative description plus one pure page parser. */
import type { UpstreamModel } from '../model.ts';

/** One page of an upstream listing: its models, the entries it could not list, and the next cursor. */
export interface Page {
  models: UpstreamModel[];
  /** Entries that could not be listed (not an object, no string id): skipped, the rest kept. */
  skipped: number;
  /** Why the first of them was skipped, in our words (never upstream text). */
  skippedExample?: string;
  next?: string;
}

export interface ProviderSpec {
  /** API root used when the entry has no `baseUrl`. */
  defaultBaseUrl: string;
  /** The URL of the first page (`cursor` undefined) or of the page after `cursor`. */
  pageUrl(baseUrl: string, cursor: string | undefined): string;
  /** The OpenAI-compatible inference root for this `baseUrl`, where the entry sets no `inferenceBaseUrl`. */
  inferenceBase(baseUrl: string): string;
  /** Request headers that carry the key the way this provider wants it. */
  authHeaders(key: string): Record<string, string>;
  /**
   * Maps one page of the upstream's JSON to models. An entry it cannot list is skipped and counted;
   * a page whose shape is wrong as a whole throws `ShapeError`.
   */
  parse(json: unknown): Page;
}

/** Raised by a parser when a response is valid JSON of the wrong shape. */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}
