import { describe, expect, it } from 'vitest';
import { ollama } from '../../../src/providers/ollama.ts';
import { ShapeError } from '../../../src/providers/types.ts';
import legacy from '../../fixtures/ollama/tags-legacy.json';
import tags from '../../fixtures/ollama/tags.json';

describe('ollama provider', () => {
  it('lists GET {baseUrl}/api/tags in one page', () => {
    expect(ollama.pageUrl('http://gpu-box:11434', undefined)).toBe('http://gpu-box:11434/api/tags');
    expect(ollama.defaultBaseUrl).toBe('http://localhost:11434');
  });

  it('sends a key, for a proxy in front of Ollama, as a bearer token', () => {
    expect(ollama.authHeaders('proxy-token')).toStrictEqual({ Authorization: 'Bearer proxy-token' });
  });

  it('takes the id from model and created from modified_at, nanoseconds and offset included', () => {
    const { models, next } = ollama.parse(tags);
    expect(next).toBeUndefined();
    // 2025-05-04T17:37:44.706015396-07:00 is 2025-05-05T00:37:44Z.
    expect(models[0]).toStrictEqual({ id: 'llama3.2:latest', created: 1746405464 });
    // 2024-12-18T09:12:01.123456789+05:30 is 2024-12-18T03:42:01Z.
    expect(models[1]).toStrictEqual({ id: 'qwen2.5-coder:7b', created: 1734493321 });
  });

  it('falls back to name on older servers that send no model field', () => {
    expect(ollama.parse(legacy).models).toStrictEqual([{ id: 'llama2:latest', created: 1691020943 }]);
  });

  it('leaves created out when modified_at is missing or not a date', () => {
    const { models } = ollama.parse({ models: [{ name: 'a:latest' }, { name: 'b:latest', modified_at: 'yesterday' }] });
    expect(models).toStrictEqual([
      { id: 'a:latest', created: undefined },
      { id: 'b:latest', created: undefined },
    ]);
  });

  it('skips and counts an entry without a string model, keeping the others', () => {
    const page = ollama.parse({ models: [{ size: 1, digest: 'abc' }, { name: 'llama3:latest' }] });
    expect(page.models).toHaveLength(1);
    expect(page.skipped).toBe(1);
    expect(page.skippedExample).toBe('an entry without a string "model"');
  });

  describe('rejects other shapes with a ShapeError naming the field', () => {
    it.each([
      ['an object without models', { object: 'list', data: [] }, /"models"/],
      ['models that is not an array', { models: null }, /"models" to be an array, got null/],
      ['an HTML page', '<html><body>404 page not found</body></html>', /"models", got a string/],
    ])('%s', (_, json, message) => {
      expect(() => ollama.parse(json)).toThrow(ShapeError);
      expect(() => ollama.parse(json)).toThrow(message);
    });
  });
});
