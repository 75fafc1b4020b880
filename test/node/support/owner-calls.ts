/**
 * @module What a fake owner received, read for the every-client matrix: which dialect the call came
 * in (by its path), which fake and model answered it, whether its body has that dialect's shape, the
 * tool declared in that dialect's terms, and a tool result paired with the call it answers.
 */
import type { ReceivedCall } from '../../../fake-providers/upstream-common.ts';
import type { Client } from './every-client-drivers.ts';
import type { CellWord, Column } from './matrix-doc.ts';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const records = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter(isRecord) : []);
const bodyOf = (call: ReceivedCall): Record<string, unknown> => {
  const parsed: unknown = JSON.parse(call.body);
  return isRecord(parsed) ? parsed : {};
};
const pathOf = (call: ReceivedCall) => call.path.split('?')[0] ?? '';

/** The dialect a call reached its owner in, from the path it came to. */
export function dialectOf(call: ReceivedCall): Client | undefined {
  const path = pathOf(call);
  if (path.endsWith('/chat/completions')) return 'chat';
  if (path.endsWith('/v1/messages')) return 'messages';
  if (/\/models\/.+:(generateContent|streamGenerateContent)$/.test(path)) return 'gemini';
  if (path.endsWith('/v1/responses')) return 'responses';
  return undefined;
}

/** Which fake answered (the path's first segment: its texts name it) and the model it was asked for. */
export function answeredBy(call: ReceivedCall): { fake: string; model: string } {
  const path = pathOf(call);
  const gemini = /\/models\/(.+):[A-Za-z]+$/.exec(path);
  const model = dialectOf(call) === 'gemini' ? decodeURIComponent(gemini?.[1] ?? '') : String(bodyOf(call).model ?? '');
  return { fake: path.split('/')[1] ?? '', model };
}

/** Whether the fake at this path streams a tool call's arguments in pieces (Ollama and Gemini, either way, send a call whole). */
export const ownerSplitsArguments = (call: ReceivedCall) => !pathOf(call).startsWith('/ollama/') && !pathOf(call).startsWith('/gemini/');

/** What the matrix says for a call a client of `client` made to an owner in `column`, seen at the fake. */
export function wordFor(client: Client, column: Column, received: Client): CellWord {
  if (received === client) {
    if (client === 'chat' && column === 'responses') return 'native (chat)';
    if (client === 'chat' && (column === 'anthropic' || column === 'gemini')) return 'native OpenAI layer';
    return 'native';
  }
  return column === 'responses' && received === 'chat' ? 'translated via chat' : 'translated';
}

/** A problem with the body's shape in its dialect (fields the dialect requires, none of another's), or undefined. */
export function shapeProblem(call: ReceivedCall): string | undefined {
  const body = bodyOf(call);
  const foreign = (['messages', 'contents', 'input'] as const).filter((field) => body[field] !== undefined);
  switch (dialectOf(call)) {
    case 'chat':
      if (!records(body.messages).every((m) => ['system', 'developer', 'user', 'assistant', 'tool'].includes(String(m.role)))) return 'a chat message with an unknown role';
      return foreign.join() === 'messages' ? undefined : `chat body with ${foreign.join(', ')}`;
    case 'messages':
      if (typeof body.max_tokens !== 'number') return 'Messages body without max_tokens';
      return foreign.join() === 'messages' ? undefined : `Messages body with ${foreign.join(', ')}`;
    case 'gemini':
      if (!records(body.contents).every((c) => c.role === undefined || c.role === 'user' || c.role === 'model')) return 'Gemini content with a role other than user or model';
      return foreign.join() === 'contents' ? undefined : `Gemini body with ${foreign.join(', ')}`;
    case 'responses':
      return foreign.join() === 'input' ? undefined : `Responses body with ${foreign.join(', ')}`;
    case undefined:
      return `no dialect at ${call.path}`;
  }
}

/** The output limit the call asks for, in its dialect's own field. */
export function maxTokensOf(call: ReceivedCall): unknown {
  const body = bodyOf(call);
  switch (dialectOf(call)) {
    case 'chat':
      return body.max_completion_tokens ?? body.max_tokens;
    case 'messages':
      return body.max_tokens;
    case 'gemini':
      return isRecord(body.generationConfig) ? body.generationConfig.maxOutputTokens : undefined;
    case 'responses':
      return body.max_output_tokens;
    case undefined:
      return undefined;
  }
}

/** The names of the tools declared in the call's own dialect. */
export function declaredTools(call: ReceivedCall): string[] {
  const tools = records(bodyOf(call).tools);
  switch (dialectOf(call)) {
    case 'chat':
      return tools.flatMap((tool) => (tool.type === 'function' && isRecord(tool.function) ? [String(tool.function.name)] : []));
    case 'messages':
      return tools.flatMap((tool) => (isRecord(tool.input_schema) ? [String(tool.name)] : []));
    case 'gemini':
      return tools.flatMap((tool) => records(tool.functionDeclarations).map((d) => String(d.name)));
    case 'responses':
      return tools.flatMap((tool) => (tool.type === 'function' ? [String(tool.name)] : []));
    case undefined:
      return [];
  }
}

/**
 * The model's calls and the results sent back, in the call's dialect: ids (names for Gemini) of the
 * calls in the conversation, and those the results answer.
 */
export function toolTurns(call: ReceivedCall): { calls: string[]; results: string[] } {
  const body = bodyOf(call);
  switch (dialectOf(call)) {
    case 'chat': {
      const messages = records(body.messages);
      return {
        calls: messages.flatMap((m) => (m.role === 'assistant' ? records(m.tool_calls).map((c) => String(c.id)) : [])),
        results: messages.flatMap((m) => (m.role === 'tool' ? [String(m.tool_call_id)] : [])),
      };
    }
    case 'messages': {
      const blocks = records(body.messages).flatMap((m) => records(m.content).map((block) => ({ role: m.role, block })));
      return {
        calls: blocks.flatMap(({ role, block }) => (role === 'assistant' && block.type === 'tool_use' ? [String(block.id)] : [])),
        results: blocks.flatMap(({ role, block }) => (role === 'user' && block.type === 'tool_result' ? [String(block.tool_use_id)] : [])),
      };
    }
    case 'gemini': {
      const parts = records(body.contents).flatMap((c) => records(c.parts).map((part) => ({ role: c.role, part })));
      return {
        calls: parts.flatMap(({ role, part }) => (role === 'model' && isRecord(part.functionCall) ? [String(part.functionCall.name)] : [])),
        results: parts.flatMap(({ role, part }) => (role === 'user' && isRecord(part.functionResponse) ? [String(part.functionResponse.name)] : [])),
      };
    }
    case 'responses': {
      const items = records(body.input);
      return {
        calls: items.flatMap((item) => (item.type === 'function_call' ? [String(item.call_id)] : [])),
        results: items.flatMap((item) => (item.type === 'function_call_output' ? [String(item.call_id)] : [])),
      };
    }
    case undefined:
      return { calls: [], results: [] };
  }
}
