/**
 * @module A doc's matrix (README.md, docs/translation.md), read back: the Markdown table under `<!-- matrix` (up to the
 * next heading), rows the client's dialect, columns the owner's API, each cell one word of
 * `CELL_WORDS`. test/node/every-client.test.ts holds it to the cells it drives and what it saw.
 */
import { readFileSync } from 'node:fs';
import type { Client } from './every-client-drivers.ts';

/** The owner's API: the columns of contract §15's table. */
export type Column = 'chat' | 'anthropic' | 'gemini' | 'responses';

export const CLIENT_LABELS: Record<Client, string> = { chat: 'OpenAI chat', messages: 'Anthropic Messages', gemini: 'Gemini', responses: 'OpenAI Responses' };
export const COLUMN_LABELS: Record<Column, string> = { chat: 'OpenAI-compatible chat', anthropic: 'Anthropic Messages', gemini: 'Gemini', responses: 'OpenAI Responses' };

/**
 * What a cell may say: the owner gets the client's own dialect (`native`; through a chat owner's
 * Responses-capable entry, `native (chat)`; through the owner's OpenAI-compatible layer,
 * `native OpenAI layer`), or its own native one (`translated`; a Responses owner called through its
 * chat completions, `translated via chat`).
 */
export const CELL_WORDS = ['native', 'native (chat)', 'native OpenAI layer', 'translated', 'translated via chat'] as const;
export type CellWord = (typeof CELL_WORDS)[number];

export const cellKey = (client: Client, column: Column) => `${CLIENT_LABELS[client]} × ${COLUMN_LABELS[column]}`;

/** The label a table cell starts with (backticks and a parenthesised note after it allowed). */
function labelOf<K extends string>(labels: Record<K, string>, cell: string, what: string): K {
  const text = cell.replaceAll('`', '').trim();
  const found = (Object.keys(labels) as K[]).filter((key) => text === labels[key] || text.startsWith(`${labels[key]} (`));
  if (found.length !== 1 || found[0] === undefined) throw new Error(`${what} in a matrix: ${JSON.stringify(cell)} is none of ${Object.values(labels).join(', ')}`);
  return found[0];
}

const cellsOf = (line: string) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((cell) => cell.trim());

/** The matrix of the Markdown at `path`: `cellKey` → its word. Throws on a table it cannot read. */
export function readMatrix(path: string): Map<string, string> {
  const lines = readFileSync(path, 'utf8').split('\n');
  const start = lines.findIndex((line) => line.startsWith('<!-- matrix'));
  if (start < 0) throw new Error(`${path} has no <!-- matrix comment`);
  const end = lines.findIndex((line, i) => i > start && line.startsWith('#'));
  const table = lines.slice(start + 1, end < 0 ? undefined : end).filter((line) => line.trim().startsWith('|'));
  const [header, rule, ...rows] = table;
  if (header === undefined || rule === undefined || !/^\|?[\s|:-]+\|?$/.test(rule.trim())) throw new Error(`${path}: no Markdown table under <!-- matrix`);
  const columns = cellsOf(header).slice(1).map((cell) => labelOf(COLUMN_LABELS, cell, 'column'));
  const matrix = new Map<string, string>();
  for (const row of rows) {
    const [first, ...cells] = cellsOf(row);
    const client = labelOf(CLIENT_LABELS, first ?? '', 'row');
    if (cells.length !== columns.length) throw new Error(`${path}: the row ${JSON.stringify(first)} has ${cells.length} cells for ${columns.length} columns`);
    columns.forEach((column, i) => matrix.set(cellKey(client, column), cells[i] ?? ''));
  }
  return matrix;
}
