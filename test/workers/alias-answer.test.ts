/**
 * A native answer for a model asked for by an alias names the alias (contract §15): the owner's
 * `"model"` / `"modelVersion"` members renamed as the text passes, however it is split; nothing else
 * touched; an answer asked for by the model's own id untouched.
 */
import { describe, expect, it } from 'vitest';
import { aliasAnswer, renamed } from '../../src/inference/alias-answer.ts';
import type { Model } from '../../src/model.ts';

async function through(text: string, size: number, from = 'gpt-4o', to = 'claude-gpt'): Promise<string> {
  let at = 0;
  const source = new ReadableStream<string>({
    pull(controller) {
      if (at >= text.length) return controller.close();
      controller.enqueue(text.slice(at, at + size));
      at += size;
    },
  });
  let out = '';
  const reader = source.pipeThrough(renamed(from, to)).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out += value;
  }
}

const SSE = [
  'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"delta":{"content":"the model \\"gpt-4o\\" said"}}]}\n\n',
  'event: message_start\ndata: {"type":"message_start","message":{"model": "gpt-4o","content":[]}}\n\n',
  'data: {"candidates":[],"modelVersion":"gpt-4o"}\r\n\r\n',
  'data: {"model":"gpt-4o-mini"}\n\n',
].join('');

describe('an alias call’s native answer', () => {
  it.each([1, 2, 5, 17, 1000])('names the alias in every model member, whatever the piece size (%i), and nothing else', async (size) => {
    const out = await through(SSE, size);
    expect(out).toBe(
      SSE.replace('"model":"gpt-4o","choices"', '"model":"claude-gpt","choices"')
        .replace('"model": "gpt-4o"', '"model": "claude-gpt"')
        .replace('"modelVersion":"gpt-4o"', '"modelVersion":"claude-gpt"'),
    );
    // The text the model wrote and another model's id are left alone.
    expect(out).toContain('the model \\"gpt-4o\\" said');
    expect(out).toContain('"model":"gpt-4o-mini"');
  });

  it('is no rewrite at all for a call by the model’s own id', () => {
    const model = { id: 'gpt-4o', upstream_id: 'gpt-4o' } as Model;
    expect(aliasAnswer({ asked: 'gpt-4o', model })).toBeUndefined();
    expect(aliasAnswer({ asked: 'claude-gpt', model })).toBeTypeOf('function');
  });

  it('drops the owner’s content-length, since the renamed body may differ in length', async () => {
    const model = { id: 'gpt-4o', upstream_id: 'gpt-4o' } as Model;
    const rewrite = aliasAnswer({ asked: 'claude-gpt', model });
    const body = '{"model":"gpt-4o","choices":[]}';
    const answer = await rewrite?.(new Response(body, { headers: { 'content-length': String(body.length), 'content-type': 'application/json' } }));
    expect(answer?.headers.get('content-length')).toBeNull();
    expect(await answer?.text()).toBe('{"model":"claude-gpt","choices":[]}');
  });
});
