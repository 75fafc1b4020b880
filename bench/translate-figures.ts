/**
 * @module What bench/translate.ts measures for one translated pair, and bench/translate-run.ts reads back:
 * a module of its own, with no imports, so that both sides of the type check can see it (translate.ts
 * imports the worker's code, which Node's side does not).
 */
export interface PairFigures {
  client: string;
  owner: string;
  /** CPU per owner event translated into the client's stream, median over the rounds. */
  perEventMs: number;
  /** Owner events per streamed answer in the measurement. */
  eventsPerStream: number;
  /** CPU to read one client request and write it for the owner (parse and serialise included). */
  perRequestMs: number;
  /** CPU to read one whole owner answer and write it for the client (parse and serialise included). */
  perAnswerMs: number;
}
