/**
 * @module The internal request as a Gemini owner's `generateContent` body (docs/translation.md, "Writing a
 * Gemini request"): `contents` of user/model turns (tool turns become user turns of `functionResponse`
 * parts, consecutive same-role turns merged), `systemInstruction`, functions with `parametersJsonSchema`
 * (JSON Schema as it is), `toolConfig`, `generationConfig`. Also the `countTokens` body of the same request.
 */
import type { Json } from '../../providers/narrow.ts';
import type { OwnerContext, OwnerRequest } from '../codec.ts';
import type { Request } from '../ir.ts';
import { Refusal } from '../refuse.ts';
import { writeContents } from './write-parts.ts';

/** Gemini 3 and later take `thinkingLevel`; earlier models only a `thinkingBudget`. */
const LEVEL_MODELS = /gemini-([3-9]|\d\d)/;
/** Budgets for an effort on models without levels (2.5 Flash's ceiling is 24576). */
const BUDGET_BY_EFFORT: Record<string, number> = { none: 0, minimal: 512, low: 1024, medium: 8192, high: 24576, xhigh: 24576, max: 24576 };

/** A model id as path segments: each encoded, `/` kept (as the native Gemini route forwards it). */
export function modelPath(model: string): string {
  return model.split('/').map(encodeURIComponent).join('/');
}

export function writeGeminiRequest(request: Request, context: OwnerContext): OwnerRequest | Refusal {
  const body = requestBody(request);
  if (body instanceof Refusal) return body;
  const generation = generationConfig(request, context.upstreamModel);
  if (Object.keys(generation).length > 0) body.generationConfig = generation;
  const method = request.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  return { path: `/models/${modelPath(context.upstreamModel)}:${method}`, body };
}

/** `countTokens` with the whole request (`generateContentRequest`: system instruction and tools counted too). */
export function countGeminiRequest(request: Request, context: OwnerContext): OwnerRequest {
  const body = requestBody(request);
  const inner: Json = body instanceof Refusal ? { contents: [] } : body;
  return { path: `/models/${modelPath(context.upstreamModel)}:countTokens`, body: { generateContentRequest: { model: `models/${context.upstreamModel}`, ...inner } } };
}

/** `contents`, `systemInstruction`, `tools` and `toolConfig`. */
function requestBody(request: Request): Json | Refusal {
  const written = writeContents(request.messages);
  if (written instanceof Refusal) return written;
  const body: Json = { contents: written.contents };
  const system = [...request.system.map((part) => part.text), ...written.system].filter((text) => text !== '');
  if (system.length > 0) body.systemInstruction = { parts: system.map((text) => ({ text })) };
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = [{
      functionDeclarations: request.tools.map((tool) => ({ name: tool.name, ...(tool.description === undefined ? {} : { description: tool.description }), parametersJsonSchema: tool.parameters })),
    }];
  }
  const choice = request.toolChoice;
  if (choice !== undefined) {
    const config: Json =
      choice.type === 'tool' ? { mode: 'ANY', allowedFunctionNames: [choice.name] } : { mode: choice.type === 'none' ? 'NONE' : choice.type === 'required' ? 'ANY' : 'AUTO' };
    body.toolConfig = { functionCallingConfig: config };
  }
  return body;
}

function generationConfig(request: Request, model: string): Json {
  const config: Json = {};
  if (request.maxTokens !== undefined) config.maxOutputTokens = request.maxTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.presencePenalty !== undefined) config.presencePenalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) config.frequencyPenalty = request.frequencyPenalty;
  if (request.stop !== undefined && request.stop.length > 0) config.stopSequences = request.stop;
  const format = request.responseFormat;
  if (format !== undefined) {
    config.responseMimeType = 'application/json';
    if (format.type === 'json_schema') config.responseJsonSchema = format.schema;
  }
  const thinking = thinkingConfig(request, model);
  if (thinking !== undefined) config.thinkingConfig = thinking;
  return config;
}

/**
 * Effort as `thinkingLevel` on Gemini 3+ (`low` up to low, `high` above: the two levels every Gemini 3
 * model takes), else a budget: the client's `budgetTokens`, or one by effort (`none` is 0: off).
 */
function thinkingConfig(request: Request, model: string): Json | undefined {
  const reasoning = request.reasoning;
  if (reasoning === undefined) return undefined;
  const config: Json = {};
  const effort = reasoning.effort;
  if (effort !== undefined && LEVEL_MODELS.test(model)) config.thinkingLevel = effort === 'none' || effort === 'minimal' || effort === 'low' ? 'low' : 'high';
  else if (reasoning.budgetTokens !== undefined) config.thinkingBudget = reasoning.budgetTokens;
  else if (effort !== undefined) config.thinkingBudget = BUDGET_BY_EFFORT[effort] ?? 8192;
  if (reasoning.includeText === true && config.thinkingBudget !== 0) config.includeThoughts = true;
  return Object.keys(config).length > 0 ? config : undefined;
}
