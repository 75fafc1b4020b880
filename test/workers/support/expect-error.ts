/** @module The checks every error answer must pass: OpenAI's shape, JSON, no stack trace. */
import { expect } from 'vitest';

/** Matches V8 frames (`    at fn (file.ts:1:2)`) and any source location. */
const STACK_TRACE = /\n\s+at |\bat .*:\d+:\d+|\.ts:\d+/;

/** Asserts `response` is `status` with `{"error":{"message","type","code"}}`; returns the message. */
export async function expectApiError(response: Response, status: number, code: string): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  const text = await response.text();
  expect(text).not.toMatch(STACK_TRACE);
  const body: unknown = JSON.parse(text);
  expect(body).toEqual({ error: { message: expect.any(String), type: expect.any(String), code } });
  return (body as { error: { message: string } }).error.message;
}
