/**
 * Upstream content is data (docs/behaviour.md, "What upstreams may not do"): what src/refresh/normalise.ts lets into the list, cuts,
 * drops and counts, for models as the provider parsers yield them.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig, type ProviderEntry } from '../../src/config.ts';
import type { Env } from '../../src/env.ts';
import type { UpstreamModel } from '../../src/model.ts';
import { MAX_ID_LENGTH, MAX_TEXT_LENGTH, normalise, REQUEST_TIME_WINDOW_SECONDS } from '../../src/refresh/normalise.ts';

const NOW_MS = Date.UTC(2026, 11, 1, 12, 0, 0);
const NOW_S = NOW_MS / 1000;

function configure(raw: Record<string, unknown>): ProviderEntry {
  const [entry] = parseConfig({ PROVIDERS: [{ type: 'openai', ...raw }] } as unknown as Env).providers;
  if (entry === undefined) throw new Error('configure: no entry');
  return entry;
}

const run = (raw: Record<string, unknown>, models: UpstreamModel[], skipped = 0) => normalise(configure(raw), { models, skipped }, NOW_MS);

describe('normalise', () => {
  describe('ids', () => {
    it('skips and counts ids with control characters, empty ids and ids over 256 characters; trims the rest', () => {
      const result = run({ id: 'lab' }, [
        { id: 'bell\u0007model' },
        { id: 'c1-\u0085-next-line' },
        { id: 'x'.repeat(300) },
        { id: '   ' },
        { id: '  qwen2.5:7b  ' },
        { id: 'x'.repeat(MAX_ID_LENGTH) },
      ]);
      expect(result.ok && result.models.map((m) => [m.id, m.upstream_id])).toStrictEqual([
        ['qwen2.5:7b', 'qwen2.5:7b'],
        ['x'.repeat(MAX_ID_LENGTH), 'x'.repeat(MAX_ID_LENGTH)],
      ]);
      expect(result).toMatchObject({ ok: true, skipped: 4, skippedExample: 'an id with the control character U+0007' });
    });

    it('reports the length of an over-long id, never its text', () => {
      const result = run({ id: 'lab' }, [{ id: 'secret'.repeat(50) }]);
      expect(result).toMatchObject({ ok: true, skipped: 1, skippedExample: 'an id of 300 characters (at most 256)' });
    });

    it('adds the entries the parser already skipped to the count, keeping its reason first', () => {
      const result = normalise(configure({ id: 'lab' }), { models: [{ id: '\u0000' }], skipped: 2, skippedExample: 'an entry without a string "id"' }, NOW_MS);
      expect(result).toMatchObject({ ok: true, skipped: 3, skippedExample: 'an entry without a string "id"' });
    });

    it('skips ids no URL can name: dot segments and lone surrogates', () => {
      const result = run({ id: 'lab' }, [{ id: '..' }, { id: '.' }, { id: 'bad\uD800' }, { id: '\uDC00bad' }, { id: 'ok' }, { id: 'ok-\u{1F600}' }]);
      // A surrogate pair is well-formed: the emoji id is listed. Compared as JSON, which escapes a
      // lone surrogate: a failure message carrying one raw cannot reach the test runner (not UTF-8).
      expect(result.ok && result.models.map((m) => JSON.stringify(m.id))).toStrictEqual(['"ok"', '"ok-\u{1F600}"']);
      expect(result).toMatchObject({ skipped: 4, skippedExample: 'the id "..", which no URL can name' });
    });
  });

  describe('owners', () => {
    it.each(['system', 'organization_owner', 'unknown', 'vllm', 'llamacpp', 'library'])('counts %s as no owner: the provider id is used', (owner) => {
      const result = run({ id: 'lab' }, [{ id: 'm', owned_by: owner }]);
      expect(result.ok && result.models[0]?.owned_by).toBe('lab');
    });

    it('keeps a real owner', () => {
      const result = run({ id: 'lab' }, [{ id: 'm', owned_by: 'org-8yQn2cKkW3xvT1mLpR4sJd7A' }]);
      expect(result.ok && result.models[0]?.owned_by).toBe('org-8yQn2cKkW3xvT1mLpR4sJd7A');
    });
  });

  describe('created', () => {
    it(`leaves out a created within ${REQUEST_TIME_WINDOW_SECONDS} s before the fetch or any time after it: the request time, not a model date`, () => {
      const result = run({ id: 'vllm' }, [
        { id: 'stamped-now', created: NOW_S },
        { id: 'skewed-behind', created: NOW_S - REQUEST_TIME_WINDOW_SECONDS + 1 },
        { id: 'skewed-ahead', created: NOW_S + 30 },
        { id: 'milliseconds', created: NOW_MS },
        { id: 'real-date', created: NOW_S - REQUEST_TIME_WINDOW_SECONDS },
        { id: 'epoch', created: 0 },
      ]);
      expect(result.ok && result.models.map((m) => [m.id, m.created])).toStrictEqual([
        ['stamped-now', undefined],
        ['skewed-behind', undefined],
        ['skewed-ahead', undefined],
        ['milliseconds', undefined],
        ['real-date', NOW_S - REQUEST_TIME_WINDOW_SECONDS],
        ['epoch', undefined],
      ]);
    });
  });

  describe('text', () => {
    it('cuts name and owned_by at 256 characters, never inside a surrogate pair, and drops control characters', () => {
      const long = 'n'.repeat(MAX_TEXT_LENGTH - 1) + '😀' + 'tail';
      const result = run({ id: 'lab' }, [{ id: 'm', name: long, owned_by: 'Acme\u0000 Labs\n' }]);
      const model = result.ok ? result.models[0] : undefined;
      expect(model?.name).toBe('n'.repeat(MAX_TEXT_LENGTH - 1));
      expect(model?.owned_by).toBe('Acme Labs');
    });

    it('keeps only positive whole token counts', () => {
      const result = run({ id: 'lab' }, [{ id: 'm', context_length: -1, max_output_tokens: 1.5 }, { id: 'n', context_length: 8192, max_output_tokens: 4096 }]);
      expect(result.ok && result.models).toStrictEqual([
        { id: 'm', object: 'model', owned_by: 'lab', provider: 'lab', upstream_id: 'm' },
        { id: 'n', object: 'model', owned_by: 'lab', provider: 'lab', upstream_id: 'n', context_length: 8192, max_output_tokens: 4096 },
      ]);
    });
  });

  describe('maxModels', () => {
    it('fails the provider when it lists more, naming the cap and how to raise it', () => {
      const result = run({ id: 'big', maxModels: 2 }, [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
      expect(result).toStrictEqual({
        ok: false,
        error: '[big] lists 3 models, more than maxModels (2); raise maxModels in its PROVIDERS entry to list them all',
      });
    });

    it('counts what include/exclude keep, not what the upstream sends', () => {
      const result = run({ id: 'big', maxModels: 2, include: ['gpt-*'] }, [{ id: 'gpt-a' }, { id: 'gpt-b' }, { id: 'whisper' }]);
      expect(result.ok && result.models.map((m) => m.id)).toStrictEqual(['gpt-a', 'gpt-b']);
    });
  });
});
