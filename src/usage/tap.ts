/**
 * @module What a counted call keeps of its answer to read the usage from once the body has ended
 * (extract.ts): a copy of the first `HEAD_BYTES` and of the last `TAIL_BYTES`, bounded whatever the
 * answer's length. The bytes are seen off the client's path where the answer allows
 * (src/inference/answer-body.ts). Per chunk seen: at most two bounded copies into fixed buffers, no allocation.
 */
import { tokensFrom, type Tokens, type UsageFormat } from './extract.ts';

/** Anthropic's `message_start` (the input tokens) is the first event: well inside this. */
export const HEAD_BYTES = 4 * 1024;
/** The last events of a stream (OpenAI's usage chunk, `response.completed`, `message_delta`, Gemini's last chunk) fit many times over. */
export const TAIL_BYTES = 16 * 1024;

/** What a counted call keeps of its answer: its first and last bytes, seen chunk by chunk. */
export interface UsageTail {
  /** Keeps what it needs of the next chunk of the answer (at most two bounded copies, no allocation). */
  see(chunk: Uint8Array): void;
  /** The tokens, once the body has ended (or stopped): null when it carried no usage. */
  tokens(): Tokens | null;
}

export interface UsageTap {
  /** Pipe the answer through this. */
  stream: TransformStream<Uint8Array, Uint8Array>;
  /** The tokens, once the body has ended (or stopped): null when it carried no usage. */
  tokens(): Tokens | null;
}

/** The answer's head and tail for `format`'s usage, fed by whoever reads the answer (src/inference/answer-body.ts). */
export function usageTail(format: UsageFormat): UsageTail {
  const head = new Uint8Array(HEAD_BYTES);
  let headLength = 0;
  // A ring: `total` bytes seen, the last min(total, TAIL_BYTES) of them at positions total % TAIL_BYTES backwards.
  const ring = new Uint8Array(TAIL_BYTES);
  let total = 0;
  return {
    see(chunk) {
      if (headLength < HEAD_BYTES) {
        const part = chunk.subarray(0, HEAD_BYTES - headLength);
        head.set(part, headLength);
        headLength += part.length;
      }
      const kept = chunk.length > TAIL_BYTES ? chunk.subarray(chunk.length - TAIL_BYTES) : chunk;
      total += chunk.length - kept.length;
      const at = total % TAIL_BYTES;
      const first = Math.min(kept.length, TAIL_BYTES - at);
      ring.set(kept.subarray(0, first), at);
      if (first < kept.length) ring.set(kept.subarray(first), 0);
      total += kept.length;
    },
    tokens() {
      const decoder = new TextDecoder();
      const tailText = decoder.decode(tailBytes(ring, total));
      const headText = total <= TAIL_BYTES ? tailText : decoder.decode(head.subarray(0, headLength));
      return tokensFrom(format, headText, tailText);
    },
  };
}

/** The same as a stream stage: every chunk passes on unchanged and at once (for a body that must be piped anyway). */
export function usageTap(format: UsageFormat): UsageTap {
  const tail = usageTail(format);
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      controller.enqueue(chunk);
      tail.see(chunk);
    },
  });
  return { stream, tokens: tail.tokens };
}

/** The ring's bytes in stream order. */
function tailBytes(ring: Uint8Array, total: number): Uint8Array {
  if (total <= ring.length) return ring.subarray(0, total);
  const at = total % ring.length;
  const out = new Uint8Array(ring.length);
  out.set(ring.subarray(at), 0);
  out.set(ring.subarray(0, at), ring.length - at);
  return out;
}
