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
  // One stringify of the whole array costs V8 half as much as one per model. Inside it, `},{"id":`
  // can only be the seam between two models: a quote inside a string is always escaped, and a model
  // holds no array of objects.
  const array = JSON.stringify(models);
  return HEAD + array.slice(1, -1).replaceAll('},{"id":', `}${SEPARATOR}{"id":`) + TAIL;
}

/**
 * The models of each of `providers` in a stored list body, parsing only their lines. A body written
 * before lists had one model per line is parsed whole, once.
 */
export function modelsOf(body: string, providers: readonly string[]): Map<string, Model[]> {
  if (body.startsWith(HEAD)) {
    try {
      return byLine(body, providers);
    } catch {
      // A line that is not one model: fall through to the whole parse.
    }
  }
  const found = new Map<string, Model[]>(providers.map((id) => [id, []]));
  for (const model of (JSON.parse(body) as ModelList).data) found.get(model.provider)?.push(model);
  return found;
}

function byLine(body: string, providers: readonly string[]): Map<string, Model[]> {
  const found = new Map<string, Model[]>();
  for (const provider of providers) {
    const models: Model[] = [];
    // Provider ids are `[a-z0-9-]+`; the closing quote keeps `openai` from matching `openai-eu`.
    const needle = `"provider":${JSON.stringify(provider)}`;
    for (let at = body.indexOf(needle); at >= 0; ) {
      const start = body.lastIndexOf('\n', at) + 1;
      const end = body.indexOf('\n', at);
      if (end < 0) throw new SyntaxError('a list body ends with a line break');
      const model = JSON.parse(body.slice(start, body.charCodeAt(end - 1) === COMMA ? end - 1 : end)) as Model;
      // The needle can only be this model's own field; checked all the same.
      if (model.provider === provider) models.push(model);
      at = body.indexOf(needle, end);
    }
    found.set(provider, models);
  }
  return found;
}
