/**
 * @module Content blocks of a streamed answer, in Anthropic's order. OpenAI interleaves freely (text, then
 * tool calls by `index`, even two calls at once); Anthropic streams one block at a time: start, deltas,
 * stop. The block at the head streams at once; a block behind it keeps its pieces until the head is
 * complete (a text block when anything follows it, a tool call when its arguments close as JSON), then
 * sends them as one delta and streams on. In the usual order (text, then one call after another) nothing
 * waits.
 */
import type { Json } from '../providers/narrow.ts';
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, OPEN_BRACE, OPEN_BRACKET, QUOTE } from '../json-chars.ts';

export type AnthropicEvent = { event: string; data: Record<string, unknown> };

type Block = {
  index: number;
  tool: boolean;
  id: string;
  name: string;
  /** Pieces held while another block is at the head. */
  parts: string[];
  started: boolean;
  closed: boolean;
  /** Where the arguments' JSON stands, for "complete": nesting depth, inside a string, after a backslash. */
  depth: number;
  inString: boolean;
  escaped: boolean;
  complete: boolean;
};

function event(type: string, fields: Json): AnthropicEvent {
  return { event: type, data: { type, ...fields } };
}

export class BlockQueue {
  private readonly blocks: Block[] = [];
  /** Position of the head: the one block that may stream now. */
  private head = 0;
  /** OpenAI tool-call `index` → its block. */
  private readonly calls = new Map<number, Block>();

  get sawToolCall(): boolean {
    return this.calls.size > 0;
  }

  text(text: string, out: AnthropicEvent[]): void {
    const last = this.blocks[this.blocks.length - 1];
    const block = last !== undefined && !last.tool && !last.closed ? last : this.open(false, '', '');
    this.add(block, text, out);
  }

  /**
   * A tool-call delta. A new `index`, or a new `id` at a known index (Ollama sends each call whole and
   * may reuse an index), opens a block.
   */
  toolCall(index: number, id: string | undefined, name: string | undefined, args: string, out: AnthropicEvent[]): void {
    let block = this.calls.get(index);
    if (block === undefined || (id !== undefined && id !== '' && id !== block.id)) {
      block = this.open(true, id !== undefined && id !== '' ? id : `toolu_${this.blocks.length}_${index}`, name ?? '');
      this.calls.set(index, block);
    }
    this.add(block, args, out);
  }

  /** Every block started, sent and stopped: the answer is over. */
  finish(out: AnthropicEvent[]): void {
    for (; this.head < this.blocks.length; this.head++) {
      const block = this.blocks[this.head];
      if (block === undefined) break;
      this.start(block, out);
      block.closed = true;
      out.push(event('content_block_stop', { index: block.index }));
    }
  }

  private open(tool: boolean, id: string, name: string): Block {
    const block: Block = { index: this.blocks.length, tool, id, name, parts: [], started: false, closed: false, depth: 0, inString: false, escaped: false, complete: false };
    this.blocks.push(block);
    return block;
  }

  private add(block: Block, piece: string, out: AnthropicEvent[]): void {
    this.pump(out);
    // A piece for a call whose JSON already closed can only be padding; it has no block to go to.
    if (block.closed || piece === '') return;
    if (block.tool) scan(block, piece);
    if (block.started) out.push(delta(block, piece));
    else block.parts.push(piece);
    this.pump(out);
  }

  /** Starts the head, sends what it held, and moves on while the head is complete. */
  private pump(out: AnthropicEvent[]): void {
    for (;;) {
      const block = this.blocks[this.head];
      if (block === undefined) return;
      this.start(block, out);
      const complete = block.tool ? block.complete : this.head < this.blocks.length - 1;
      if (!complete) return;
      block.closed = true;
      out.push(event('content_block_stop', { index: block.index }));
      this.head++;
    }
  }

  private start(block: Block, out: AnthropicEvent[]): void {
    if (!block.started) {
      block.started = true;
      const content = block.tool ? { type: 'tool_use', id: block.id, name: block.name, input: {} } : { type: 'text', text: '' };
      out.push(event('content_block_start', { index: block.index, content_block: content }));
    }
    if (block.parts.length > 0) {
      out.push(delta(block, block.parts.join('')));
      block.parts = [];
    }
  }
}

function delta(block: Block, piece: string): AnthropicEvent {
  const body = block.tool ? { type: 'input_json_delta', partial_json: piece } : { type: 'text_delta', text: piece };
  return event('content_block_delta', { index: block.index, delta: body });
}

/** Follows the arguments' JSON through one piece (O(piece)) and marks the call complete when it closes. */
function scan(block: Block, piece: string): void {
  for (let i = 0; i < piece.length && !block.complete; i++) {
    const c = piece.charCodeAt(i);
    if (block.inString) {
      if (block.escaped) block.escaped = false;
      else if (c === BACKSLASH) block.escaped = true;
      else if (c === QUOTE) block.inString = false;
    } else if (c === QUOTE) {
      block.inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      block.depth++;
    } else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --block.depth === 0) {
      block.complete = true;
    }
  }
}

