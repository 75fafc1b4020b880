/**
 * @module What the cross-dialect tests share: how each client's stream is read back (as its SDK adds it
 * up) into neutral terms, the request they answer, and the run of an owner body through the pipe.
 */
import { expect } from 'vitest';
import type { ClientDialect, OwnerDialect } from '../../../../src/translate/codec.ts';
import { chatClient } from '../../../../src/translate/chat/index.ts';
import { geminiClient } from '../../../../src/translate/gemini/index.ts';
import type { Request } from '../../../../src/translate/ir.ts';
import { messagesClient } from '../../../../src/translate/messages/index.ts';
import { translateStream } from '../../../../src/translate/pipe.ts';
import { responsesClient } from '../../../../src/translate/responses/index.ts';
import { sseParser } from '../../../../src/translate/sse.ts';

export type Json = Record<string, unknown>;
export const record = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
export const sse = (datas: unknown[]): string => datas.map((data) => `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`).join('');
export const named = (events: Array<[string, unknown]>): string => events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('');

/** What a client saw, in neutral terms: prompt tokens counted with cached ones (every dialect but Messages counts them that way). */
export type Seen = {
  model: string;
  text: string;
  calls: Array<{ name: string; args: unknown }>;
  stop: string;
  usage: { prompt: number; cached: number; output: number };
  error?: string;
};

/** An owner's stream and what it says. */
export type OwnerCase = { owner: OwnerDialect; body: string; text: string; calls: Array<{ name: string; args: unknown }>; stop: 'tool_use' | 'end' | 'max_tokens'; usage: Seen['usage'] };

export const calls = [
  { name: 'get_weather', args: { city: 'Paris', note: 'say "}" if cold' } },
  { name: 'get_time', args: { tz: 'UTC' } },
];
/** The streams' calls: the two above and one of a tool without parameters. */
export const streamed = [...calls, { name: 'list_files', args: {} }];

/** Each client's stream read back as its SDK adds it up. */
export type ClientCase = { client: ClientDialect; read(events: Json[]): Seen };

export const parse = (data: string): Json => record(JSON.parse(data));

export const CLIENTS: Record<string, ClientCase> = {
  chat: {
    client: chatClient,
    read(events) {
      const seen: Seen = { model: '', text: '', calls: [], stop: '', usage: { prompt: -1, cached: -1, output: -1 } };
      const args: string[] = [];
      for (const event of events) {
        if (event.error !== undefined) seen.error = String(record(event.error).message);
        if (typeof event.model === 'string') seen.model = event.model;
        const usage = record(event.usage);
        if (event.usage !== undefined && event.usage !== null) seen.usage = { prompt: Number(usage.prompt_tokens), cached: Number(record(usage.prompt_tokens_details).cached_tokens ?? 0), output: Number(usage.completion_tokens) };
        for (const choice of list(event.choices)) {
          const d = record(record(choice).delta);
          if (typeof d.content === 'string') seen.text += d.content;
          for (const call of list(d.tool_calls)) {
            const entry = record(call);
            const index = Number(entry.index);
            const fn = record(entry.function);
            if (typeof fn.name === 'string') seen.calls[index] = { name: fn.name, args: undefined };
            args[index] = (args[index] ?? '') + String(fn.arguments ?? '');
          }
          const finish = record(choice).finish_reason;
          if (typeof finish === 'string') seen.stop = { tool_calls: 'tool_use', stop: 'end', length: 'max_tokens' }[finish] ?? finish;
        }
      }
      seen.calls.forEach((call, index) => (call.args = JSON.parse(args[index] ?? '')));
      return seen;
    },
  },
  messages: {
    client: messagesClient,
    read(events) {
      const seen: Seen = { model: '', text: '', calls: [], stop: '', usage: { prompt: -1, cached: -1, output: -1 } };
      const blocks: Array<{ type: string; name?: string; json: string }> = [];
      let start: Json = {};
      for (const event of events) {
        if (event.type === 'error') seen.error = String(record(event.error).message);
        if (event.type === 'message_start') {
          const message = record(event.message);
          seen.model = String(message.model);
          start = record(message.usage);
        }
        if (event.type === 'content_block_start') {
          const content = record(event.content_block);
          blocks[Number(event.index)] = { type: String(content.type), name: typeof content.name === 'string' ? content.name : undefined, json: '' };
        }
        if (event.type === 'content_block_delta') {
          const d = record(event.delta);
          const target = blocks[Number(event.index)];
          if (d.type === 'text_delta') seen.text += String(d.text);
          if (d.type === 'input_json_delta' && target !== undefined) target.json += String(d.partial_json);
        }
        if (event.type === 'message_delta') {
          seen.stop = String(record(event.delta).stop_reason).replace('end_turn', 'end');
          // As Anthropic's SDK adds usage up: message_delta's fields over message_start's.
          const usage = { ...start, ...record(event.usage) };
          const cached = Number(usage.cache_read_input_tokens ?? 0);
          seen.usage = { prompt: Number(usage.input_tokens) + cached + Number(usage.cache_creation_input_tokens ?? 0), cached, output: Number(usage.output_tokens) };
        }
      }
      for (const b of blocks) if (b.type === 'tool_use') seen.calls.push({ name: b.name ?? '', args: JSON.parse(b.json === '' ? '{}' : b.json) });
      return seen;
    },
  },
  gemini: {
    client: geminiClient,
    read(events) {
      const seen: Seen = { model: '', text: '', calls: [], stop: '', usage: { prompt: -1, cached: -1, output: -1 } };
      for (const event of events) {
        if (event.error !== undefined) seen.error = String(record(event.error).message);
        if (typeof event.modelVersion === 'string') seen.model = event.modelVersion;
        const candidate = record(list(event.candidates)[0]);
        for (const part of list(record(candidate.content).parts)) {
          const p = record(part);
          if (typeof p.text === 'string' && p.thought !== true) seen.text += p.text;
          if (p.functionCall !== undefined) seen.calls.push({ name: String(record(p.functionCall).name), args: record(p.functionCall).args });
        }
        if (typeof candidate.finishReason === 'string') seen.stop = candidate.finishReason;
        if (event.usageMetadata !== undefined) {
          const usage = record(event.usageMetadata);
          seen.usage = { prompt: Number(usage.promptTokenCount), cached: Number(usage.cachedContentTokenCount ?? 0), output: Number(usage.candidatesTokenCount) + Number(usage.thoughtsTokenCount ?? 0) };
        }
      }
      // Gemini says STOP for calls and for the end alike.
      if (seen.stop === 'STOP') seen.stop = seen.calls.length > 0 ? 'tool_use' : 'end';
      if (seen.stop === 'MAX_TOKENS') seen.stop = 'max_tokens';
      return seen;
    },
  },
  responses: {
    client: responsesClient,
    read(events) {
      const seen: Seen = { model: '', text: '', calls: [], stop: '', usage: { prompt: -1, cached: -1, output: -1 } };
      let sequence = 0;
      for (const event of events) {
        expect(event.sequence_number).toBe(sequence++);
        if (event.type === 'error') seen.error = String(event.message);
        if (event.type === 'response.output_text.delta') seen.text += String(event.delta);
        const response = record(event.response);
        if (typeof response.model === 'string') seen.model = response.model;
        if (event.type === 'response.completed' || event.type === 'response.incomplete') {
          for (const item of list(response.output)) {
            const i = record(item);
            if (i.type === 'function_call') seen.calls.push({ name: String(i.name), args: JSON.parse(String(i.arguments)) });
          }
          const reason = record(response.incomplete_details).reason;
          seen.stop = reason === 'max_output_tokens' ? 'max_tokens' : seen.calls.length > 0 ? 'tool_use' : 'end';
          const usage = record(response.usage);
          seen.usage = { prompt: Number(usage.input_tokens), cached: Number(record(usage.input_tokens_details).cached_tokens), output: Number(usage.output_tokens) };
        }
      }
      return seen;
    },
  },
};

export const request: Request = { system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'Weather and time in Paris?' }] }], stream: true, streamUsage: true };

/** The owner's body in `size`-byte pieces (mid-line, mid-event), through the pipe, and the client's events back. */
export async function run(owner: OwnerDialect, client: ClientDialect, body: string, size = 7): Promise<Json[]> {
  const bytes = new TextEncoder().encode(body);
  let at = 0;
  const upstream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
  const context = { model: 'my-alias', request, estimatedInputTokens: 9, now: 1764650000, randomId: 'r4nd0m' };
  const out = translateStream(upstream, owner.streamReader(request), client.streamWriter(context), { secrets: [], onUsage: () => {}, onFailure: () => {} });
  const text = await new Response(out).text();
  const parser = sseParser();
  return [...parser.feed(text), ...parser.flush()].filter((data) => data !== '[DONE]').map(parse);
}
