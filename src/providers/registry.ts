/** @module Every provider type, by the name used in a `PROVIDERS` entry's `type`. */
import { anthropic } from './anthropic.ts';
import { gemini } from './gemini.ts';
import { ollama } from './ollama.ts';
import { openai } from './openai.ts';
import type { ProviderSpec } from './types.ts';

export const providers = { openai, anthropic, gemini, ollama } as const satisfies Record<string, ProviderSpec>;

export type ProviderType = keyof typeof providers;

export function isProviderType(value: unknown): value is ProviderType {
  return typeof value === 'string' && Object.hasOwn(providers, value);
}
