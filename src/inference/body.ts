/**
 * @module An inference request body: parsed once to check it and read `model`, then forwarded with
 * only `model`'s value replaced, byte for byte otherwise (no re-serialisation: numbers, key order,
 * spacing and unknown fields reach the provider exactly as the client wrote them).
 */
import { isObject } from '../config/fields.ts';
import { apiError } from '../errors.ts';
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE } from '../json-chars.ts';

/** The request's `model`, and the body as parsed (to read, never to forward), or a 400 naming what is wrong. */
export function checkBody(text: string): { model: string; parsed: Record<string, unknown> } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw invalid(`The body is not valid JSON (${error instanceof Error ? error.message.slice(0, 120) : 'parse error'}).`);
  }
  if (!isObject(body)) throw invalid('The body must be a JSON object with a "model".');
  if (!('model' in body)) throw invalid('The body has no "model": name one from GET /v1/models.');
  if (typeof body.model !== 'string' || body.model === '') throw invalid('"model" must be a non-empty string naming a model from GET /v1/models.');
  return { model: body.model, parsed: body };
}

/**
 * `text` with the value of every top-level `"model"` member replaced by `model`. `text` must be a
 * JSON object that `checkBody` accepted: the scan relies on it being valid JSON.
 */
export function withModel(text: string, model: string): string {
  const replacement = JSON.stringify(model);
  let out = '';
  let copied = 0;
  let depth = 0;
  // At depth 1: 'key' before a member's name, 'value' after its colon, 'after' once the value began.
  let phase: 'key' | 'value' | 'after' = 'after';
  let key: unknown;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === QUOTE) {
      const end = stringEnd(text, i);
      if (depth === 1 && phase === 'key') key = JSON.parse(text.slice(i, end));
      else if (depth === 1 && phase === 'value') {
        if (key === 'model') {
          out += text.slice(copied, i) + replacement;
          copied = end;
        }
        phase = 'after';
      }
      i = end - 1;
    } else if (ch === OPEN_BRACE || ch === OPEN_BRACKET) {
      if (depth === 1 && phase === 'value') phase = 'after';
      depth++;
      if (depth === 1) phase = 'key';
    } else if (ch === CLOSE_BRACE || ch === CLOSE_BRACKET) {
      depth--;
    } else if (depth === 1 && ch === COMMA) {
      phase = 'key';
    } else if (depth === 1 && ch === COLON) {
      phase = 'value';
    }
  }
  return out + text.slice(copied);
}


/** The index just past the closing quote of the string opening at `start` (long strings skipped by indexOf). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

const invalid = (message: string) => apiError(400, 'invalid_request', message);
