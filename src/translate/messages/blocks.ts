/**
 * @module Content blocks of a streamed Messages answer, one at a time as Anthropic streams them (start,
 * deltas, stop), whatever order the owner's pieces come in. The block at the head streams at once; a block
 * behind it keeps its pieces until the head is complete (a text or thinking block when anything follows
 * it, a tool call when its arguments close as JSON), then sends them as one delta and streams on. In the
 * usual order (thinking, text, then one call after another) nothing waits. Writes SSE text directly.
 */
import { follow, jsonProgress, type JsonProgress } from '../json-close.ts';
import { toolUseId } from './write-request.ts';

type Kind = 'text' | 'thinking' | 'tool';

type Block = {
  index: number;
  kind: Kind;
  id: string;
  name: string;
  /** Pieces held while another block is at the head. */
  parts: string[];
  started: boolean;
  closed: boolean;
  /** Whether any piece came (a call without one gets `{}`). */
  received: boolean;
} & JsonProgress;

/** One SSE frame in Anthropic's form: the event name and its data (whose `type` repeats the name). */
export function frame(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}

/** Each kind's delta: its type and the field holding the piece, as JSON text. */
const DELTA: Record<Kind, string> = { text: '"text_delta","text"', thinking: '"thinking_delta","thinking"', tool: '"input_json_delta","partial_json"' };

function delta(block: Block, piece: string): string {
  return frame('content_block_delta', `{"type":"content_block_delta","index":${block.index},"delta":{"type":${DELTA[block.kind]}:${JSON.stringify(piece)}}}`);
}

export class BlockQueue {
  private readonly blocks: Block[] = [];
  /** Position of the head: the one block that may stream now. */
  private head = 0;
  /** The internal event's tool-call `index` → its block. */
  private readonly calls = new Map<number, Block>();

  /** What ids made up for calls the owner gave none start with (the answer's random id). */
  private readonly idPrefix: string;

  constructor(idPrefix: string) {
    this.idPrefix = idPrefix;
  }

  get sawToolCall(): boolean {
    return this.calls.size > 0;
  }

  /** Text or thinking: added to the last block when it is of the same kind and still open, else a new block. */
  piece(kind: 'text' | 'thinking', text: string, out: string[]): void {
    if (text === '') return; // an empty piece opens no block
    const last = this.blocks[this.blocks.length - 1];
    const block = last !== undefined && last.kind === kind && !last.closed ? last : this.open(kind, '', '');
    this.add(block, text, out);
  }

  /** A tool call's piece: its first piece (a new index) opens its block with id and name. */
  toolCall(index: number, id: string | undefined, name: string | undefined, args: string, out: string[]): void {
    let block = this.calls.get(index);
    if (block === undefined) {
      // The id in the form Anthropic takes: the client may replay this history to an Anthropic model.
      block = this.open('tool', id !== undefined && id !== '' ? toolUseId(id) : `toolu_${this.idPrefix}${index}`, name ?? '');
      this.calls.set(index, block);
    }
    this.add(block, args, out);
  }

  /** Every block started, sent and stopped: the answer is over. */
  finish(out: string[]): void {
    for (; this.head < this.blocks.length; this.head++) {
      const block = this.blocks[this.head];
      if (block === undefined) break;
      this.start(block, out);
      // A call that got no arguments at all (a tool without parameters, from some owners): its input is `{}`.
      if (block.kind === 'tool' && !block.received) out.push(delta(block, '{}'));
      block.closed = true;
      out.push(frame('content_block_stop', `{"type":"content_block_stop","index":${block.index}}`));
    }
  }

  private open(kind: Kind, id: string, name: string): Block {
    const block: Block = { index: this.blocks.length, kind, id, name, parts: [], started: false, closed: false, ...jsonProgress(), received: false };
    this.blocks.push(block);
    return block;
  }

  private add(block: Block, piece: string, out: string[]): void {
    this.pump(out);
    // A piece for a call whose JSON already closed can only be padding; it has no block to go to.
    if (block.closed || piece === '') return;
    block.received = true;
    if (block.kind === 'tool') follow(block, piece);
    if (block.started) out.push(delta(block, piece));
    else block.parts.push(piece);
    this.pump(out);
  }

  /** Starts the head, sends what it held, and moves on while the head is complete. */
  private pump(out: string[]): void {
    for (;;) {
      const block = this.blocks[this.head];
      if (block === undefined) return;
      this.start(block, out);
      const complete = block.kind === 'tool' ? block.complete : this.head < this.blocks.length - 1;
      if (!complete) return;
      block.closed = true;
      out.push(frame('content_block_stop', `{"type":"content_block_stop","index":${block.index}}`));
      this.head++;
    }
  }

  private start(block: Block, out: string[]): void {
    if (!block.started) {
      block.started = true;
      const content = block.kind === 'tool' ? { type: 'tool_use', id: block.id, name: block.name, input: {} }
        : block.kind === 'thinking' ? { type: 'thinking', thinking: '', signature: '' } : { type: 'text', text: '' };
      out.push(frame('content_block_start', JSON.stringify({ type: 'content_block_start', index: block.index, content_block: content })));
    }
    if (block.parts.length > 0) {
      out.push(delta(block, block.parts.join('')));
      block.parts = [];
    }
  }
}

