/**
 * @module The stored list's bytes: one model per line, so a refresh finds one provider's models in
 * the previous list by scanning for its name and parsing those lines alone, never the whole list.
 * A raw line break never occurs inside JSON text's strings (JSON escapes it as `\n`), so every line
 * break in the body is one of ours.
 */
import type { Model, ModelList } from '../model.ts';

const HEAD = '{"object":"list","data":[\n';
const SEPARATOR = ',\n';
const TAIL = '\n]}';
const COMMA = 0x2c;

/** `{"object":"list","data":[…]}` with each model on its own line: valid JSON, served as it is. */
export function listBody(models: readonly Model[]): string {
  if (models.length === 0) return '{"object":"list","data":[]}';
  // One stringify per model and a join cost V8 no more than one stringify of the whole list.
  return HEAD + models.map((model) => JSON.stringify(model)).join(SEPARATOR) + TAIL;
}

/**
 * The models of each of `providers` in a stored list body, parsing only their lines. A body written
 * before lists had one model per line is parsed whole, once.
 */
export function modelsOf(body: string, providers: readonly string[]): Map<string, Model[]> {
  const found = new Map<string, Model[]>(providers.map((id) => [id, []]));
  if (!body.startsWith(HEAD)) {
    for (const model of (JSON.parse(body) as ModelList).data) found.get(model.provider)?.push(model);
    return found;
  }
  for (const [provider, models] of found) {
    // Provider ids are `[a-z0-9-]+`; the closing quote keeps `openai` from matching `openai-eu`.
    const needle = `"provider":${JSON.stringify(provider)}`;
    for (let at = body.indexOf(needle); at >= 0; ) {
      const start = body.lastIndexOf('\n', at) + 1;
      const end = body.indexOf('\n', at);
      if (end < 0) break; // no list this module wrote: the tail ends with a line break
      const model = JSON.parse(body.slice(start, body.charCodeAt(end - 1) === COMMA ? end - 1 : end)) as Model;
      // The needle can only be this model's own field; checked all the same.
      if (model.provider === provider) models.push(model);
      at = body.indexOf(needle, end);
    }
  }
  return found;
}
