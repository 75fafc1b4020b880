/**
 * @module The one gate for upstream-controlled text (docs/behaviour.md, "What upstreams may not do"): a reason phrase, a header value,
 * a cursor or a body excerpt enters the status, a log line or an error only through `sanitise`.
 */
import type { ProviderEntry } from '../config/entry.ts';

/** Long enough to recognise a message, short enough that an upstream cannot fill the status or the logs. */
export const MAX_UPSTREAM_TEXT_CHARS = 200;
/** What a configured secret value is replaced with. */
export const REDACTED = '[redacted]';
/**
 * Shorter configured values (a header set to `1` or `yes`) are not secrets and would redact half of any
 * text; the same floor as `Config.secretValues`.
 */
const MIN_SECRET_CHARS = 4;

/**
 * C0 controls, DEL and C1 controls (U+0000–U+001F, U+007F–U+009F: newlines forge log lines, escapes
 * repaint terminals), plus the bidirectional overrides and isolates that make text read differently
 * from what it is (U+202A–U+202E, U+2066–U+2069).
 */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with control characters removed, every secret replaced by `[redacted]` (case-insensitively,
 * raw and URL-encoded: a key may come back lowercased in a host name or encoded in a cursor), trimmed
 * and cut to `MAX_UPSTREAM_TEXT_CHARS` characters. Control characters go first, so one planted inside a
 * key cannot hide it; redaction comes before the cut, so a cut can never leave half a key.
 */
export function sanitise(text: string, secrets: readonly string[]): string {
  const clean = redact(text.replace(CONTROL_CHARACTERS, ''), secrets).trim();
  const characters = Array.from(clean);
  return characters.length <= MAX_UPSTREAM_TEXT_CHARS ? clean : `${characters.slice(0, MAX_UPSTREAM_TEXT_CHARS - 1).join('')}…`;
}

/** The values an entry sends with every request (its key, its configured header values): what it could echo. */
export function entrySecrets(entry: Pick<ProviderEntry, 'apiKey' | 'headers'>): string[] {
  const values = [...(entry.apiKey === undefined ? [] : [entry.apiKey]), ...Object.values(entry.headers)];
  return values.filter((value) => value.length >= MIN_SECRET_CHARS);
}

function redact(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_CHARS) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  if (forms.size === 0) return text;
  // Longest first, so a secret that contains another is replaced whole.
  const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return text.replace(new RegExp(alternatives.join('|'), 'gi'), REDACTED);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
