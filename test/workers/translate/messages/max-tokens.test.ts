/** @module The output cap an Anthropic owner gets when the client named none: never above the model's own limit. */
import { describe, expect, it } from 'vitest';
import type { Request } from '../../../../src/translate/ir.ts';
import { messagesOwner } from '../../../../src/translate/messages/index.ts';
import { DEFAULT_MAX_TOKENS } from '../../../../src/translate/messages/write-request.ts';

const request = (fields: Partial<Request> = {}): Request => ({ system: [], messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }], stream: false, ...fields });

function maxTokens(fields: Partial<Request>, maxOutputTokens?: number): unknown {
  const written = messagesOwner.writeRequest(request(fields), { upstreamModel: 'claude-3-5-haiku-20241022', ...(maxOutputTokens === undefined ? {} : { maxOutputTokens }) });
  if (!('body' in written)) throw new Error(written.message);
  return written.body.max_tokens;
}

describe('max_tokens to an Anthropic owner', () => {
  it("without the client's cap: the model's own limit where it is below the default (Anthropic refuses more)", () => {
    expect(maxTokens({}, 8192)).toBe(8192);
  });
  it('the default where the limit is higher or unknown', () => {
    expect(maxTokens({}, 64000)).toBe(DEFAULT_MAX_TOKENS);
    expect(maxTokens({})).toBe(DEFAULT_MAX_TOKENS);
  });
  it("the client's own cap as it is", () => {
    expect(maxTokens({ maxTokens: 100 }, 8192)).toBe(100);
  });
});
