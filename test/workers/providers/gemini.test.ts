import { describe, expect, it } from 'vitest';
import { gemini } from '../../../src/providers/gemini.ts';
import { ShapeError } from '../../../src/providers/types.ts';
import page1 from '../../fixtures/gemini/page-1.json';
import page2 from '../../fixtures/gemini/page-2.json';

describe('gemini provider', () => {
  it('asks for the largest page, then for the page with pageToken, encoded', () => {
    const base = 'https://generativelanguage.googleapis.com/v1beta';
    expect(gemini.pageUrl(base, undefined)).toBe(`${base}/models?pageSize=1000`);
    expect(gemini.pageUrl(base, page1.nextPageToken)).toBe(`${base}/models?pageSize=1000&pageToken=Ch5tb2RlbHMvZ2VtaW5pLTIuNS1mbGFzaA%2B%2F%3D`);
    expect(gemini.defaultBaseUrl).toBe(base);
  });

  it('sends the key as x-goog-api-key', () => {
    expect(gemini.authHeaders('AIza-test')).toStrictEqual({ 'x-goog-api-key': 'AIza-test' });
  });

  it('strips models/ from the resource name and maps displayName and token limits', () => {
    const { models } = gemini.parse(page1);
    expect(models[0]).toStrictEqual({ id: 'gemini-2.5-pro', name: 'Gemini 2.5 Pro', context_length: 1048576, max_output_tokens: 65536 });
    expect(models.map((m) => m.id)).toStrictEqual(['gemini-2.5-pro', 'gemini-2.5-flash']);
  });

  it('sets neither created nor owned_by: the API has no such fields', () => {
    for (const model of gemini.parse(page2).models) {
      expect(model).not.toHaveProperty('created');
      expect(model).not.toHaveProperty('owned_by');
    }
  });

  it('follows nextPageToken', () => {
    expect(gemini.parse(page1).next).toBe('Ch5tb2RlbHMvZ2VtaW5pLTIuNS1mbGFzaA+/=');
  });

  it('treats a page without nextPageToken, or with an empty one, as the last', () => {
    expect(gemini.parse(page2).next).toBeUndefined();
    expect(gemini.parse({ ...page2, nextPageToken: '' }).next).toBeUndefined();
  });

  it('skips and counts an entry without a string name, keeping the others', () => {
    const page = gemini.parse({ models: [{ displayName: 'Gemini 2.5 Pro' }, { name: 'models/gemini-x' }] });
    expect(page.models).toHaveLength(1);
    expect(page.skipped).toBe(1);
    expect(page.skippedExample).toBe('an entry without a string "name"');
  });

  describe('rejects other shapes with a ShapeError naming the field', () => {
    it.each([
      ['an object without models', { nextPageToken: 'abc' }, /"models"/],
      ['models that is not an array', { models: { name: 'models/gemini-2.5-pro' } }, /"models" to be an array, got an object/],
      ['an HTML page', '<!DOCTYPE html><html lang=en><title>Error 404 (Not Found)!!1</title>', /"models", got a string/],
    ])('%s', (_, json, message) => {
      expect(() => gemini.parse(json)).toThrow(ShapeError);
      expect(() => gemini.parse(json)).toThrow(message);
    });
  });
});
