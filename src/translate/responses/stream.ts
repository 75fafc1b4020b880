/**
 * @module Internal stream events as a Responses stream
 * (https://platform.openai.com/docs/api-reference/responses-streaming): `response.created`,
 * `response.in_progress`, each output item's events in OpenAI's order, then `response.completed` (or
 * `response.incomplete`) carrying the whole response, every event with its `sequence_number`.
 * Text and reasoning are one open item at a time (a switch closes the open one; later text opens a new
 * message); each tool call is its own item, opened when first seen and streamed live by its
 * `output_index`, even when the owner interleaves calls, and closed at the end. A failure is OpenAI's
 * `error` event then `response.failed`, and nothing after.
 */
import type { AnswerContext, StreamWriter } from '../codec.ts';
import type { Event, Failure, StopReason, Usage } from '../ir.ts';
import { errorCode, errorType, failedResponseCode } from './errors.ts';
import { callItem, type Item, itemId, messageItem, reasoningItem, responseId, responseObject, statusOf, usageObject } from './response.ts';

type Open =
  | { kind: 'message'; id: string; index: number; text: string }
  | { kind: 'reasoning'; id: string; index: number; text: string }
  | { kind: 'call'; id: string; index: number; call: { id: string; name: string; arguments: string } };

export function streamWriter(context: AnswerContext): StreamWriter {
  const includeReasoning = context.request.reasoning?.includeText === true;
  let sequence = 0;
  let id = '';
  let out = '';
  let finished = false;
  let stop: StopReason | undefined;
  let usage: Usage | undefined;
  /** Finished items by output index, as sent in their `output_item.done`. */
  const items: Item[] = [];
  /** Items still open, by output index. */
  const opens = new Map<number, Open>();
  let nextIndex = 0;
  let current: Extract<Open, { kind: 'message' | 'reasoning' }> | undefined;
  const calls = new Map<number, Extract<Open, { kind: 'call' }>>();

  const send = (type: string, fields: Record<string, unknown>) => {
    out += `event: ${type}\ndata: ${JSON.stringify({ type, ...fields, sequence_number: sequence++ })}\n\n`;
  };
  /** An item as `output_item.added` announces it: no content yet (its parts are added by their own events). */
  const added = (open: Open): Item => {
    if (open.kind === 'message') return { id: open.id, type: 'message', status: 'in_progress', content: [], role: 'assistant' };
    if (open.kind === 'reasoning') return { id: open.id, type: 'reasoning', summary: [] };
    return callItem(open.id, open.call, 'in_progress');
  };
  /** An open item as it stands, for a failed response's output. */
  const snapshot = (open: Open): Item => {
    if (open.kind === 'message') return messageItem(open.id, open.text, 'in_progress');
    if (open.kind === 'reasoning') return reasoningItem(open.id, [open.text]);
    return callItem(open.id, open.call, 'in_progress');
  };
  /** Every item so far, in output order. */
  const output = (): Item[] => {
    const list: Item[] = [];
    for (let index = 0; index < nextIndex; index++) {
      const open = opens.get(index);
      const item = open ? snapshot(open) : items[index];
      if (item) list.push(item);
    }
    return list;
  };
  const lifecycle = (type: string, state: Parameters<typeof responseObject>[2]) => send(type, { response: responseObject(id, context, state) });

  function begin(ownerId: string | undefined): void {
    id = responseId(ownerId, context);
    const state = { status: 'in_progress', incomplete_details: null, error: null, output: [], usage: null };
    lifecycle('response.created', state);
    lifecycle('response.in_progress', state);
  }

  function closeCurrent(status: string): void {
    if (!current) return;
    const { id: item_id, index: output_index, text } = current;
    let item: Item;
    if (current.kind === 'message') {
      const part = { type: 'output_text', annotations: [], logprobs: [], text };
      send('response.output_text.done', { item_id, output_index, content_index: 0, text, logprobs: [] });
      send('response.content_part.done', { item_id, output_index, content_index: 0, part });
      item = messageItem(item_id, text, status);
    } else {
      send('response.reasoning_summary_text.done', { item_id, output_index, summary_index: 0, text });
      send('response.reasoning_summary_part.done', { item_id, output_index, summary_index: 0, part: { type: 'summary_text', text } });
      item = reasoningItem(item_id, [text]);
    }
    send('response.output_item.done', { output_index, item });
    items[output_index] = item;
    opens.delete(output_index);
    current = undefined;
  }

  function openText(kind: 'message' | 'reasoning'): Extract<Open, { kind: 'message' | 'reasoning' }> {
    if (current?.kind === kind) return current;
    closeCurrent('completed');
    const index = nextIndex++;
    const open = { kind, id: itemId(kind === 'message' ? 'msg' : 'rs', context, index), index, text: '' };
    opens.set(index, open);
    current = open;
    send('response.output_item.added', { output_index: index, item: added(open) });
    if (kind === 'message') {
      send('response.content_part.added', { item_id: open.id, output_index: index, content_index: 0, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
    } else {
      send('response.reasoning_summary_part.added', { item_id: open.id, output_index: index, summary_index: 0, part: { type: 'summary_text', text: '' } });
    }
    return open;
  }

  function text(kind: 'message' | 'reasoning', delta: string): void {
    if (delta === '') return;
    const open = openText(kind);
    open.text += delta;
    const type = kind === 'message' ? 'response.output_text.delta' : 'response.reasoning_summary_text.delta';
    const position = kind === 'message' ? { content_index: 0, delta, logprobs: [] } : { summary_index: 0, delta };
    send(type, { item_id: open.id, output_index: open.index, ...position });
  }

  function toolCall(event: Extract<Event, { type: 'tool_call' }>): void {
    let open = calls.get(event.index);
    if (!open) {
      closeCurrent('completed');
      const index = nextIndex++;
      const call = { id: event.id ?? `call_${context.randomId}${index}`, name: event.name ?? '', arguments: '' };
      open = { kind: 'call', id: itemId('fc', context, index), index, call };
      calls.set(event.index, open);
      opens.set(index, open);
      send('response.output_item.added', { output_index: index, item: added(open) });
    }
    if (event.arguments === '') return;
    open.call.arguments += event.arguments;
    send('response.function_call_arguments.delta', { item_id: open.id, output_index: open.index, delta: event.arguments });
  }

  function closeCalls(): void {
    for (const open of calls.values()) {
      const { id: item_id, index: output_index } = open;
      if (open.call.arguments === '') {
        // A call without arguments is an empty object, as OpenAI sends it (clients parse the text as JSON).
        open.call.arguments = '{}';
        send('response.function_call_arguments.delta', { item_id, output_index, delta: '{}' });
      }
      send('response.function_call_arguments.done', { item_id, output_index, arguments: open.call.arguments });
      const item = callItem(item_id, open.call, 'completed');
      send('response.output_item.done', { output_index, item });
      items[output_index] = item;
      opens.delete(output_index);
    }
    calls.clear();
  }

  function finish(): void {
    const { status, incomplete_details } = statusOf(stop);
    closeCurrent(status === 'incomplete' ? 'incomplete' : 'completed');
    closeCalls();
    lifecycle(status === 'incomplete' ? 'response.incomplete' : 'response.completed', { status, incomplete_details, error: null, output: output(), usage: usageObject(usage) });
  }

  function fail(failure: Failure): void {
    const code = errorCode(failure);
    const nested = { type: errorType(failure.kind), code, message: failure.message, param: null };
    // OpenAI nests the error (what the Python SDK raises from); the published schema has it flat (openai-node reads either).
    send('error', { code, message: failure.message, param: null, error: nested });
    const error = { code: failedResponseCode(failure), message: failure.message };
    lifecycle('response.failed', { status: 'failed', incomplete_details: null, error, output: output(), usage: usageObject(usage) });
  }

  return {
    write(events) {
      out = '';
      for (const event of events) {
        if (finished) break;
        if (id === '') begin(event.type === 'start' ? event.id : undefined);
        switch (event.type) {
          case 'start':
            if (event.usage) usage = event.usage;
            break;
          case 'text':
            text('message', event.text);
            break;
          case 'reasoning':
            if (includeReasoning) text('reasoning', event.text);
            break;
          case 'tool_call':
            toolCall(event);
            break;
          case 'usage':
            usage = event.usage;
            break;
          case 'stop':
            stop = event.reason;
            break;
          case 'done':
            finish();
            finished = true;
            break;
          case 'error':
            fail(event.failure);
            finished = true;
            break;
        }
      }
      return out;
    },
    // An SSE comment: every SSE parser skips it, and it keeps idle proxies from closing the connection.
    ping: () => ': keep-alive\n\n',
  };
}
