/**
 * @module The translation's own CPU for `npm run bench`: per streamed event (an OpenAI chat stream
 * through `translateChatStream` into Anthropic events, SSE parsing and formatting included) and per
 * request (a Claude Code-sized Messages body to a chat body, and a whole chat answer back). Measured
 * in Node's V8, the engine workerd runs, with the process's CPU clock; Node's Web Streams are plain
 * JavaScript where workerd's are native, so the per-event figure is an upper bound.
 *
 * It imports the worker's own code, so it runs as its own process (`node scripts/lib/bench-translate.ts
 * [rounds]` prints the figures as JSON) and is type-checked with the worker's types beside Node's
 * (tsconfig.check-config.json); the bench reads it through `translateCpu` in bench-translate-run.ts.
 */
import { chatToMessage } from '../../src/translate/chat-to-messages.ts';
import { messagesToChat } from '../../src/translate/messages-to-chat.ts';
import { translateChatStream } from '../../src/translate/sse.ts';

export interface TranslateFigures {
  /** CPU per upstream chunk translated into Anthropic events, median over the rounds. */
  perEventMs: number;
  /** CPU to translate one Messages request into a chat body (parse and serialise included). */
  perRequestMs: number;
  /** CPU to translate one whole chat answer into a Messages answer (parse and serialise included). */
  perAnswerMs: number;
  /** Events per streamed answer in the measurement. */
  eventsPerStream: number;
}

/** Text chunks, then one tool call whose arguments come in many pieces: what a coding agent's turn looks like. */
const TEXT_CHUNKS = 400;
const TOOL_ARGUMENT_CHUNKS = 200;
/** A Claude Code turn: a long system prompt, many tools, a long history. */
const TOOLS = 20;
const TURNS = 40;

if (import.meta.main) console.log(JSON.stringify(await measure(Number(process.argv[2] ?? '7'))));

async function measure(rounds: number): Promise<TranslateFigures> {
  const stream = recordedStream();
  const request = JSON.stringify(claudeCodeRequest());
  const answer = JSON.stringify(chatAnswer());
  // Warm: JIT.
  for (let i = 0; i < 3; i++) await drain(stream.sse);
  const perEvent: number[] = [];
  const perRequest: number[] = [];
  const perAnswer: number[] = [];
  for (let round = 0; round < rounds; round++) {
    perEvent.push((await cpuOf(() => drain(stream.sse))) / stream.events);
    perRequest.push((await cpuOf(async () => repeat(200, () => JSON.stringify(messagesToChat(JSON.parse(request), 'gpt-4o'))))) / 200);
    perAnswer.push((await cpuOf(async () => repeat(200, () => JSON.stringify(chatToMessage(JSON.parse(answer), 'gpt-4o'))))) / 200);
  }
  return { perEventMs: median(perEvent), perRequestMs: median(perRequest), perAnswerMs: median(perAnswer), eventsPerStream: stream.events };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Process CPU (user + system) in ms spent by `work`. */
async function cpuOf(work: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

function repeat(times: number, work: () => unknown): void {
  for (let i = 0; i < times; i++) work();
}

/** The whole translated stream read, one upstream chunk per read, as the worker would pass it on. */
async function drain(sse: Uint8Array[]): Promise<void> {
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = sse[next++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
  const reader = translateChatStream(body, 'gpt-4o').getReader();
  while (!(await reader.read()).done);
}

/** An OpenAI chat stream as it comes off the wire: one SSE event per chunk, usage last. */
function recordedStream(): { sse: Uint8Array[]; events: number } {
  const base = { id: 'chatcmpl-CZx2TfW0qJ7m1Xc5Ga8EoVn3RbKu', object: 'chat.completion.chunk', created: 1764641201, model: 'gpt-4o-2024-08-06', system_fingerprint: 'fp_560af6e559' };
  const chunk = (delta: unknown, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null });
  const chunks: unknown[] = [chunk({ role: 'assistant', content: '', refusal: null })];
  for (let i = 0; i < TEXT_CHUNKS; i++) chunks.push(chunk({ content: ` word${i}` }));
  const args = JSON.stringify({ path: 'src/app.ts', old_string: 'x'.repeat(600), new_string: 'y'.repeat(600) });
  const size = Math.ceil(args.length / TOOL_ARGUMENT_CHUNKS);
  chunks.push(chunk({ tool_calls: [{ index: 0, id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA', type: 'function', function: { name: 'edit_file', arguments: '' } }] }));
  for (let at = 0; at < args.length; at += size) chunks.push(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(at, at + size) } }] }));
  chunks.push(chunk({}, 'tool_calls'));
  chunks.push({ ...base, choices: [], usage: { prompt_tokens: 18_000, completion_tokens: 900, total_tokens: 18_900 } });
  const encoder = new TextEncoder();
  const sse = [...chunks.map((c) => encoder.encode(`data: ${JSON.stringify(c)}\n\n`)), encoder.encode('data: [DONE]\n\n')];
  return { sse, events: sse.length };
}

function claudeCodeRequest(): Record<string, unknown> {
  const schema = { type: 'object', properties: { path: { type: 'string', description: 'The file to edit' }, content: { type: 'string' } }, required: ['path'] };
  const tools = Array.from({ length: TOOLS }, (_, i) => ({ name: `tool_${i}`, description: `Tool number ${i}. `.repeat(20), input_schema: schema }));
  const messages: unknown[] = [];
  for (let i = 0; i < TURNS / 2; i++) {
    messages.push({ role: 'user', content: i === 0 ? 'Fix the failing test.' : [{ type: 'tool_result', tool_use_id: `toolu_${i - 1}`, content: 'ok '.repeat(300) }] });
    messages.push({ role: 'assistant', content: [{ type: 'text', text: 'Reading the file.' }, { type: 'tool_use', id: `toolu_${i}`, name: 'tool_1', input: { path: `src/file-${i}.ts` } }] });
  }
  messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${TURNS / 2 - 1}`, content: 'done' }] });
  return {
    model: 'gpt-4o',
    max_tokens: 32_000,
    stream: true,
    system: [{ type: 'text', text: 'You are a coding agent. '.repeat(400), cache_control: { type: 'ephemeral' } }],
    tools,
    messages,
    metadata: { user_id: 'user_bench' },
  };
}

function chatAnswer(): Record<string, unknown> {
  return {
    id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
    object: 'chat.completion',
    created: 1764641201,
    model: 'gpt-4o-2024-08-06',
    choices: [{
      index: 0,
      message: { role: 'assistant', content: 'Here is the fix. '.repeat(100), tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'edit_file', arguments: JSON.stringify({ path: 'src/app.ts', content: 'z'.repeat(2000) }) } }] },
      finish_reason: 'tool_calls',
    }],
    usage: { prompt_tokens: 18_000, completion_tokens: 900, total_tokens: 18_900 },
  };
}
