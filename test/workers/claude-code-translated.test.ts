/**
 * Current Claude Code on a model of another owner (issue 29): its own recorded requests
 * (test/fixtures/claude-code/: a mid-conversation `system` message, adaptive thinking, context
 * management, effort, a JSON-string `metadata.user_id`, cache hints, deferred tools, its betas and
 * headers) answer 200 through translation to an OpenAI-compatible owner and to a Gemini owner, streamed
 * and whole, and a tool round trip completes.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/env.ts';
import say from '../fixtures/claude-code/say-hi.messages.json';
import toolFirst from '../fixtures/claude-code/tool-1.messages.json';
import toolResult from '../fixtures/claude-code/tool-2-tool-result.messages.json';
import { adminToken, bearer } from './support/tokens.ts';
import { fakeUpstreams, type FakeUpstreams } from './support/upstreams.ts';
import { call, coldCache, providersVar, send, workerEnv } from './support/worker.ts';

const KEYS = { openai: 'sk-openai-cc-1', anthropic: 'sk-ant-cc-1', gemini: 'AIza-cc-1', ollama: 'ollama-cc-1' };
const SECRETS = { OPENAI_KEY: KEYS.openai, ANTHROPIC_KEY: KEYS.anthropic, GEMINI_KEY: KEYS.gemini, OLLAMA_KEY: KEYS.ollama };
const SECRET_OF = { openai: 'OPENAI_KEY', anthropic: 'ANTHROPIC_KEY', gemini: 'GEMINI_KEY', ollama: 'OLLAMA_KEY' } as const;

type Recorded = { url: string; headers: Record<string, string>; body: Record<string, unknown> };

beforeEach(coldCache);

async function setup(): Promise<{ env: Env; upstreams: FakeUpstreams; key: string }> {
  const upstreams = await fakeUpstreams({ keys: KEYS, chunks: 5 });
  const providers = (['openai', 'anthropic', 'gemini', 'ollama'] as const).map((kind) => upstreams.entry(kind, { apiKeySecret: SECRET_OF[kind], ...(kind === 'ollama' ? { prefix: 'ollama/' } : {}) }));
  const env = workerEnv({ ...providersVar(providers), ...SECRETS });
  const response = await call(env, '/admin/keys', { method: 'POST', headers: bearer(await adminToken()), body: JSON.stringify({ name: 'claude-code' }) });
  const { key } = (await response.json()) as { key: string };
  return { env, upstreams, key };
}

/** Claude Code's recorded call, its body's model and stream set, sent with its own headers (the client key as its bearer token). */
async function replay(env: Env, key: string, recorded: Recorded, body: Record<string, unknown>) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(recorded.headers)) {
    if (!['authorization', 'host', 'content-length', 'connection', 'accept-encoding'].includes(name)) headers[name] = value;
  }
  headers.authorization = `Bearer ${key}`;
  const { response, done } = await send(env, new URL(recorded.url, 'http://x').pathname + new URL(recorded.url, 'http://x').search, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  await done();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text };
}

/** The `event:`/`data:` pairs of an SSE body. */
function events(text: string): { event: string; data: Record<string, unknown> }[] {
  return text.split('\n\n').filter((block) => block.trim() !== '').map((block) => ({
    event: /^event: (.*)$/m.exec(block)?.[1] ?? '',
    data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as Record<string, unknown>,
  }));
}

/** The blocks a stream adds up to, as the Anthropic SDK accumulates them. */
function blocksOf(text: string): Array<{ type: string; text?: string; id?: string; name?: string; input?: unknown }> {
  const blocks: Array<{ type: string; text?: string; id?: string; name?: string; json?: string; input?: unknown }> = [];
  for (const { event, data } of events(text)) {
    if (event === 'content_block_start') blocks.push({ ...(data.content_block as { type: string }) });
    if (event === 'content_block_delta') {
      const block = blocks.at(-1);
      const delta = data.delta as { type: string; text?: string; partial_json?: string };
      if (block !== undefined && delta.type === 'text_delta') block.text = (block.text ?? '') + (delta.text ?? '');
      if (block !== undefined && delta.type === 'input_json_delta') block.json = (block.json ?? '') + (delta.partial_json ?? '');
    }
  }
  return blocks.map(({ json, ...block }) => (json === undefined ? block : { ...block, input: JSON.parse(json === '' ? '{}' : json) as unknown }));
}

describe('Claude Code (recorded) on a model of another owner', () => {
  it.each([
    ['openai', 'gpt-4o', '/openai/v1/chat/completions'],
    ['ollama', 'ollama/llama3.2:latest', '/ollama/v1/chat/completions'],
    ['gemini', 'gemini-2.5-flash', '/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse'],
  ])('%s: its first request answers 200 as an Anthropic stream, none of its fields refused', async (_kind, model, path) => {
    const { env, key, upstreams } = await setup();
    const answer = await replay(env, key, say as Recorded, { ...(say as Recorded).body, model });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.contentType).toMatch(/^text\/event-stream/);
    const names = events(answer.text).map((event) => event.event);
    expect(names[0]).toBe('message_start');
    expect(names.at(-1)).toBe('message_stop');
    // The fakes call the request's first tool (Claude Code's Agent), with arguments its schema allows.
    expect(blocksOf(answer.text)).toContainEqual(expect.objectContaining({ type: 'tool_use', name: 'Agent', input: expect.any(Object) }));
    const received = (await upstreams.received()).at(-1);
    expect(received?.path).toBe(path);
    // The client's key never reaches the owner; its betas and Claude Code's own headers neither.
    expect(JSON.stringify(received?.headers)).not.toContain(key);
    expect(received?.headers['anthropic-beta']).toBeUndefined();
  });

  it('carries the mid-conversation system message in place, as a system message, to a chat owner', async () => {
    const { env, key, upstreams } = await setup();
    const answer = await replay(env, key, say as Recorded, { ...(say as Recorded).body, model: 'gpt-4o' });
    expect(answer.status, answer.text).toBe(200);
    const chat = JSON.parse((await upstreams.received()).at(-1)?.body ?? '{}') as { messages: Array<{ role: string; content: unknown }>; user?: unknown; max_tokens?: unknown };
    const roles = chat.messages.map((message) => message.role);
    // Claude Code's system prompt first, its first user turn, then its system message where it stood.
    expect(roles.slice(0, 3)).toEqual(['system', 'user', 'system']);
    expect(JSON.stringify(chat.messages[2]?.content)).toContain('Claude Code prompt text');
    // metadata.user_id (a JSON string of ids) reaches the owner only as a 64-hex hash.
    expect(chat.user).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers a whole (non-streamed) message too', async () => {
    const { env, key } = await setup();
    const answer = await replay(env, key, say as Recorded, { ...(say as Recorded).body, model: 'gpt-4o', stream: false });
    expect(answer.status, answer.text).toBe(200);
    const message = JSON.parse(answer.text) as { type: string; model: string; content: Array<{ type: string; name?: string; input?: unknown }>; stop_reason: string };
    expect(message).toMatchObject({ type: 'message', model: 'gpt-4o', stop_reason: 'tool_use' });
    expect(message.content).toContainEqual(expect.objectContaining({ type: 'tool_use', name: 'Agent', input: expect.any(Object) }));
  });

  it.each([['openai', 'gpt-4o'], ['gemini', 'gemini-2.5-flash']])('%s: completes a tool round trip: the call streamed as tool_use, the result sent back, the answer text', async (kind, model) => {
    const { env, key } = await setup();
    const first = await replay(env, key, toolFirst as Recorded, { ...(toolFirst as Recorded).body, model });
    expect(first.status, first.text).toBe(200);
    const call = blocksOf(first.text).find((block) => block.type === 'tool_use');
    expect(call?.name).toBe('Agent');
    expect(events(first.text).find((event) => event.event === 'message_delta')?.data.delta).toMatchObject({ stop_reason: 'tool_use' });
    // Claude Code's second request, carrying this call and its result where it carried the recorded ones.
    const recorded = (toolResult as Recorded).body as { messages: Array<{ role: string; content: unknown }> };
    const messages = recorded.messages.map((message) => {
      if (!Array.isArray(message.content)) return message;
      const content = message.content.map((block: Record<string, unknown>) =>
        block.type === 'tool_use' ? { ...block, id: call?.id, name: call?.name, input: call?.input } : block.type === 'tool_result' ? { ...block, tool_use_id: call?.id } : block,
      );
      return { ...message, content };
    });
    const second = await replay(env, key, toolResult as Recorded, { ...recorded, messages, model });
    expect(second.status, second.text).toBe(200);
    const text = blocksOf(second.text).filter((block) => block.type === 'text').map((block) => block.text).join('');
    expect(text).toContain(`The tool answered; the ${kind} demo`);
  });
});
