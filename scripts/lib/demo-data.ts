/**
 * @module Model entries in each provider's real list format, for the demo upstreams and tests.
 * Shapes follow the providers' documented responses (OpenAI /v1/models, Anthropic /v1/models,
 * Gemini /v1beta/models, Ollama /api/tags), quirks included.
 */

export type Kind = 'openai' | 'anthropic' | 'gemini' | 'ollama';
export const KINDS: Kind[] = ['openai', 'anthropic', 'gemini', 'ollama'];

const openai = [
  { id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' },
  { id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' },
  { id: 'gpt-4o-audio-preview', object: 'model', created: 1727460443, owned_by: 'system' },
  { id: 'o3-mini', object: 'model', created: 1737146383, owned_by: 'system' },
  { id: 'text-embedding-3-small', object: 'model', created: 1705948997, owned_by: 'system' },
];

const anthropic = [
  { type: 'model', id: 'claude-opus-4-1-20250805', display_name: 'Claude Opus 4.1', created_at: '2025-08-05T00:00:00Z' },
  { type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
  { type: 'model', id: 'claude-sonnet-4-20250514', display_name: 'Claude Sonnet 4', created_at: '2025-05-22T00:00:00Z' },
  { type: 'model', id: 'claude-3-7-sonnet-20250219', display_name: 'Claude Sonnet 3.7', created_at: '2025-02-24T00:00:00Z' },
  { type: 'model', id: 'claude-3-5-haiku-20241022', display_name: 'Claude Haiku 3.5', created_at: '2024-10-22T00:00:00Z' },
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
  geminiModel('gemini-2.0-flash-lite', 'Gemini 2.0 Flash-Lite', 1048576, 8192),
  geminiModel('gemma-3-27b-it', 'Gemma 3 27B', 131072, 8192),
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
