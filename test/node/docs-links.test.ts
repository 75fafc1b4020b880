/**
 * @module Every relative link in README.md, SECURITY.md and docs/*.md leads somewhere: the file exists, and a
 * `#anchor` into one of our Markdown files names one of its headings, slugged as GitHub slugs them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PAGES = ['README.md', 'SECURITY.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** The text outside fenced code blocks, line by line (a `#` in a shell block is no heading). */
function proseLines(markdown: string): string[] {
  let fence: string | null = null;
  return markdown.split('\n').filter((line) => {
    const opening = /^\s*(`{3,}|~{3,})/.exec(line);
    if (opening) {
      const marker = opening[1] ?? '';
      if (fence === null) fence = marker;
      else if (marker.startsWith(fence)) fence = null;
      return false;
    }
    return fence === null;
  });
}

/**
 * GitHub's heading ids (github-slugger): lower case, inline code and link syntax reduced to their text,
 * every character but letters, digits, `-`, `_` and spaces removed, spaces turned into `-`; a repeated
 * slug gets `-1`, `-2`, ….
 */
export function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = (heading[1] ?? '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    ids.add(count === 0 ? base : `${base}-${count}`);
  }
  return ids;
}

/** Every `[text](target)` link in the prose (inline code spans left out), with its line number. */
function links(markdown: string): { target: string; line: string }[] {
  const found: { target: string; line: string }[] = [];
  for (const line of proseLines(markdown)) {
    const prose = line.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) found.push({ target: match[1] ?? '', line: line.trim() });
  }
  return found;
}

/** Why `target`, linked from `page`, leads nowhere; null when it resolves. */
function broken(page: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null; // https:, mailto:: not ours to check
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), decodeURIComponent(path));
  if (!file.startsWith(ROOT) || !existsSync(file)) return `${relative(ROOT, file)} does not exist`;
  if (anchor === undefined || !file.endsWith('.md')) return null;
  return headingIds(readFileSync(file, 'utf8')).has(decodeURIComponent(anchor)) ? null : `${relative(ROOT, file)} has no heading #${anchor}`;
}

describe('links in README and docs', () => {
  it('slugs headings as GitHub does', () => {
    const ids = headingIds('# Use it from Open WebUI / LibreChat\n## Change feed: `GET /v1/models/changes`\n```sh\n# not a heading\n```\n## Deploy\n## Deploy\n');
    expect([...ids]).toEqual(['use-it-from-open-webui--librechat', 'change-feed-get-v1modelschanges', 'deploy', 'deploy-1']);
  });

  it('finds the links it checks, and would notice a broken one', () => {
    expect(links('see [a](docs/a.md#x), `[not](a link)`, [b](https://example.com)').map((link) => link.target)).toEqual(['docs/a.md#x', 'https://example.com']);
    expect(broken('README.md', 'docs/no-such-page.md')).toMatch(/does not exist/);
    expect(broken('README.md', '#no-such-heading')).toMatch(/has no heading/);
  });

  for (const page of PAGES) {
    it(`every relative link in ${page} resolves`, () => {
      const problems = links(readFileSync(join(ROOT, page), 'utf8')).flatMap(({ target, line }) => {
        const why = broken(page, target);
        return why === null ? [] : [`${target}: ${why}   (in: ${line.slice(0, 120)})`];
      });
      expect(problems).toEqual([]);
    });
  }
});
