/**
 * @module Where a tool call's arguments stand as they arrive in pieces: enough to see their JSON close,
 * without parsing it (braces and brackets outside strings). A reader uses it to tell a new call from more
 * of an old one, a writer to know when a held call is whole.
 */
import { BACKSLASH, CLOSE_BRACE, CLOSE_BRACKET, OPEN_BRACE, OPEN_BRACKET, QUOTE } from '../json-chars.ts';

/** Nesting depth, inside a string, after a backslash, and whether the outermost value has closed. */
export interface JsonProgress {
  depth: number;
  inString: boolean;
  escaped: boolean;
  complete: boolean;
}

export const jsonProgress = (): JsonProgress => ({ depth: 0, inString: false, escaped: false, complete: false });

/** Follows one piece (O(piece)); true once the outermost object or array has closed. */
export function follow(state: JsonProgress, piece: string): boolean {
  for (let i = 0; i < piece.length && !state.complete; i++) {
    const c = piece.charCodeAt(i);
    if (state.inString) {
      if (state.escaped) state.escaped = false;
      else if (c === BACKSLASH) state.escaped = true;
      else if (c === QUOTE) state.inString = false;
    } else if (c === QUOTE) {
      state.inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      state.depth++;
    } else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --state.depth === 0) {
      state.complete = true;
    }
  }
  return state.complete;
}
