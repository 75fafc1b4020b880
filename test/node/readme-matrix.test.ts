/**
 * @module The README's copy of the every-client matrix says, cell for cell, what docs/translation.md's
 * says (the one test/node/every-client.test.ts drives against the real clients).
 */
import { describe, expect, it } from 'vitest';
import { readMatrix } from './support/matrix-doc.ts';

describe("the README's matrix", () => {
  it("has exactly docs/translation.md's cells, each with the same word", () => {
    const readme = readMatrix(new URL('../../README.md', import.meta.url).pathname);
    const translation = readMatrix(new URL('../../docs/translation.md', import.meta.url).pathname);
    expect(readme.size).toBe(16);
    expect(Object.fromEntries(readme)).toEqual(Object.fromEntries(translation));
  });
});
