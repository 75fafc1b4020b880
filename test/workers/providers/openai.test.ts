import { describe, expect, it } from 'vitest';
import { openai } from '../../../src/providers/openai.ts';
import { ShapeError } from '../../../src/providers/types.ts';
import deepseek from '../../fixtures/openai/deepseek.json';
import groq from '../../fixtures/openai/groq.json';
import mistral from '../../fixtures/openai/mistral.json';
import openaiList from '../../fixtures/openai/openai.json';
import openrouter from '../../fixtures/openai/openrouter.json';
import together from '../../fixtures/openai/together.json';
import vllm from '../../fixtures/openai/vllm.json';
import novita from '../../fixtures/openai/novita.json';
import azureClassic from '../../fixtures/openai/azure-classic.json';
import ollamaV1Empty from '../../fixtures/openai/ollama-v1-empty.json';
import anthropicPage from '../../fixtures/anthropic/page-3.json';

describe('openai provider', () => {
  it('lists GET {baseUrl}/models in one page', () => {
    expect(openai.pageUrl('https://api.groq.com/openai/v1', undefined)).toBe('https://api.groq.com/openai/v1/models');
    expect(openai.defaultBaseUrl).toBe('https://api.openai.com/v1');
  });

  it('sends the key as a bearer token', () => {
    expect(openai.authHeaders('sk-test')).toStrictEqual({ Authorization: 'Bearer sk-test' });
  });

  it('maps OpenAI {object:"list",data} entries, keeping created and owned_by', () => {
    const { models, next } = openai.parse(openaiList);
    expect(next).toBeUndefined();
    expect(models.map((m) => m.id)).toStrictEqual(openaiList.data.map((m) => m.id));
    expect(models[0]).toStrictEqual({
      id: 'gpt-4o-2024-08-06',
      created: 1722814719,
      owned_by: 'system',
      name: undefined,
      context_length: undefined,
      max_output_tokens: undefined,
    });
    expect(models[4]?.owned_by).toBe('org-8yQn2cKkW3xvT1mLpR4sJd7A');
  });

  it('accepts Together’s bare array, with organization as owner and display_name as name', () => {
    const { models } = openai.parse(together);
    expect(models[0]).toMatchObject({
      id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
      created: 1733443200,
      owned_by: 'Meta',
      name: 'Meta Llama 3.3 70B Instruct Turbo',
      context_length: 131072,
    });
    expect(models.map((m) => m.id)).toStrictEqual(['meta-llama/Llama-3.3-70B-Instruct-Turbo', 'BAAI/bge-large-en-v1.5']);
  });

  it('leaves created out for DeepSeek, which sends none', () => {
    const { models } = openai.parse(deepseek);
    expect(models.map((m) => m.id)).toStrictEqual(['deepseek-chat', 'deepseek-reasoner']);
    for (const model of models) {
      expect(model.created).toBeUndefined();
      expect(model.owned_by).toBe('deepseek');
    }
  });

  it('accepts OpenRouter entries without object or owned_by, reading name, context and top_provider limits', () => {
    const { models } = openai.parse(openrouter);
    expect(models[0]).toStrictEqual({
      id: 'anthropic/claude-sonnet-4',
      created: 1747930371,
      owned_by: undefined,
      name: 'Anthropic: Claude Sonnet 4',
      context_length: 200000,
      max_output_tokens: 64000,
    });
    // `max_completion_tokens: null` means unknown, not zero.
    expect(models[1]?.max_output_tokens).toBeUndefined();
  });

  it('reads Groq’s context_window and max_completion_tokens', () => {
    const { models } = openai.parse(groq);
    expect(models[0]).toMatchObject({ id: 'llama-3.3-70b-versatile', owned_by: 'Meta', context_length: 131072, max_output_tokens: 32768 });
  });

  it('reads Mistral’s max_context_length and name', () => {
    const { models } = openai.parse(mistral);
    expect(models[1]).toMatchObject({ id: 'codestral-2501', owned_by: 'mistralai', name: 'codestral-2501', context_length: 262144 });
  });

  it('reads vLLM’s max_model_len and ignores root and permission', () => {
    const { models } = openai.parse(vllm);
    expect(models).toStrictEqual([
      {
        id: 'Qwen/Qwen2.5-7B-Instruct',
        created: 1746400012,
        owned_by: 'vllm',
        name: undefined,
        context_length: 32768,
        max_output_tokens: undefined,
      },
    ]);
  });

  it('reads Novita’s title, context_size and max_output_tokens', () => {
    const { models } = openai.parse(novita);
    expect(models[0]).toStrictEqual({
      id: 'meta-llama/llama-3.3-70b-instruct',
      created: 1733560109,
      owned_by: undefined,
      name: 'meta-llama/llama-3.3-70b-instruct',
      context_length: 131072,
      max_output_tokens: 120000,
    });
  });

  it('reads Azure OpenAI’s classic list, whose date is seconds in created_at', () => {
    const { models } = openai.parse(azureClassic);
    expect(models.map((m) => [m.id, m.created, m.owned_by])).toStrictEqual([
      ['gpt-4o-2024-08-06', 1722902400, undefined],
      ['text-embedding-3-small', 1706140800, undefined],
    ]);
  });

  it('reads an RFC 3339 created_at and display_name, as in Anthropic’s list read through an openai entry', () => {
    const { models } = openai.parse(anthropicPage);
    expect(models[0]).toMatchObject({ id: anthropicPage.data[0]?.id, name: anthropicPage.data[0]?.display_name });
    expect(models[0]?.created).toBe(Date.parse(anthropicPage.data[0]?.created_at ?? '') / 1000);
  });

  it('reads Ollama’s /v1 list with nothing pulled, data: null, as an empty list', () => {
    expect(openai.parse(ollamaV1Empty)).toStrictEqual({ models: [], skipped: 0 });
  });

  it('reads a list object without data as an empty list', () => {
    expect(openai.parse({ object: 'list' })).toStrictEqual({ models: [], skipped: 0 });
  });

  it('skips and counts entries it cannot list, keeping the others, with the first reason', () => {
    const page = { object: 'list', data: [{ id: 'gpt-4o' }, 'gpt-4.1', { object: 'model', created: 1 }, { id: 42 }, null, { id: 'o3' }] };
    const { models, skipped, skippedExample } = openai.parse(page);
    expect(models.map((m) => m.id)).toStrictEqual(['gpt-4o', 'o3']);
    expect(skipped).toBe(4);
    expect(skippedExample).toBe('an entry that is a string, not an object');
  });

  describe('rejects other shapes with a ShapeError naming the field', () => {
    it.each([
      ['an object that is no list', { error: { message: 'Invalid API key' } }, /"data"/],
      ['data that is not an array', { object: 'list', data: { id: 'gpt-4o' } }, /"data" to be an array, got an object/],
      ['an HTML page', '<!doctype html><title>Sign in</title>', /"data", got a string/],
      ['null', null, /"data", got null/],
    ])('%s', (_, json, message) => {
      expect(() => openai.parse(json)).toThrow(ShapeError);
      expect(() => openai.parse(json)).toThrow(message);
    });
  });
});
