import { describe, expect, it } from 'vitest';
import { anthropic } from '../../../src/providers/anthropic.ts';
import { ShapeError } from '../../../src/providers/types.ts';
import page1 from '../../fixtures/anthropic/page-1.json';
import page2 from '../../fixtures/anthropic/page-2.json';
import page3 from '../../fixtures/anthropic/page-3.json';

describe('anthropic provider', () => {
  it('asks for the largest page, then for the page after_id', () => {
    expect(anthropic.pageUrl('https://api.anthropic.com/v1', undefined)).toBe('https://api.anthropic.com/v1/models?limit=1000');
    expect(anthropic.pageUrl('https://api.anthropic.com/v1', 'claude-opus-4-20250514')).toBe(
      'https://api.anthropic.com/v1/models?limit=1000&after_id=claude-opus-4-20250514',
    );
    expect(anthropic.defaultBaseUrl).toBe('https://api.anthropic.com/v1');
  });

  it('sends the key as x-api-key with the pinned anthropic-version', () => {
    expect(anthropic.authHeaders('sk-ant-test')).toStrictEqual({ 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' });
  });

  it('maps id, display_name, created_at and the token limits', () => {
    const { models } = anthropic.parse(page1);
    expect(models[0]).toStrictEqual({
      id: 'claude-opus-4-1-20250805',
      created: 1754352000,
      name: 'Claude Opus 4.1',
      context_length: 200000,
      max_output_tokens: 32000,
    });
  });

  it('leaves the limits out for entries that do not carry them, and never sets owned_by', () => {
    const { models } = anthropic.parse(page2);
    expect(models[1]).toStrictEqual({
      id: 'claude-3-7-sonnet-20250219',
      created: 1740355200,
      name: 'Claude Sonnet 3.7',
      context_length: undefined,
      max_output_tokens: undefined,
    });
  });

  it('follows after_id = last_id while has_more is true', () => {
    expect(anthropic.parse(page1).next).toBe('claude-opus-4-20250514');
    expect(anthropic.parse(page2).next).toBe('claude-3-7-sonnet-20250219');
  });

  it('stops when has_more is false, although last_id is still set', () => {
    const { models, next } = anthropic.parse(page3);
    expect(next).toBeUndefined();
    expect(models.map((m) => m.id)).toStrictEqual(['claude-3-5-haiku-20241022', 'claude-3-haiku-20240307']);
  });

  it('leaves created out when created_at is Anthropic’s epoch placeholder for an unknown date', () => {
    const page = { ...page3, data: [{ type: 'model', id: 'claude-x', display_name: 'X', created_at: '1970-01-01T00:00:00Z' }] };
    expect(anthropic.parse(page).models[0]?.created).toBeUndefined();
  });

  it('skips and counts an entry without a string id, keeping the others', () => {
    const page = anthropic.parse({ data: [{ type: 'model', display_name: 'Claude' }, { type: 'model', id: 'claude-x' }], has_more: false });
    expect(page.models).toHaveLength(1);
    expect(page.skipped).toBe(1);
    expect(page.skippedExample).toBe('an entry without a string "id"');
  });

  describe('rejects other shapes with a ShapeError naming the field', () => {
    it.each([
      ['an object without data', { has_more: false }, /"data"/],
      ['data that is not an array', { data: 'claude-opus-4-20250514', has_more: false }, /"data" to be an array, got a string/],
      ['has_more without last_id', { data: page1.data, has_more: true, first_id: 'claude-opus-4-1-20250805' }, /"last_id"/],
      ['an HTML page', '<html><body>Bad gateway</body></html>', /"data", got a string/],
    ])('%s', (_, json, message) => {
      expect(() => anthropic.parse(json)).toThrow(ShapeError);
      expect(() => anthropic.parse(json)).toThrow(message);
    });
  });
});
