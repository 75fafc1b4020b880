/**
 * The Responses writer read by the `openai` package itself (contract §15: clients of the Responses
 * dialect on every model). A loopback server plays the translated endpoint: it reads what the package
 * sends with the Responses reader, then answers with the writer's SSE (or whole response) for a
 * scripted owner stream. The package's own strict stream accumulator (`responses.stream(...)`'s
 * `finalResponse()`, which checks item identities, output indexes and that `response.completed` matches
 * the deltas) must build the text, calls and usage, and its errors must carry the owner's message.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event, Request } from '../../src/translate/ir.ts';
import { Refusal } from '../../src/translate/refuse.ts';
import { responsesClient } from '../../src/translate/responses/index.ts';

/** Owner streams by scenario (the request's last user text). */
const SCENARIOS: Record<string, Event[]> = {
  text: [
    { type: 'start', id: 'msg_01abc', usage: { input: 30, output: 1 } },
    { type: 'reasoning', text: 'Greet back.' },
    { type: 'text', text: 'Hello' },
    { type: 'text', text: ', world.' },
    { type: 'stop', reason: 'end' },
    { type: 'usage', usage: { input: 30, output: 12, cacheRead: 100, reasoning: 4 } },
    { type: 'done' },
  ],
  calls: [
    { type: 'start', id: 'chatcmpl-1' },
    { type: 'text', text: 'Checking both.' },
    { type: 'tool_call', index: 0, id: 'call_paris', name: 'get_weather', arguments: '{"city":' },
    { type: 'tool_call', index: 1, id: 'call_rome', name: 'get_weather', arguments: '{"city":"Ro' },
    { type: 'tool_call', index: 0, arguments: '"Paris"}' },
    { type: 'tool_call', index: 1, arguments: 'me"}' },
    { type: 'stop', reason: 'tool_use' },
    { type: 'usage', usage: { input: 50, output: 20 } },
    { type: 'done' },
  ],
  cut: [
    { type: 'start' },
    { type: 'text', text: 'Once upon a' },
    { type: 'stop', reason: 'max_tokens' },
    { type: 'usage', usage: { input: 5, output: 3 } },
    { type: 'done' },
  ],
  error: [
    { type: 'start' },
    { type: 'text', text: 'partial' },
    { type: 'error', failure: { status: 529, kind: 'overloaded', message: 'Overloaded' } },
  ],
};

let server: Server;
let client: OpenAI;
const seen: Request[] = [];

function lastUserText(request: Request): string {
  const message = request.messages.filter((turn) => turn.role === 'user').at(-1);
  const part = message?.parts.find((piece) => piece.type === 'text');
  return part?.type === 'text' ? part.text : '';
}

beforeAll(async () => {
  server = createServer((incoming, outgoing) => {
    let body = '';
    incoming.on('data', (chunk: Buffer) => (body += chunk.toString()));
    incoming.on('end', () => {
      const request = responsesClient.readRequest(JSON.parse(body) as unknown, {});
      if (request instanceof Refusal) {
        outgoing.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: request.message, type: 'invalid_request_error', param: null, code: null } }));
        return;
      }
      seen.push(request);
      const events = SCENARIOS[lastUserText(request)] ?? [];
      const context = { model: 'claude-alias', request, now: 1_765_552_659, randomId: 'f00d' };
      if (!request.stream) {
        const failure = events.find((event) => event.type === 'error');
        if (failure?.type === 'error') {
          const error = responsesClient.writeError(failure.failure);
          outgoing.writeHead(error.status, { 'content-type': 'application/json' }).end(error.body);
          return;
        }
        const parts = events.flatMap((event) => (event.type === 'text' ? [{ type: 'text' as const, text: event.text }] : []));
        outgoing.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(responsesClient.writeAnswer({ parts, stop: 'end', usage: { input: 1, output: 2 } }, context)));
        return;
      }
      outgoing.writeHead(200, { 'content-type': responsesClient.streamContentType });
      const writer = responsesClient.streamWriter(context);
      // One write per event, as the pipe does, with a keep-alive comment in between.
      for (const event of events) outgoing.write(writer.write([event]) + (writer.ping?.() ?? ''));
      outgoing.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new OpenAI({ apiKey: 'client-key', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const WEATHER = { type: 'function' as const, name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }, strict: true };

describe('the openai package reading translated Responses streams', () => {
  it('builds text, reasoning summary and usage with responses.stream(...).finalResponse()', async () => {
    const stream = client.responses.stream({ model: 'claude-alias', instructions: 'Be kind.', input: 'text', reasoning: { effort: 'low', summary: 'auto' } });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const response = await stream.finalResponse();
    expect(deltas).toEqual(['Hello', ', world.']);
    expect(response.output_text).toBe('Hello, world.');
    expect(response.status).toBe('completed');
    expect(response.model).toBe('claude-alias');
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    const reasoning = response.output[0];
    expect(reasoning?.type === 'reasoning' ? reasoning.summary : []).toEqual([{ type: 'summary_text', text: 'Greet back.' }]);
    expect(response.usage).toEqual({ input_tokens: 130, input_tokens_details: { cached_tokens: 100 }, output_tokens: 12, output_tokens_details: { reasoning_tokens: 4 }, total_tokens: 142 });
    expect(seen.at(-1)?.system).toEqual([{ type: 'text', text: 'Be kind.' }]);
  });

  it('builds interleaved parallel calls with their ids and whole arguments', async () => {
    const response = await client.responses.stream({ model: 'claude-alias', input: [{ role: 'user', content: 'calls' }], tools: [WEATHER], parallel_tool_calls: true }).finalResponse();
    expect(response.output_text).toBe('Checking both.');
    const calls = response.output.flatMap((item) => (item.type === 'function_call' ? [{ call_id: item.call_id, name: item.name, args: JSON.parse(item.arguments) as unknown }] : []));
    expect(calls).toEqual([
      { call_id: 'call_paris', name: 'get_weather', args: { city: 'Paris' } },
      { call_id: 'call_rome', name: 'get_weather', args: { city: 'Rome' } },
    ]);
    expect(response.usage?.total_tokens).toBe(70);
    expect(seen.at(-1)?.tools?.[0]?.name).toBe('get_weather');
  });

  it('reads the same stream event by event with responses.create({ stream: true })', async () => {
    const stream = await client.responses.create({ model: 'claude-alias', input: 'calls', tools: [WEATHER], stream: true });
    const types: string[] = [];
    let final: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.completed') final = event.response;
    }
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(final?.output.filter((item) => item.type === 'function_call')).toHaveLength(2);
  });

  it('ends an answer cut at the output cap as an incomplete response', async () => {
    const response = await client.responses.stream({ model: 'claude-alias', input: 'cut', max_output_tokens: 3 }).finalResponse();
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.output_text).toBe('Once upon a');
  });

  it("raises the owner's mid-stream failure with its message word for word", async () => {
    const error = await client.responses.stream({ model: 'claude-alias', input: 'error' }).finalResponse().then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('Overloaded');
  });

  it('reads a whole response and an error response with responses.create()', async () => {
    const response = await client.responses.create({ model: 'claude-alias', input: 'text' });
    expect(response.output_text).toBe('Hello, world.');
    expect(response.usage?.total_tokens).toBe(3);
    const error = await client.responses.create({ model: 'claude-alias', input: 'error' }).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(529);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('Overloaded');
  });

  it('sees a refusal of server-side state as a 400 naming the field', async () => {
    const error = await client.responses.create({ model: 'claude-alias', input: 'text', previous_response_id: 'resp_123' }).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('previous_response_id');
  });
});
