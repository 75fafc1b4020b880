/**
 * Anthropic Messages translated to and from the OpenAI chat API end to end (contract §12
 * "Translation", issue 23): the real `@anthropic-ai/sdk` through the worker under `wrangler dev`
 * against an OpenAI-compatible owner and an Ollama owner (fakes in fake-providers/upstream-inference.ts:
 * OpenAI sends tool arguments in pieces, Ollama a whole call in one chunk). Whatever the owner, the
 * SDK's own helpers (`finalMessage()`, `on('text')`) must build what an Anthropic owner gives for the
 * same conversation.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicToolTurns, WEATHER_INPUT, WEATHER_TOOL } from '../fixtures/native/conversations.ts';
import { expectNoClientKey, PROVIDER_KEYS, startNativeWorld, type NativeWorld } from './support/native-worker.ts';

/** Each translated owner's model (id as listed = upstream id) and where its chat completions land. */
const OWNERS = [
  { kind: 'openai', model: 'gpt-4o', path: '/openai/v1/chat/completions' },
  { kind: 'ollama', model: 'llama3.2:latest', path: '/ollama/v1/chat/completions' },
] as const;
/** The native owner the translations are held against. */
const CLAUDE = 'claude-sonnet-4-5-20250929';

/** What must not depend on the owner: block types, tool names and parsed inputs, stop reason, usage present. */
function shapeOf(message: Anthropic.Message) {
  return {
    type: message.type,
    role: message.role,
    blocks: message.content.map((block) =>
      block.type === 'tool_use' ? { type: block.type, name: block.name, input: block.input, id: typeof block.id } : { type: block.type, text: block.type === 'text' && block.text.length > 0 },
    ),
    stop_reason: message.stop_reason,
    stop_sequence: message.stop_sequence,
    usage: { input_tokens: typeof message.usage.input_tokens, output_tokens: typeof message.usage.output_tokens },
  };
}

describe('Anthropic Messages translated for owners without a native Messages API', () => {
  let world: NativeWorld;
  let key: string;

  beforeAll(async () => {
    world = await startNativeWorld({ kinds: ['openai', 'ollama', 'anthropic'] });
    key = await world.clientKey();
  });

  afterAll(async () => {
    await world?.stop();
  });

  const client = () => new Anthropic({ baseURL: world.worker.url, apiKey: key, maxRetries: 0 });
  const mark = () => world.upstreams.state.received.length;

  /** The same conversation against the Anthropic owner: what a translation must look like. */
  async function reference(stream: boolean, messages: Anthropic.MessageParam[], tools?: Anthropic.Tool[]): Promise<Anthropic.Message> {
    const params = { model: CLAUDE, max_tokens: 256, messages, ...(tools === undefined ? {} : { tools }) };
    return stream ? client().messages.stream(params).finalMessage() : client().messages.create(params);
  }

  describe.each(OWNERS)('an owner of type $kind', ({ kind, model, path }) => {
    it('answers an unstreamed message in Anthropic’s shape, sent on as one chat completion with the provider key', async () => {
      const before = mark();
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Say hello in five words' }];
      const message = await client().messages.create({ model, max_tokens: 64, system: 'Be brief.', messages });
      expect(message.content).toEqual([{ type: 'text', text: `Hello from the ${kind} demo, as ${model}.` }]);
      // The calls this message made, before the reference call to the Anthropic owner adds its own.
      const calls = world.callsSince(before);
      expect(shapeOf(message)).toEqual(shapeOf(await reference(false, messages)));
      expect(calls.map((c) => c.path)).toEqual([path]);
      expect(calls[0]?.headers.authorization).toBe(`Bearer ${PROVIDER_KEYS[kind]}`);
      const body = JSON.parse(calls[0]?.body ?? '{}') as { model?: string; max_tokens?: number; max_completion_tokens?: number; messages?: { role: string }[] };
      expect(body.model).toBe(model);
      expect(body.max_tokens ?? body.max_completion_tokens).toBe(64);
      expect(body.messages?.map((m) => m.role)).toEqual(['system', 'user']);
      expect(JSON.stringify(body.messages)).toContain('Be brief.');
      expectNoClientKey(calls, key);
    });

    it('streams event by event: on("text") sees several deltas, finalMessage matches the Anthropic owner’s, usage asked for upstream', async () => {
      const before = mark();
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Hello?' }];
      const stream = client().messages.stream({ model, max_tokens: 64, messages });
      const deltas: string[] = [];
      stream.on('text', (delta) => deltas.push(delta));
      const message = await stream.finalMessage();
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.join('')).toBe(`Hello from the ${kind} demo, as ${model}.`);
      expect(message.content).toEqual([{ type: 'text', text: deltas.join('') }]);
      expect(shapeOf(message)).toEqual(shapeOf(await reference(true, messages)));
      const body = JSON.parse(world.callsSince(before)[0]?.body ?? '{}') as Record<string, unknown>;
      expect(body).toMatchObject({ model, stream: true, stream_options: { include_usage: true } });
    });

    it.each([true, false])('round-trips a tool call (streamed: %s): tool_use with the parsed input, tool_result, final text', async (streamed) => {
      const turns = anthropicToolTurns();
      const params = { model, max_tokens: 256, tools: [WEATHER_TOOL], messages: turns.ask };
      const before = mark();
      const call = streamed ? await client().messages.stream(params).finalMessage() : await client().messages.create(params);
      expect(call.stop_reason).toBe('tool_use');
      expect(call.content).toEqual([expect.objectContaining({ type: 'tool_use', name: WEATHER_TOOL.name, input: WEATHER_INPUT, id: expect.any(String) })]);
      expect(shapeOf(call)).toEqual(shapeOf(await reference(streamed, turns.ask, [WEATHER_TOOL])));
      const asked = JSON.parse(world.callsSince(before)[0]?.body ?? '{}') as Record<string, unknown>;
      expect(asked.tools).toEqual([{ type: 'function', function: expect.objectContaining({ name: WEATHER_TOOL.name, description: WEATHER_TOOL.description, parameters: WEATHER_TOOL.input_schema }) }]);

      const followUp = turns.answer(call);
      const afterCall = mark();
      const answer = streamed ? await client().messages.stream({ ...params, messages: followUp }).finalMessage() : await client().messages.create({ ...params, messages: followUp });
      expect(answer.stop_reason).toBe('end_turn');
      expect(answer.content).toEqual([{ type: 'text', text: `The tool answered; the ${kind} demo, as ${model}, is done.` }]);
      expect(shapeOf(answer)).toEqual(shapeOf(await reference(streamed, followUp, [WEATHER_TOOL])));
      // The tool call and its result reach the owner in its own terms, under the id the client saw.
      const [use] = call.content.flatMap((block) => (block.type === 'tool_use' ? [block] : []));
      const sent = JSON.parse(world.callsSince(afterCall)[0]?.body ?? '{}') as { messages?: { tool_calls?: { function?: { arguments?: string } }[] }[] };
      expect(sent.messages?.slice(-2)).toEqual([
        expect.objectContaining({ role: 'assistant', tool_calls: [{ id: use?.id, type: 'function', function: { name: WEATHER_TOOL.name, arguments: expect.any(String) } }] }),
        expect.objectContaining({ role: 'tool', tool_call_id: use?.id }),
      ]);
      expect(JSON.parse(sent.messages?.at(-2)?.tool_calls?.[0]?.function?.arguments ?? '')).toEqual(WEATHER_INPUT);
    });
  });
});
