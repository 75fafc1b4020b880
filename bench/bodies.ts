/**
 * @module The upstream answers the refresh-CPU benchmark feeds to `refresh()`: four providers in
 * their real list formats, the models split evenly, the paged ones paged as their APIs page (1000
 * a page). One is OpenRouter-like: an OpenAI-compatible list whose entries carry a description,
 * architecture, pricing and parameters, about 1.5 kB each, which is what dominates a refresh's
 * parsing. Runs in workerd (bench/refresh-cpu-worker.ts) and in Node alike.
 */
import { providers } from '../src/providers/registry.ts';
import { demoEntries } from '../fake-providers/demo-data.ts';

/** `PROVIDERS` for the benchmark; the hosts are only ever answered by the in-memory fetch double. */
export const BENCH_PROVIDERS = [
  { id: 'openrouter', type: 'openai', baseUrl: 'https://openrouter.bench.invalid/api/v1', prefix: 'openrouter/' },
  { id: 'anthropic', type: 'anthropic', baseUrl: 'https://anthropic.bench.invalid/v1', prefix: 'anthropic/' },
  { id: 'gemini', type: 'gemini', baseUrl: 'https://gemini.bench.invalid/v1beta', prefix: 'gemini/' },
  { id: 'ollama', type: 'ollama', baseUrl: 'https://ollama.bench.invalid', prefix: 'ollama/' },
] as const;

export type BenchProvider = (typeof BENCH_PROVIDERS)[number]['id'];

/** Anthropic's and Gemini's largest page. */
const PAGE_SIZE = 1000;

export interface UpstreamPage {
  provider: BenchProvider;
  body: Uint8Array;
}

/** Every page URL the refresh will ask for, with the bytes it gets back; `total` models in all. */
export function upstreamPages(total: number): Map<string, UpstreamPage> {
  const each = Math.floor(total / BENCH_PROVIDERS.length);
  const pages = new Map<string, UpstreamPage>();
  const encoder = new TextEncoder();
  const add = (provider: BenchProvider, url: string, json: unknown) => pages.set(url, { provider, body: encoder.encode(JSON.stringify(json)) });
  for (const entry of BENCH_PROVIDERS) {
    const spec = providers[entry.type];
    switch (entry.id) {
      case 'openrouter':
        add(entry.id, spec.pageUrl(entry.baseUrl, undefined), { data: Array.from({ length: each }, (_, i) => openRouterEntry(i)) });
        break;
      case 'ollama':
        add(entry.id, spec.pageUrl(entry.baseUrl, undefined), { models: demoEntries('ollama', each) });
        break;
      case 'anthropic': {
        const all = demoEntries('anthropic', each) as { id: string }[];
        let cursor: string | undefined;
        for (let start = 0; ; start += PAGE_SIZE) {
          const page = all.slice(start, start + PAGE_SIZE);
          const hasMore = start + PAGE_SIZE < all.length;
          add(entry.id, spec.pageUrl(entry.baseUrl, cursor), { data: page, has_more: hasMore, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null });
          if (!hasMore) break;
          cursor = page.at(-1)?.id;
        }
        break;
      }
      case 'gemini': {
        const all = demoEntries('gemini', each);
        for (let start = 0; ; start += PAGE_SIZE) {
          const next = start + PAGE_SIZE;
          const page = all.slice(start, next);
          add(entry.id, spec.pageUrl(entry.baseUrl, start === 0 ? undefined : String(start)), next < all.length ? { models: page, nextPageToken: String(next) } : { models: page });
          if (next >= all.length) break;
        }
        break;
      }
    }
  }
  return pages;
}

const VENDORS = ['openai', 'anthropic', 'google', 'meta-llama', 'mistralai', 'qwen', 'deepseek', 'x-ai', 'cohere', 'nvidia'];

/** One entry of OpenRouter's `GET /api/v1/models`, as it answers today (fields and their typical sizes). */
function openRouterEntry(i: number) {
  const vendor = VENDORS[i % VENDORS.length] ?? 'openai';
  const n = String(i).padStart(5, '0');
  const slug = `${vendor}/model-${n}`;
  return {
    id: slug,
    canonical_slug: `${slug}-20250101`,
    hugging_face_id: i % 3 === 0 ? `${vendor}/Model-${n}-Instruct` : null,
    name: `${vendor}: Model ${n}`,
    created: 1_700_000_000 + i * 3600,
    description:
      `Model ${n} is a general-purpose model from ${vendor} with strong reasoning, coding and multilingual ability. ` +
      'It supports tool use, structured outputs and a long context window, and is tuned for chat and agentic workflows. ' +
      'Compared with its predecessor it is faster and cheaper at similar quality on common benchmarks ' +
      '([details](https://openrouter.ai/docs/models)). Usage of this model is subject to the provider\'s "acceptable use" policy.\n\n#multimodal',
    context_length: 131_072,
    architecture: { modality: 'text+image->text', input_modalities: ['text', 'image', 'file'], output_modalities: ['text'], tokenizer: 'Other', instruct_type: null },
    pricing: { prompt: '0.0000025', completion: '0.00001', request: '0', image: '0.003613', web_search: '0', internal_reasoning: '0', input_cache_read: '0.00000125' },
    top_provider: { context_length: 131_072, max_completion_tokens: 16_384, is_moderated: i % 2 === 0 },
    per_request_limits: null,
    supported_parameters: ['frequency_penalty', 'logit_bias', 'logprobs', 'max_tokens', 'presence_penalty', 'response_format', 'seed', 'stop', 'structured_outputs', 'temperature', 'tool_choice', 'tools', 'top_logprobs', 'top_p'],
    default_parameters: { temperature: null, top_p: null, frequency_penalty: null },
  };
}
