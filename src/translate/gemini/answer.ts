/**
 * @module Whole answers: a Gemini owner's `GenerateContentResponse` read into the internal answer, and the
 * internal answer written as one for a Gemini client (https://ai.google.dev/api/generate-content#v1beta.GenerateContentResponse).
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { AnswerContext } from '../codec.ts';
import type { Answer, Failure, Request } from '../ir.ts';
import { errorOf } from './errors.ts';
import { readFinish, readUsage, writeFinish, writeUsage } from './usage.ts';

/**
 * What a Gemini client is given before a thinking signature from another owner (Anthropic's: no other
 * owner signs its reasoning), so that the reader can tell it from Gemini's own when the client sends it
 * back: Gemini's own signs only Gemini's thoughts and must never reach Anthropic, and Anthropic's must
 * only go back there. Base64 of "models-edge:anthropic" (21 bytes, no padding), so the marked signature
 * is still base64 (the Gemini SDKs decode `thoughtSignature` as bytes and encode it back unchanged).
 */
const FOREIGN_SIGNATURE = 'bW9kZWxzLWVkZ2U6YW50aHJvcGlj';

/** Another owner's reasoning signature as a Gemini client's `thoughtSignature`. */
export function foreignSignatureOut(signature: string): string {
  return FOREIGN_SIGNATURE + signature;
}

/** The other owner's signature in a client's thought's `thoughtSignature`; undefined for Gemini's own (useless to any other owner). */
export function foreignSignatureIn(signature: string): string | undefined {
  return signature.startsWith(FOREIGN_SIGNATURE) && signature.length > FOREIGN_SIGNATURE.length ? signature.slice(FOREIGN_SIGNATURE.length) : undefined;
}

/** A call's id when Gemini gave none: unique per answer (its `responseId`) and per call. */
export function madeUpCallId(responseId: string | undefined, index: number): string {
  return `call_${responseId ?? crypto.randomUUID().replaceAll('-', '').slice(0, 16)}_${index}`;
}

export function readGeminiAnswer(body: unknown, _request: Request): Answer | Failure {
  if (!isObject(body)) return errorOf(502, 'the Gemini owner answered something other than a JSON object');
  if (isObject(body.error)) return errorOf(typeof body.error.code === 'number' ? body.error.code : 500, body);
  const id = typeof body.responseId === 'string' ? body.responseId : undefined;
  const answer: Answer = { parts: [], stop: 'end' };
  if (id !== undefined) answer.id = id;
  const usage = readUsage(body.usageMetadata);
  if (usage !== undefined) answer.usage = usage;
  const candidate = Array.isArray(body.candidates) && isObject(body.candidates[0]) ? body.candidates[0] : undefined;
  const parts = candidate !== undefined && isObject(candidate.content) && Array.isArray(candidate.content.parts) ? candidate.content.parts : [];
  let calls = 0;
  for (const part of parts) {
    if (!isObject(part)) continue;
    const signature = typeof part.thoughtSignature === 'string' ? part.thoughtSignature : undefined;
    if (isObject(part.functionCall)) {
      const call = part.functionCall;
      const callId = typeof call.id === 'string' && call.id !== '' ? call.id : madeUpCallId(id, calls);
      calls++;
      answer.parts.push({ type: 'tool_call', id: callId, name: typeof call.name === 'string' ? call.name : '', arguments: JSON.stringify(isObject(call.args) ? call.args : {}), ...(signature === undefined ? {} : { signature }) });
    } else if (typeof part.text === 'string') {
      if (part.thought === true) {
        if (part.text !== '' || signature !== undefined) answer.parts.push({ type: 'reasoning', text: part.text, ...(signature === undefined ? {} : { signature }) });
      } else if (part.text !== '') {
        const last = answer.parts[answer.parts.length - 1];
        if (last?.type === 'text') last.text += part.text;
        else answer.parts.push({ type: 'text', text: part.text });
      }
    }
  }
  const blocked = isObject(body.promptFeedback) && typeof body.promptFeedback.blockReason === 'string';
  const finish = candidate !== undefined && typeof candidate.finishReason === 'string' ? candidate.finishReason : undefined;
  answer.stop = blocked && finish === undefined ? 'refusal' : readFinish(finish ?? 'STOP', calls > 0);
  return answer;
}

/** A `functionCall.args` object from a call's JSON text (`{}` when the owner's text was not an object). */
export function argsOf(text: string): Json {
  if (text === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

export function writeGeminiAnswer(answer: Answer, context: AnswerContext): Json {
  const thoughts = context.request.reasoning?.includeText === true;
  const parts: Json[] = [];
  for (const part of answer.parts) {
    if (part.type === 'text') parts.push({ text: part.text });
    else if (part.type === 'reasoning') {
      // Redacted thinking (no text, no signature to carry) has nothing a Gemini client can read.
      if (thoughts && (part.text !== '' || part.signature !== undefined)) parts.push(part.signature === undefined ? { text: part.text, thought: true } : { text: part.text, thought: true, thoughtSignature: foreignSignatureOut(part.signature) });
    } else {
      const call: Json = { functionCall: { id: part.id, name: part.name, args: argsOf(part.arguments) } };
      if (part.signature !== undefined) call.thoughtSignature = part.signature;
      parts.push(call);
    }
  }
  const body: Json = {
    candidates: [{ content: { parts, role: 'model' }, finishReason: writeFinish(answer.stop), index: 0 }],
  };
  if (answer.usage !== undefined) body.usageMetadata = writeUsage(answer.usage);
  body.modelVersion = context.model;
  body.responseId = answer.id ?? context.randomId;
  return body;
}
