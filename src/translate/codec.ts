/**
 * @module What a dialect module gives the translation: a reader and a writer for requests, whole answers,
 * stream events and errors (src/translate/ir.ts is the middle). A client's dialect reads requests and
 * writes answers; an owner's dialect writes requests and reads answers. Every function is pure: the pipe
 * (src/translate/pipe.ts) does the I/O, the SSE framing in, the sanitising and the timing.
 */
import type { Answer, Event, Failure, Request, Usage } from './ir.ts';
import type { Refusal } from './refuse.ts';

/** What a client-side reader is told besides the body. */
export interface ReadContext {
  /** Whether the client asked for a stream where its dialect says so outside the body (Gemini's method). */
  stream?: boolean;
}

/** What a writer of answers is told: the request it answers and what the answer cannot say. */
export interface AnswerContext {
  /** The model name the client asked for (an alias stays the alias). */
  model: string;
  /** The request as read: its stop sequences, whether reasoning text was asked for, its tools. */
  request: Request;
  /** An estimate of the input tokens, for dialects that report them before the owner does (Anthropic's `message_start`). */
  estimatedInputTokens?: number;
  /** Seconds since the epoch, for `created` fields (given, so writers stay pure). */
  now: number;
  /** A fresh random id (hex or alphanumeric) for answers the owner gave none. */
  randomId: string;
}

/** A client's error as its dialect shapes it. */
export interface ErrorAnswer {
  status: number;
  body: string;
}

/** One stream translated into a client's dialect: events in, the SSE text to send out. */
export interface StreamWriter {
  /** The wire text for these events (possibly empty: a writer may hold a piece back, e.g. an interleaved call). */
  write(events: readonly Event[]): string;
  /** A keep-alive for a silent owner, where the dialect has one (Anthropic's `event: ping`); else undefined. */
  ping?(): string;
}

export interface ClientDialect {
  /** A client's parsed body as the internal request, or why not (a message naming the field). */
  readRequest(body: unknown, context: ReadContext): Request | Refusal;
  writeAnswer(answer: Answer, context: AnswerContext): Record<string, unknown>;
  streamWriter(context: AnswerContext): StreamWriter;
  /** An owner's failure in this dialect's error shape, the message kept word for word. */
  writeError(failure: Failure): ErrorAnswer;
  /** The `Content-Type` of this dialect's streams. */
  streamContentType: string;
}

/** What a writer of requests is told about the owner. */
export interface OwnerContext {
  /** The owner's id for the model. */
  upstreamModel: string;
  /**
   * Where an OpenAI chat owner wants the output cap: `max_tokens` (every OpenAI-compatible server; Ollama
   * reads no other) or `max_completion_tokens` (OpenAI's own API, which refuses the other for reasoning models).
   */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /**
   * Whether an OpenAI chat owner is sent `reasoning_effort` (default yes): not Ollama nor OpenAI's own
   * models that do not reason, which refuse it (src/inference/translated.ts, `chatOwnerSettings`).
   */
  reasoningEffort?: boolean;
  /** Whether an OpenAI chat owner is sent `temperature` and `top_p` (default yes): not OpenAI's reasoning models, which refuse them. */
  sampling?: boolean;
  /** The model's own output limit, where its list gave one (an owner that requires a cap gets no more). */
  maxOutputTokens?: number;
}

/** The request an owner gets: the path under its API root (query included) and the JSON body. */
export interface OwnerRequest {
  path: string;
  body: Record<string, unknown>;
}

/** One owner stream read into events: each SSE event's `data` in, in order. */
export interface StreamReader {
  /** One SSE event's `data` text (the reader parses it: `[DONE]` and non-JSON are its business). */
  push(data: string): Event[];
  /** The owner's body ended: `done` if it had finished, else an `error` saying it was cut short. */
  end(): Event[];
}

export interface OwnerDialect {
  writeRequest(request: Request, context: OwnerContext): OwnerRequest | Refusal;
  /** A whole answer's parsed body, or the failure it reports (an error object inside a 200). */
  readAnswer(body: unknown, request: Request): Answer | Failure;
  streamReader(request: Request): StreamReader;
  /** An error response's status and body text (the message found wherever the owner puts it). */
  readError(status: number, bodyText: string): Failure;
  /** The owner's token counter, if it has one: the path and body that count this request's input. */
  countRequest?(request: Request, context: OwnerContext): OwnerRequest;
  /** The input tokens in the counter's answer. */
  readCount?(body: unknown): number | undefined;
}

/** Tokens as the key's usage counts them: every input token (cached or not) and every output token. */
export function countedTokens(usage: Usage): { input: number; output: number } {
  return { input: usage.input + (usage.cacheRead ?? 0) + (usage.cacheWrite ?? 0), output: usage.output };
}
