/** @module The one way a translation says no: a value naming the field, answered `400 invalid_request_error`. */

/** Why a request cannot be translated, in words that name the field (e.g. `messages[2].content[0].type`). */
export class Refusal {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/** A malformed field, named with what it should have been (Anthropic answers these 400 too). */
export function invalid(field: string, expected: string): Refusal {
  return new Refusal(`${field}: expected ${expected}`);
}

/**
 * The message for a feature the owner's API cannot carry and whose loss the caller would not notice:
 * `messages[0].content[1]: a "document" block cannot be carried to this model's provider (OpenAI chat); …`.
 */
export function notCarried(field: string, what: string, ownerApi: string): Refusal {
  return new Refusal(`${field}: ${what} cannot be carried to this model's provider (${ownerApi}); remove it or call a model whose provider takes it`);
}
