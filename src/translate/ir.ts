/**
 * @module The translation's internal form: one request, one whole answer and one stream event that every
 * dialect reads into and writes out of (docs/translation.md). Richer than any one dialect, so that what
 * two ends share survives the middle (thinking, cache hints, documents, cached input). Plain data: no
 * classes, no I/O; every dialect module under src/translate/<dialect>/ reads or writes these.
 */

/** Where an image or document comes from. */
export type Source =
  | { kind: 'base64'; mediaType: string; data: string }
  | { kind: 'url'; url: string; mediaType?: string }
  /** A plain-text document (Anthropic's `source.type: "text"`). */
  | { kind: 'text'; text: string; mediaType?: string };

/**
 * A prompt-cache hint as the client gave it (Anthropic's `cache_control`, e.g. `{"type":"ephemeral"}`):
 * carried to an owner that takes one, dropped by the others.
 */
export type CacheHint = Record<string, unknown>;

export type TextPart = { type: 'text'; text: string; cache?: CacheHint };
export type ImagePart = { type: 'image'; source: Source; cache?: CacheHint };
export type DocumentPart = { type: 'document'; source: Source; title?: string; cache?: CacheHint };

/** A call the model made, in an assistant turn. `arguments` is the JSON text of its input object. */
export type ToolCallPart = {
  type: 'tool_call';
  id: string;
  name: string;
  arguments: string;
  /** Gemini's `thoughtSignature` on the call, to hand back to a Gemini owner. */
  signature?: string;
};

/** What a tool answered, for the call `id` (its `name` when the client's dialect says it: Gemini needs it). */
export type ToolResultPart = {
  type: 'tool_result';
  id: string;
  name?: string;
  content: Array<TextPart | ImagePart | DocumentPart>;
  isError?: boolean;
  cache?: CacheHint;
};

/**
 * The model's reasoning, in an assistant turn of the history or an answer. `signature` (Anthropic's) or
 * `redacted` (Anthropic's encrypted `redacted_thinking.data`) is only ever valid for the owner that made it.
 */
export type ReasoningPart = { type: 'reasoning'; text: string; signature?: string; redacted?: string };

export type Part = TextPart | ImagePart | DocumentPart | ToolCallPart | ToolResultPart | ReasoningPart;

/**
 * One turn. `system` and `developer` turns may stand anywhere (mid-conversation instructions, as current
 * Claude Code and OpenAI's reasoning models send them); `tool` turns hold only `tool_result` parts, each
 * right after the assistant turn that made the calls.
 */
export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool';
export type Message = { role: Role; parts: Part[] };

/** A function the model may call. `parameters` is a JSON Schema object. */
export type Tool = { name: string; description?: string; parameters: Record<string, unknown>; strict?: boolean; cache?: CacheHint };

export type ToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'tool'; name: string };

/** How hard the model should think: an effort level, a token budget, or both (each owner takes what it has). */
export type Reasoning = {
  /** `none` turns reasoning off where the owner allows it. */
  effort?: 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';
  budgetTokens?: number;
  /** Whether the client wants the reasoning text back (Anthropic's `display`, Gemini's `includeThoughts`, Responses' `summary`). */
  includeText?: boolean;
};

export type ResponseFormat =
  | { type: 'json_object' }
  | { type: 'json_schema'; name?: string; schema: Record<string, unknown>; strict?: boolean };

export interface Request {
  /** Top-level instructions (Anthropic `system`, Gemini `systemInstruction`, a leading OpenAI system message, Responses `instructions`). */
  system: TextPart[];
  messages: Message[];
  stream: boolean;
  /** OpenAI chat's `stream_options.include_usage`: the client wants a usage chunk at the end of its stream. */
  streamUsage?: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  stop?: string[];
  tools?: Tool[];
  toolChoice?: ToolChoice;
  /** false: at most one call per turn. */
  parallelToolCalls?: boolean;
  reasoning?: Reasoning;
  responseFormat?: ResponseFormat;
  /** An opaque end-user id (Anthropic `metadata.user_id`, OpenAI `user` / `safety_identifier`). */
  user?: string;
}

/** Why an answer ended. `pause` is Anthropic's `pause_turn`; `other` a reason no dialect shares. */
export type StopReason = 'end' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal' | 'pause' | 'other';

/**
 * Tokens, Anthropic's way round: `input` excludes cached reads and cache writes, so the prompt's total is
 * `input + cacheRead + cacheWrite`. `output` includes reasoning; `reasoning` is the part of it that was.
 */
export interface Usage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
}

/** A whole answer: its parts in order (text, reasoning, tool calls). */
export interface Answer {
  /** The owner's id for the answer, if it gave one (writers derive their own id format from it). */
  id?: string;
  parts: Array<TextPart | ToolCallPart | ReasoningPart>;
  stop: StopReason;
  /** The stop sequence that matched, when `stop` is `stop_sequence` and it is known. */
  stopSequence?: string;
  usage?: Usage;
}

/**
 * An owner's failure: its HTTP status (or the status its in-stream error names), our kind, and its
 * message word for word (clients act on messages such as `prompt is too long`). The pipe sanitises it.
 */
export interface Failure {
  status: number;
  kind: FailureKind;
  message: string;
}
export type FailureKind =
  | 'invalid_request' | 'authentication' | 'permission' | 'not_found' | 'request_too_large'
  | 'rate_limit' | 'overloaded' | 'timeout' | 'api_error';

/**
 * A stream event. A stream reader guarantees, for every owner: `start` first; each tool call has its own
 * `index` (distinct calls never share one, whatever the owner did), and the first `tool_call` event of an
 * index carries its `id` and `name` (made up when the owner gave none); `arguments` pieces concatenate to
 * the call's JSON text; `stop` at most once; then `done` (the owner finished) or `error` (it failed or the
 * stream was cut short), after which nothing follows. `usage` may come at any time; the last one counts.
 * Writers must not assume text, reasoning and calls arrive in any order, or that calls are not interleaved.
 */
export type Event =
  | { type: 'start'; id?: string; usage?: Usage }
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string; signature?: string }
  | { type: 'tool_call'; index: number; id?: string; name?: string; arguments: string; signature?: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'stop'; reason: StopReason; stopSequence?: string }
  | { type: 'done' }
  | { type: 'error'; failure: Failure };
