/**
 * @module A Gemini client's `generateContent` body as the internal request (docs/translation.md, "Reading a
 * Gemini request"). The stream flag comes from the method (`:streamGenerateContent`), not the body.
 * Unknown fields are dropped; Google-side features whose loss would change the answer unnoticed
 * (server tools, `cachedContent`, several candidates, audio or image output) are refused by name.
 */
import { isObject, type Json } from '../../providers/narrow.ts';
import type { ReadContext } from '../codec.ts';
import type { Reasoning, Request, ResponseFormat, TextPart, Tool, ToolChoice } from '../ir.ts';
import { invalid, Refusal } from '../refuse.ts';
import { readContents, untranslatable } from './read-parts.ts';
import { toJsonSchema } from './schema.ts';

/** Gemini's `thinkingLevel` names to efforts. */
const EFFORT_BY_LEVEL: Record<string, Reasoning['effort']> = { minimal: 'minimal', low: 'low', medium: 'medium', high: 'high' };

export function readGeminiRequest(body: unknown, context: ReadContext): Request | Refusal {
  if (!isObject(body)) return invalid('body', 'a JSON object');
  if (body.cachedContent !== undefined) return untranslatable('cachedContent', 'a context cache stored in a Google account');
  const messages = readContents(body.contents);
  if (messages instanceof Refusal) return messages;
  const request: Request = { system: systemTexts(body.systemInstruction), messages, stream: context.stream === true };
  const tools = readTools(body.tools);
  if (tools instanceof Refusal) return tools;
  const choice = readToolChoice(body.toolConfig, tools);
  if (choice instanceof Refusal) return choice;
  if (choice.tools.length > 0) request.tools = choice.tools;
  if (choice.choice !== undefined) request.toolChoice = choice.choice;
  const config = readConfig(body.generationConfig, request);
  if (config instanceof Refusal) return config;
  return request;
}

/** `systemInstruction`'s text parts (a bare string too, as some clients send it). */
function systemTexts(instruction: unknown): TextPart[] {
  if (typeof instruction === 'string') return instruction === '' ? [] : [{ type: 'text', text: instruction }];
  if (!isObject(instruction) || !Array.isArray(instruction.parts)) return [];
  return instruction.parts.flatMap((part): TextPart[] => (isObject(part) && typeof part.text === 'string' && part.text !== '' ? [{ type: 'text', text: part.text }] : []));
}

function readTools(tools: unknown): Tool[] | Refusal {
  if (tools === undefined) return [];
  if (!Array.isArray(tools)) return invalid('tools', 'an array of Tool objects');
  const out: Tool[] = [];
  for (const [index, tool] of tools.entries()) {
    if (!isObject(tool)) return invalid(`tools[${index}]`, 'a Tool object');
    for (const [key, value] of Object.entries(tool)) {
      if (key !== 'functionDeclarations' && value !== undefined && value !== null) {
        // Every other member of a Tool is a server tool Google runs (googleSearch, codeExecution, urlContext…).
        return untranslatable(`tools[${index}].${key}`, `Gemini's "${key}" server tool`);
      }
    }
    if (tool.functionDeclarations === undefined) continue;
    if (!Array.isArray(tool.functionDeclarations)) return invalid(`tools[${index}].functionDeclarations`, 'an array');
    for (const [n, declaration] of tool.functionDeclarations.entries()) {
      const field = `tools[${index}].functionDeclarations[${n}]`;
      if (!isObject(declaration) || typeof declaration.name !== 'string' || declaration.name === '') return invalid(`${field}.name`, 'a function name');
      const schema = declaration.parametersJsonSchema ?? declaration.parameters;
      const read: Tool = { name: declaration.name, parameters: isObject(schema) ? toJsonSchema(schema) : { type: 'object', properties: {} } };
      if (typeof declaration.description === 'string' && declaration.description !== '') read.description = declaration.description;
      out.push(read);
    }
  }
  return out;
}

/** `toolConfig.functionCallingConfig`: AUTO, ANY (one allowed name: that tool; several: only those tools), NONE. */
function readToolChoice(config: unknown, tools: Tool[]): { tools: Tool[]; choice?: ToolChoice } | Refusal {
  const calling = isObject(config) && isObject(config.functionCallingConfig) ? config.functionCallingConfig : undefined;
  if (calling === undefined) return { tools };
  const mode = typeof calling.mode === 'string' ? calling.mode.toUpperCase() : undefined;
  const allowed = Array.isArray(calling.allowedFunctionNames) ? calling.allowedFunctionNames.filter((name): name is string => typeof name === 'string') : [];
  if (mode === 'NONE') return { tools, choice: { type: 'none' } };
  if (mode === 'ANY') {
    const only = allowed[0];
    if (allowed.length === 1 && only !== undefined) return { tools, choice: { type: 'tool', name: only } };
    return { tools: allowed.length > 1 ? tools.filter((tool) => allowed.includes(tool.name)) : tools, choice: { type: 'required' } };
  }
  // VALIDATED: the model may answer or call, its calls held to the schema: `auto` is its nearest.
  if (mode === 'AUTO' || mode === 'VALIDATED') return { tools, choice: { type: 'auto' } };
  return { tools };
}

function readConfig(config: unknown, request: Request): Refusal | undefined {
  if (config === undefined) return undefined;
  if (!isObject(config)) return invalid('generationConfig', 'an object');
  const number = (key: string): number | undefined => (typeof config[key] === 'number' && Number.isFinite(config[key]) ? (config[key] as number) : undefined);
  const set = <K extends 'maxTokens' | 'temperature' | 'topP' | 'topK' | 'seed' | 'presencePenalty' | 'frequencyPenalty'>(field: K, key: string): void => {
    const value = number(key);
    if (value !== undefined) request[field] = value;
  };
  set('maxTokens', 'maxOutputTokens');
  set('temperature', 'temperature');
  set('topP', 'topP');
  set('topK', 'topK');
  set('seed', 'seed');
  set('presencePenalty', 'presencePenalty');
  set('frequencyPenalty', 'frequencyPenalty');
  if (Array.isArray(config.stopSequences)) {
    const stop = config.stopSequences.filter((item): item is string => typeof item === 'string' && item !== '');
    if (stop.length > 0) request.stop = stop;
  }
  const candidates = number('candidateCount');
  if (candidates !== undefined && candidates > 1) return untranslatable('generationConfig.candidateCount', 'more than one candidate');
  if (Array.isArray(config.responseModalities)) {
    const other = config.responseModalities.find((modality) => typeof modality === 'string' && modality.toUpperCase() !== 'TEXT');
    if (typeof other === 'string') return untranslatable('generationConfig.responseModalities', `"${other}" output`);
  }
  const format = responseFormat(config);
  if (format instanceof Refusal) return format;
  if (format !== undefined) request.responseFormat = format;
  const reasoning = readThinking(config.thinkingConfig);
  if (reasoning !== undefined) request.reasoning = reasoning;
  return undefined;
}

/** `responseMimeType: application/json` with `responseJsonSchema` or `responseSchema` (OpenAPI subset). */
function responseFormat(config: Json): ResponseFormat | Refusal | undefined {
  const mime = typeof config.responseMimeType === 'string' ? config.responseMimeType.toLowerCase() : undefined;
  const schema = config.responseJsonSchema ?? config.responseSchema;
  if (mime === undefined || mime === 'text/plain') return undefined;
  if (mime !== 'application/json') return untranslatable('generationConfig.responseMimeType', `"${mime}" output`);
  return isObject(schema) ? { type: 'json_schema', schema: toJsonSchema(schema) } : { type: 'json_object' };
}

/** `thinkingBudget` (0 off, -1 the model decides: `medium`), `thinkingLevel`, `includeThoughts`. */
function readThinking(thinking: unknown): Reasoning | undefined {
  if (!isObject(thinking)) return undefined;
  const reasoning: Reasoning = {};
  const budget = thinking.thinkingBudget;
  if (budget === 0) reasoning.effort = 'none';
  else if (budget === -1) reasoning.effort = 'medium';
  else if (typeof budget === 'number' && budget > 0) reasoning.budgetTokens = budget;
  const level = typeof thinking.thinkingLevel === 'string' ? EFFORT_BY_LEVEL[thinking.thinkingLevel.toLowerCase()] : undefined;
  if (level !== undefined) reasoning.effort = level;
  if (typeof thinking.includeThoughts === 'boolean') reasoning.includeText = thinking.includeThoughts;
  return Object.keys(reasoning).length > 0 ? reasoning : undefined;
}
