/**
 * @module Model entries in each provider's real list format, for the demo upstreams and tests.
 * Shapes follow the providers' documented responses (OpenAI /v1/models, Anthropic /v1/models,
 * Gemini /v1beta/models, Ollama /api/tags), quirks included. Each list holds current ids beside older
 * ones: `claude-opus-5-5` is what Claude Code 2.1.337 asks for without `--model`
 * (test/fixtures/claude-code/), `claude-sonnet-5-5` and `claude-haiku-5-5` its other tiers' defaults.
 */

export type Kind = 'openai' | 'anthropic' | 'gemini' | 'ollama';
export const KINDS: Kind[] = ['openai', 'anthropic', 'gemini', 'ollama'];

const openai = [
  { id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' },
  { id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' },
  { id: 'gpt-4o-audio-preview', object: 'model', created: 1727460443, owned_by: 'system' },
  { id: 'gpt-5', object: 'model', created: 1754425777, owned_by: 'system' },
  { id: 'text-embedding-3-small', object: 'model', created: 1705948997, owned_by: 'system' },
];

/** A current Anthropic list entry: the Models API gives each model's token limits too. */
const claudeModel = (id: string, display_name: string, created_at: string, max_input_tokens: number, max_tokens: number) => ({
  type: 'model',
  id,
  display_name,
  created_at,
  max_input_tokens,
  max_tokens,
});

const anthropic = [
  claudeModel('claude-opus-5-5', 'Claude Opus 5.5', '2026-10-01T00:00:00Z', 1000000, 128000),
  { type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
  claudeModel('claude-sonnet-5-5', 'Claude Sonnet 5.5', '2026-10-01T00:00:00Z', 1000000, 128000),
  claudeModel('claude-haiku-5-5', 'Claude Haiku 5.5', '2026-10-01T00:00:00Z', 1000000, 128000),
  claudeModel('claude-haiku-4-5-20251001', 'Claude Haiku 4.5', '2025-10-15T00:00:00Z', 200000, 64000),
];

const geminiModel = (id: string, displayName: string, inputTokenLimit: number, outputTokenLimit: number) => ({
  name: `models/${id}`,
  version: '001',
  displayName,
  description: `${displayName} (demo)`,
  inputTokenLimit,
  outputTokenLimit,
  supportedGenerationMethods: ['generateContent', 'countTokens'],
  temperature: 1,
  maxTemperature: 2,
  topP: 0.95,
  topK: 64,
});

const gemini = [
  geminiModel('gemini-2.5-pro', 'Gemini 2.5 Pro', 1048576, 65536),
  geminiModel('gemini-2.5-flash', 'Gemini 2.5 Flash', 1048576, 65536),
  geminiModel('gemini-2.0-flash', 'Gemini 2.0 Flash', 1048576, 8192),
  geminiModel('gemini-3-pro-preview', 'Gemini 3 Pro Preview', 1048576, 65536),
  geminiModel('gemini-3-flash-preview', 'Gemini 3 Flash Preview', 1048576, 65536),
];

const ollamaModel = (model: string, modified_at: string, family: string, parameter_size: string) => ({
  name: model,
  model,
  modified_at,
  size: 4683087332,
  digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
  details: { parent_model: '', format: 'gguf', family, families: [family], parameter_size, quantization_level: 'Q4_K_M' },
});

const ollama = [
  ollamaModel('llama3.2:latest', '2025-05-04T17:37:44.706015396-07:00', 'llama', '3.2B'),
  ollamaModel('qwen2.5-coder:7b', '2025-04-12T09:12:03.123456789+02:00', 'qwen2', '7.6B'),
  ollamaModel('mistral:latest', '2025-03-01T11:00:00.5Z', 'llama', '7.2B'),
  ollamaModel('nomic-embed-text:latest', '2024-12-24T08:30:00.000000001Z', 'nomic-bert', '137M'),
];

const base: Record<Kind, object[]> = { openai, anthropic, gemini, ollama };

/** `count` entries of `kind` in its native shape: the demo set, then synthetic ones of the same shape. */
export function demoEntries(kind: Kind, count = base[kind].length): object[] {
  const seed = base[kind];
  return Array.from({ length: count }, (_, i) => seed[i] ?? synthetic(kind, i));
}

function synthetic(kind: Kind, i: number): object {
  const n = String(i).padStart(5, '0');
  switch (kind) {
    case 'openai':
      return { id: `ft:gpt-4o-mini:acme:model-${n}`, object: 'model', created: 1730000000 + i, owned_by: 'acme' };
    case 'anthropic':
      return { type: 'model', id: `claude-synthetic-${n}`, display_name: `Claude Synthetic ${n}`, created_at: '2025-01-01T00:00:00Z' };
    case 'gemini':
      return geminiModel(`tunedModels-synthetic-${n}`, `Synthetic ${n}`, 32768, 8192);
    case 'ollama':
      return ollamaModel(`synthetic-${n}:latest`, '2025-01-01T00:00:00.123456789Z', 'llama', '1B');
  }
}
