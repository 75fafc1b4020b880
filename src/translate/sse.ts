/**
 * @module Server-sent events as an owner sends them: the `data` of each event, however the bytes are
 * split (mid-line, mid-UTF-8 character, CR, LF or CRLF endings), comments and other fields skipped
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html). The pipe (pipe.ts) feeds it.
 */

/** Splits text into SSE events' `data` (multi-line data joined by `\n`), keeping the unfinished line for later. */
export function sseParser(): { feed(text: string): string[]; flush(): string[] } {
  let buffer = '';
  let data: string[] = [];
  /** A CR ended the last piece: an LF first in the next one belongs to it. */
  let pendingCR = false;
  function line(text: string, out: string[]): void {
    if (text === '') {
      if (data.length > 0) out.push(data.join('\n'));
      data = [];
    } else if (text.startsWith('data:')) {
      data.push(text.charCodeAt(5) === 0x20 ? text.slice(6) : text.slice(5));
    } else if (text.charCodeAt(0) === 0x7b && data.length === 0) {
      // A bare JSON object on its own line: how Google's API reports an error inside an `alt=sse`
      // stream (Google's own SDK reads it), taken as one event of its own.
      out.push(text);
    }
    // Comments (`:`), `event:`, `id:` and `retry:` carry nothing a reader needs: every dialect's data names its own type.
  }
  return {
    feed(text: string): string[] {
      const out: string[] = [];
      let from = 0;
      if (pendingCR && text.charCodeAt(0) === 0x0a) from = 1;
      pendingCR = false;
      for (let i = from; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c !== 0x0a && c !== 0x0d) continue;
        line(buffer + text.slice(from, i), out);
        buffer = '';
        if (c === 0x0d) {
          if (i + 1 === text.length) pendingCR = true;
          else if (text.charCodeAt(i + 1) === 0x0a) i++;
        }
        from = i + 1;
      }
      buffer += text.slice(from);
      return out;
    },
    flush(): string[] {
      const out: string[] = [];
      if (buffer !== '') line(buffer, out);
      buffer = '';
      line('', out);
      return out;
    },
  };
}
