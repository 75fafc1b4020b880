/**
 * @module The translation's own CPU for `npm run bench`, for every pair of client dialect and owner API
 * that is translated (docs/translation.md, "The matrix"): per streamed event (the owner's SSE through
 * the pipe: parsed, read, written), per request (a Claude Code-sized body read and written) and per
 * whole answer. Each owner's stream, request and answer are made by that dialect's own writer from one
 * internal-form turn, so every dialect is measured on the same work. Measured in Node's V8 (the engine
 * workerd runs) with the process's CPU clock; Node's Web Streams are plain JavaScript where workerd's
 * are native, so the per-event figure is an upper bound.
 *
 * It imports the worker's own code, so it runs as its own process (`node bench/translate.ts
 * [rounds]` prints the figures as JSON) and is type-checked with the worker's types beside Node's
 * (tsconfig.check-config.json); the bench reads it through `translateCpu` in translate-run.ts.
 */
import type { AnswerContext, ClientDialect, OwnerDialect } from '../src/translate/codec.ts';
import { chatClient, chatOwner } from '../src/translate/chat/index.ts';
import { geminiClient, geminiOwner } from '../src/translate/gemini/index.ts';
import type { Answer, Event, Request } from '../src/translate/ir.ts';
import { messagesClient, messagesOwner } from '../src/translate/messages/index.ts';
import { translateStream } from '../src/translate/pipe.ts';
import { Refusal } from '../src/translate/refuse.ts';
import { responsesClient } from '../src/translate/responses/index.ts';
import type { PairFigures } from './translate-figures.ts';

/** Text chunks, then one tool call whose arguments come in many pieces: what a coding agent's turn looks like. */
const TEXT_CHUNKS = 400;
const TOOL_ARGUMENT_CHUNKS = 200;
/** A Claude Code turn: a long system prompt, many tools, a long history. */
const TOOLS = 20;
const TURNS = 40;
/** Whole requests and answers per timed batch. */
const BATCH = 100;

const CLIENTS: Record<string, ClientDialect> = { chat: chatClient, messages: messagesClient, gemini: geminiClient, responses: responsesClient };
const OWNERS: Record<string, { owner: OwnerDialect; writer: ClientDialect }> = {
  chat: { owner: chatOwner, writer: chatClient },
  messages: { owner: messagesOwner, writer: messagesClient },
  gemini: { owner: geminiOwner, writer: geminiClient },
};
/** The translated pairs: every client with every owner API but its own (a Responses client reaches chat owners by translation too). */
export const PAIRS: Array<[client: string, owner: string]> = Object.keys(CLIENTS).flatMap((client) => Object.keys(OWNERS).filter((owner) => owner !== client).map((owner): [string, string] => [client, owner]));

if (import.meta.main) console.log(JSON.stringify(await measure(Number(process.argv[2] ?? '5'))));

async function measure(rounds: number): Promise<PairFigures[]> {
  const request = agentRequest();
  const out: PairFigures[] = [];
  for (const [clientName, ownerName] of PAIRS) {
    const client = CLIENTS[clientName];
    const pair = OWNERS[ownerName];
    if (client === undefined || pair === undefined) continue;
    const context = answerContext(request);
    // The owner's stream as it comes off the wire: each event written on its own, as the owner sends it.
    const ownerWriter = pair.writer.streamWriter(context);
    const ownerStream = sseChunks(turnEvents().map((event) => ownerWriter.write([event])).join(''));
    const ownerAnswer = JSON.stringify(pair.writer.writeAnswer(turnAnswer(), context));
    const clientBody = JSON.stringify(clientRequest(clientName, request));
    const drainOnce = () => drain(ownerStream, pair.owner, client, request);
    for (let i = 0; i < 3; i++) await drainOnce();
    const perEvent: number[] = [];
    const perRequest: number[] = [];
    const perAnswer: number[] = [];
    for (let round = 0; round < rounds; round++) {
      perEvent.push((await cpuOf(drainOnce)) / ownerStream.length);
      perRequest.push((await cpuOf(async () => repeat(() => writeRequest(client, pair.owner, clientBody, clientName)))) / BATCH);
      perAnswer.push((await cpuOf(async () => repeat(() => JSON.stringify(client.writeAnswer(readAnswer(pair.owner, ownerAnswer, request), context))))) / BATCH);
    }
    out.push({ client: clientName, owner: ownerName, perEventMs: median(perEvent), eventsPerStream: ownerStream.length, perRequestMs: median(perRequest), perAnswerMs: median(perAnswer) });
  }
  return out;
}

function writeRequest(client: ClientDialect, owner: OwnerDialect, body: string, clientName: string): string {
  const read = client.readRequest(JSON.parse(body), { stream: true });
  if (read instanceof Refusal) throw new Error(`${clientName} refused the bench request: ${read.message}`);
  const written = owner.writeRequest(read, { upstreamModel: 'model-x' });
  if (written instanceof Refusal) throw new Error(`the owner refused the bench request: ${written.message}`);
  return JSON.stringify(written.body);
}

function readAnswer(owner: OwnerDialect, text: string, request: Request): Answer {
  const answer = owner.readAnswer(JSON.parse(text), request);
  if ('kind' in answer) throw new Error(`the owner's answer read as a failure: ${answer.message}`);
  return answer;
}

function answerContext(request: Request): AnswerContext {
  return { model: 'model-x', request, estimatedInputTokens: 18_000, now: 1_764_641_201, randomId: '0123456789abcdef0123456789abcdef' };
}

/** The client's request in its own dialect: written by that dialect's owner writer from the same turn (Responses by hand). */
function clientRequest(client: string, request: Request): unknown {
  if (client === 'responses') return responsesRequest();
  const written = OWNERS[client]?.owner.writeRequest(request, { upstreamModel: 'model-x' });
  if (written === undefined || written instanceof Refusal) throw new Error(`no ${client} request for the bench`);
  return written.body;
}

/** The owner's SSE text cut into one piece per event, as it comes off the wire. */
function sseChunks(text: string): Uint8Array[] {
  const encoder = new TextEncoder();
  const separator = text.includes('\r\n\r\n') ? '\r\n\r\n' : '\n\n';
  return text.split(separator).filter((frame) => frame !== '').map((frame) => encoder.encode(frame + separator));
}

/** The whole translated stream read, one owner event per read, as the worker would pass it on. */
async function drain(chunks: Uint8Array[], owner: OwnerDialect, client: ClientDialect, request: Request): Promise<void> {
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[next++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk);
    },
  });
  const hooks = { secrets: [], onUsage: () => {}, onFailure: () => {} };
  const reader = translateStream(body, owner.streamReader(request), client.streamWriter(answerContext(request)), hooks).getReader();
  while (!(await reader.read()).done);
}

/** An agent's streamed turn in the internal form: text in many pieces, then one tool call in many pieces. */
function turnEvents(): Event[] {
  const events: Event[] = [{ type: 'start', id: 'bench' }];
  for (let i = 0; i < TEXT_CHUNKS; i++) events.push({ type: 'text', text: ` word${i}` });
  const args = toolArguments();
  const size = Math.ceil(args.length / TOOL_ARGUMENT_CHUNKS);
  events.push({ type: 'tool_call', index: 0, id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA', name: 'edit_file', arguments: '' });
  for (let at = 0; at < args.length; at += size) events.push({ type: 'tool_call', index: 0, arguments: args.slice(at, at + size) });
  events.push({ type: 'stop', reason: 'tool_use' }, { type: 'usage', usage: { input: 18_000, output: 900 } }, { type: 'done' });
  return events;
}

function toolArguments(): string {
  return JSON.stringify({ path: 'src/app.ts', old_string: 'x'.repeat(600), new_string: 'y'.repeat(600) });
}

function turnAnswer(): Answer {
  return {
    id: 'bench',
    parts: [{ type: 'text', text: 'Here is the fix. '.repeat(100) }, { type: 'tool_call', id: 'call_1', name: 'edit_file', arguments: JSON.stringify({ path: 'src/app.ts', content: 'z'.repeat(2000) }) }],
    stop: 'tool_use',
    usage: { input: 18_000, output: 900 },
  };
}

/** A coding agent's request in the internal form: a long system prompt, many tools, a long history of tool turns. */
function agentRequest(): Request {
  const schema = { type: 'object', properties: { path: { type: 'string', description: 'The file to edit' }, content: { type: 'string' } }, required: ['path'] };
  const tools = Array.from({ length: TOOLS }, (_, i) => ({ name: `tool_${i}`, description: `Tool number ${i}. `.repeat(20), parameters: schema }));
  const messages: Request['messages'] = [{ role: 'user', parts: [{ type: 'text', text: 'Fix the failing test.' }] }];
  for (let i = 0; i < TURNS / 2; i++) {
    messages.push({ role: 'assistant', parts: [{ type: 'text', text: 'Reading the file.' }, { type: 'tool_call', id: `call_${i}`, name: 'tool_1', arguments: JSON.stringify({ path: `src/file-${i}.ts` }) }] });
    messages.push({ role: 'tool', parts: [{ type: 'tool_result', id: `call_${i}`, name: 'tool_1', content: [{ type: 'text', text: 'ok '.repeat(300) }] }] });
  }
  return { system: [{ type: 'text', text: 'You are a coding agent. '.repeat(400) }], messages, stream: true, streamUsage: true, maxTokens: 32_000, tools };
}

/** The same turn as an OpenAI Responses body (the one client dialect without an owner writer). */
function responsesRequest(): Record<string, unknown> {
  const request = agentRequest();
  const input: unknown[] = [];
  for (const message of request.messages) {
    for (const part of message.parts) {
      if (part.type === 'text') input.push({ role: message.role, content: part.text });
      else if (part.type === 'tool_call') input.push({ type: 'function_call', call_id: part.id, name: part.name, arguments: part.arguments });
      else if (part.type === 'tool_result') input.push({ type: 'function_call_output', call_id: part.id, output: part.content.map((inner) => (inner.type === 'text' ? inner.text : '')).join('') });
    }
  }
  const tools = (request.tools ?? []).map((tool) => ({ type: 'function', name: tool.name, description: tool.description, parameters: tool.parameters }));
  return { model: 'model-x', instructions: request.system.map((part) => part.text).join('\n'), input, tools, stream: true, max_output_tokens: 32_000 };
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

function repeat(work: () => unknown): void {
  for (let i = 0; i < BATCH; i++) work();
}
