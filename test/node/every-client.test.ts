/**
 * Every client on every model (contract §15, issue 30): one worker under `wrangler dev` over the fake
 * owners, and for every cell of §15's table — the client packages `openai` (chat and Responses),
 * `@anthropic-ai/sdk` and `@google/genai` × an owner of each type — a whole answer, a streamed one and
 * a tool round trip (the model asks for the tool, its arguments streamed in pieces where the owner
 * sends them so; the client sends the result back; the model answers) through the package's own API.
 * Each checks the exact text, the usage the client sees in its own shape against what the owner
 * reported (input with cached input, output), and that the owner received the call in its own
 * dialect. What each cell was seen to do (native or translated) must be what docs/translation.md's
 * matrix says, and the matrix must list exactly these cells.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceivedCall } from '../../fake-providers/upstream-common.ts';
import { afterToolText } from '../../fake-providers/upstream-tools.ts';
import { WEATHER_INPUT, WEATHER_TOOL } from '../fixtures/native/conversations.ts';
import { drivers, MAX_TOKENS, type Client, type Driver, type SeenUsage } from './support/every-client-drivers.ts';
import { cellKey, CELL_WORDS, CLIENT_LABELS, COLUMN_LABELS, readMatrix, type Column } from './support/matrix-doc.ts';
import { startNativeWorld, type NativeWorld } from './support/native-worker.ts';
import { answeredBy, declaredTools, dialectOf, maxTokensOf, ownerSplitsArguments, shapeProblem, toolTurns, wordFor } from './support/owner-calls.ts';

/** Where the matrix is written: the README's short form and the translation page's; both must say what was seen. */
const MATRIX_DOCS = ['../../README.md', '../../docs/translation.md'].map((path) => new URL(path, import.meta.url).pathname);

/** An owner of one of §15's columns: the model a client names, and the model its fake is asked for. */
interface Owner {
  column: Column;
  label: string;
  model: string;
  upstream: string;
  /** The fake that plays it (the first segment of its paths). */
  fake: string;
}

/**
 * One owner per column, two for OpenAI-compatible chat: an `openai` entry without the Responses API
 * (the fake streams tool arguments in pieces) and `ollama` (a whole call in one chunk). The Responses
 * owner is the plain `openai` entry, with a reasoning model so its usage holds reasoning tokens.
 */
const OWNERS: Owner[] = [
  { column: 'chat', label: 'openai (responses: false)', model: 'compat/gpt-4o', upstream: 'gpt-4o', fake: 'openai' },
  { column: 'chat', label: 'ollama', model: 'llama3.2:latest', upstream: 'llama3.2:latest', fake: 'ollama' },
  { column: 'anthropic', label: 'anthropic', model: 'claude-sonnet-4-5-20250929', upstream: 'claude-sonnet-4-5-20250929', fake: 'anthropic' },
  { column: 'gemini', label: 'gemini', model: 'gemini-2.5-flash', upstream: 'gemini-2.5-flash', fake: 'gemini' },
  { column: 'responses', label: 'openai (Responses)', model: 'gpt-5', upstream: 'gpt-5', fake: 'openai' },
];
const CLIENTS: Client[] = ['chat', 'messages', 'gemini', 'responses'];
const COLUMNS: Column[] = ['chat', 'anthropic', 'gemini', 'responses'];
const PACKAGES: Record<Client, string> = { chat: 'openai (chat)', messages: '@anthropic-ai/sdk', gemini: '@google/genai', responses: 'openai (Responses)' };

/** The three things every cell does. */
const STEPS = { whole: 'answers a whole message', streamed: 'streams text in several deltas', tool: 'round-trips a tool call: streamed arguments, the result sent back paired with the call, the final answer' } as const;
type Step = keyof typeof STEPS;

describe('every client on every owner, through wrangler dev', () => {
  let world: NativeWorld;
  let clients: Record<Client, Driver>;
  /** What each cell's calls were seen to be at the owner: cellKey → the words seen. */
  const seen = new Map<string, Set<string>>();

  beforeAll(async () => {
    world = await startNativeWorld({ extra: [{ id: 'openai-chat', type: 'openai', prefix: 'compat/', responses: false }] });
    clients = drivers(world.worker.url, await world.clientKey());
  });

  afterAll(async () => {
    await world?.stop();
  });

  /** The newest call so far: the calls after it are the ones a step made. */
  const mark = () => world.upstreams.state.received.at(-1);
  function onlyCallSince(marker: ReceivedCall | undefined): ReceivedCall {
    const received = world.upstreams.state.received;
    const calls = received.slice(received.indexOf(marker as ReceivedCall) + 1);
    expect(calls.map((c) => c.path), 'one call at the owner').toHaveLength(1);
    return calls[0] as ReceivedCall;
  }

  /** The owner's fake got the call for its model, in a dialect of its own shaped as that dialect, the output limit carried; the cell's word is noted. */
  function expectOwnerCall(client: Client, owner: Owner, call: ReceivedCall): void {
    const received = dialectOf(call);
    expect(received, `the owner's path ${call.path}`).toBeDefined();
    expect(shapeProblem(call)).toBeUndefined();
    expect(answeredBy(call)).toEqual({ fake: owner.fake, model: owner.upstream });
    expect(maxTokensOf(call), 'the output limit in the owner’s terms').toBe(MAX_TOKENS);
    if (received === undefined) return;
    const word = wordFor(client, owner.column, received);
    const key = cellKey(client, owner.column);
    seen.set(key, (seen.get(key) ?? new Set()).add(word));
  }

  /** The client's usage, in its own shape, is what the owner reported: input (cached in it), cached input, output. */
  function expectUsage(usage: SeenUsage | undefined, call: ReceivedCall): void {
    expect(call.usage, 'the owner answered with usage (a translated stream must ask for it)').toBeDefined();
    expect(usage, 'the client saw usage').toBeDefined();
    expect(usage?.input).toBeGreaterThan(0);
    expect(usage?.output).toBeGreaterThan(0);
    expect(usage).toEqual({ input: call.usage?.input, cachedInput: call.usage?.cachedInput, output: call.usage?.output });
  }

  const hello = (call: ReceivedCall) => `Hello from the ${answeredBy(call).fake} demo, as ${answeredBy(call).model}.`;

  for (const client of CLIENTS) {
    for (const owner of OWNERS) {
      describe(`${PACKAGES[client]} → ${owner.label} (${COLUMN_LABELS[owner.column]})`, () => {
        const step = (name: Step, body: () => Promise<void>) => it(STEPS[name], body);

        step('whole', async () => {
          const before = mark();
          const turn = await clients[client].whole(owner.model);
          const call = onlyCallSince(before);
          expectOwnerCall(client, owner, call);
          expect(turn.text).toBe(hello(call));
          expectUsage(turn.usage, call);
        });

        step('streamed', async () => {
          const before = mark();
          const turn = await clients[client].streamed(owner.model);
          const call = onlyCallSince(before);
          expectOwnerCall(client, owner, call);
          expect(turn.pieces).toBeGreaterThan(1);
          expect(turn.text).toBe(hello(call));
          expectUsage(turn.usage, call);
        });

        step('tool', async () => {
          const before = mark();
          const ask = await clients[client].askTool(owner.model);
          const call = onlyCallSince(before);
          expectOwnerCall(client, owner, call);
          expect(declaredTools(call)).toEqual([WEATHER_TOOL.name]);
          expect(ask.name).toBe(WEATHER_TOOL.name);
          expect(ask.args).toEqual(WEATHER_INPUT);
          // Pieces the owner streamed stay pieces where the client's dialect streams arguments (Gemini sends calls whole).
          expect(ask.argPieces).toBeGreaterThanOrEqual(client !== 'gemini' && ownerSplitsArguments(call) ? 2 : 1);
          expectUsage(ask.usage, call);

          const between = mark();
          const answer = await ask.answer();
          const followUp = onlyCallSince(between);
          expectOwnerCall(client, owner, followUp);
          const turns = toolTurns(followUp);
          expect(turns.calls).toHaveLength(1);
          expect(turns.results).toEqual(turns.calls);
          const { fake, model } = answeredBy(followUp);
          expect(answer.text).toBe(afterToolText(fake, model));
          expectUsage(answer.usage, followUp);
        });
      });
    }
  }

  it.each(MATRIX_DOCS)('did in every cell what the matrix in %s says', (doc) => {
    const matrix = readMatrix(doc);
    const observed = Object.fromEntries([...seen].map(([key, words]) => [key, [...words].join(' and ')]));
    expect(observed).toEqual(Object.fromEntries([...matrix].filter(([key]) => key in observed)));
    expect(Object.keys(observed).toSorted(), 'every cell seen at its owner').toEqual([...matrix.keys()].toSorted());
  });
});

describe('the matrix in README.md and docs/translation.md', () => {
  it.each(MATRIX_DOCS)('%s lists exactly the cells this file drives, each in a word the test can see', (doc) => {
    const matrix = readMatrix(doc);
    const driven = CLIENTS.flatMap((client) => COLUMNS.filter((column) => OWNERS.some((o) => o.column === column)).map((column) => cellKey(client, column)));
    expect([...matrix.keys()].toSorted()).toEqual(driven.toSorted());
    for (const [key, word] of matrix) expect(CELL_WORDS, key).toContain(word);
    expect(Object.keys(CLIENT_LABELS)).toEqual(CLIENTS);
  });
});
