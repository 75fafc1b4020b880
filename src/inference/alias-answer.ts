/**
 * @module A native answer for a model asked for by an alias names the alias (contract §15: the answer's
 * `model` is the name the client asked for). The owner names its own id in `"model"` (OpenAI chat and
 * Responses, Anthropic, in every stream event that carries it) or `"modelVersion"` (Gemini); each such
 * member is renamed as the text passes, however the bytes are split. Only alias calls pay this: every
 * other answer passes untouched (src/inference/forward.ts).
 */
import type { Target } from './resolve.ts';
import type { Rewrite } from './forward.ts';

/** Spaces a provider may put around a member's colon: none in practice, two at most here. */
const MAX_SPACES = 2;
const KEYS = ['"model"', '"modelVersion"'];

/** The rewrite for `target`'s answer, or undefined when it was asked for by its own id. */
export function aliasAnswer(target: Pick<Target, 'asked' | 'model'>): Rewrite | undefined {
  if (target.asked === target.model.id) return undefined;
  const from = target.model.upstream_id;
  const to = target.asked;
  return (upstream) => {
    if (upstream.body === null) return upstream;
    const headers = new Headers(upstream.headers);
    headers.delete('content-length');
    const body = upstream.body.pipeThrough(new TextDecoderStream()).pipeThrough(renamed(from, to)).pipeThrough(new TextEncoderStream());
    return new Response(body, { status: upstream.status, statusText: upstream.statusText, headers });
  };
}

/** Text with every `"model": "<from>"` (and `"modelVersion"`) member's value replaced by `to`. */
export function renamed(from: string, to: string): TransformStream<string, string> {
  const quotedFrom = JSON.stringify(from);
  const quotedTo = JSON.stringify(to);
  const pattern = new RegExp(`((?:${KEYS.join('|')})\\s{0,${MAX_SPACES}}:\\s{0,${MAX_SPACES}})${escape(quotedFrom)}`, 'g');
  // A match not yet complete at a piece's end starts in its last (longest match - 1) characters: those wait.
  const held = Math.max(...KEYS.map((key) => key.length)) + 2 * MAX_SPACES + 1 + quotedFrom.length - 1;
  let carry = '';
  return new TransformStream<string, string>({
    transform(piece, controller) {
      const text = (carry + piece).replace(pattern, (_match, member: string) => member + quotedTo);
      const cut = Math.max(0, text.length - held);
      carry = text.slice(cut);
      if (cut > 0) controller.enqueue(text.slice(0, cut));
    },
    flush(controller) {
      if (carry !== '') controller.enqueue(carry);
    },
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
