/**
 * @module One driver per client package for the every-client matrix (test/node/every-client.test.ts):
 * a whole answer, a streamed one and a tool round trip, each through the package's own API (`openai`
 * chat and Responses, `@anthropic-ai/sdk`, `@google/genai`), brought back to one form: the text, how
 * many pieces it (or a tool call's arguments) came in, and the usage in the client's own shape made
 * comparable with what the fake owner reported (upstream-common.ts `ReportedUsage`).
 */
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI, type Content, type GenerateContentResponseUsageMetadata, type Part } from '@google/genai';
import OpenAI from 'openai';
import { anthropicToolTurns, geminiToolTurns, openaiToolTurns, responsesToolTurns, WEATHER_TOOL } from '../../fixtures/native/conversations.ts';

/** The four client dialects, as the contract's §15 rows. */
export type Client = 'chat' | 'messages' | 'gemini' | 'responses';

/** A client's usage, in the fakes' one form: input with the cached tokens in it; undefined when it saw none. */
export interface SeenUsage {
  input: number;
  cachedInput: number;
  output: number;
}

/** One answer as the client saw it. */
export interface Turn {
  text: string;
  /** Streamed text deltas (1 for a whole answer). */
  pieces: number;
  usage: SeenUsage | undefined;
}

/** A tool call as the client saw it, and the way to send its result back. */
export interface ToolAsk {
  name: string;
  args: unknown;
  /** Streamed pieces of the arguments (Gemini sends a call whole: always 1 there). */
  argPieces: number;
  usage: SeenUsage | undefined;
  /** Sends the tool's result back (not streamed) and returns the model's answer. */
  answer(): Promise<Turn>;
}

export interface Driver {
  whole(model: string): Promise<Turn>;
  streamed(model: string): Promise<Turn>;
  /** Asks a question with the weather tool, streamed; the model should call it. */
  askTool(model: string): Promise<ToolAsk>;
}

const PROMPT = 'Say hello in five words';
/** The output limit every call asks for: the owner must get it in its own terms. */
export const MAX_TOKENS = 256;
const parsed = (json: string): unknown => JSON.parse(json === '' ? '{}' : json);

/** The drivers for a worker at `url` with client key `key`. */
export function drivers(url: string, key: string): Record<Client, Driver> {
  return {
    chat: chatDriver(new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 })),
    messages: messagesDriver(new Anthropic({ baseURL: url, apiKey: key, maxRetries: 0 })),
    gemini: geminiDriver(new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: url, apiVersion: 'v1beta', retryOptions: { attempts: 1 } } })),
    responses: responsesDriver(new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 })),
  };
}

function chatUsage(usage: OpenAI.CompletionUsage | null | undefined): SeenUsage | undefined {
  return usage == null ? undefined : { input: usage.prompt_tokens, cachedInput: usage.prompt_tokens_details?.cached_tokens ?? 0, output: usage.completion_tokens };
}

function chatDriver(client: OpenAI): Driver {
  /** Streams with `include_usage`, as clients do to see usage: the text, its pieces, the tool calls' pieces. */
  async function stream(messages: OpenAI.Chat.ChatCompletionMessageParam[], model: string, tools?: OpenAI.Chat.ChatCompletionFunctionTool[]) {
    const chunks = await client.chat.completions.create({ model, max_completion_tokens: MAX_TOKENS, messages, stream: true, stream_options: { include_usage: true }, ...(tools === undefined ? {} : { tools }) });
    let text = '';
    let pieces = 0;
    let argPieces = 0;
    let usage: SeenUsage | undefined;
    const calls: { id: string; name: string; arguments: string }[] = [];
    for await (const chunk of chunks) {
      usage = chatUsage(chunk.usage) ?? usage;
      const delta = chunk.choices[0]?.delta;
      if (delta?.content) [text, pieces] = [text + delta.content, pieces + 1];
      for (const call of delta?.tool_calls ?? []) {
        const at = (calls[call.index] ??= { id: '', name: '', arguments: '' });
        at.id ||= call.id ?? '';
        at.name ||= call.function?.name ?? '';
        if (call.function?.arguments) [at.arguments, argPieces] = [at.arguments + call.function.arguments, argPieces + 1];
      }
    }
    return { text, pieces, argPieces, usage, calls };
  }
  return {
    async whole(model) {
      const completion = await client.chat.completions.create({ model, max_completion_tokens: MAX_TOKENS, messages: [{ role: 'user', content: PROMPT }] });
      return { text: completion.choices[0]?.message.content ?? '', pieces: 1, usage: chatUsage(completion.usage) };
    },
    streamed: (model) => stream([{ role: 'user', content: PROMPT }], model),
    async askTool(model) {
      const turns = openaiToolTurns();
      const seen = await stream(turns.ask, model, [turns.tool]);
      const [call] = seen.calls;
      const message: OpenAI.Chat.ChatCompletionMessage = {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: seen.calls.map(({ id, name, arguments: args }) => ({ id, type: 'function' as const, function: { name, arguments: args } })),
      };
      return {
        name: call?.name ?? '',
        args: parsed(call?.arguments ?? ''),
        argPieces: seen.argPieces,
        usage: seen.usage,
        async answer() {
          const completion = await client.chat.completions.create({ model, max_completion_tokens: MAX_TOKENS, messages: turns.answer(message), tools: [turns.tool] });
          return { text: completion.choices[0]?.message.content ?? '', pieces: 1, usage: chatUsage(completion.usage) };
        },
      };
    },
  };
}

function messagesUsage(usage: Anthropic.Usage): SeenUsage {
  // Anthropic counts the cached tokens apart from input_tokens.
  const cached = usage.cache_read_input_tokens ?? 0;
  return { input: usage.input_tokens + cached + (usage.cache_creation_input_tokens ?? 0), cachedInput: cached, output: usage.output_tokens };
}

const messageText = (message: Anthropic.Message) => message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');

function messagesDriver(client: Anthropic): Driver {
  return {
    async whole(model) {
      const message = await client.messages.create({ model, max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: PROMPT }] });
      return { text: messageText(message), pieces: 1, usage: messagesUsage(message.usage) };
    },
    async streamed(model) {
      const stream = client.messages.stream({ model, max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: PROMPT }] });
      let pieces = 0;
      stream.on('text', () => pieces++);
      const message = await stream.finalMessage();
      return { text: messageText(message), pieces, usage: messagesUsage(message.usage) };
    },
    async askTool(model) {
      const turns = anthropicToolTurns();
      const stream = client.messages.stream({ model, max_tokens: MAX_TOKENS, tools: [WEATHER_TOOL], messages: turns.ask });
      let argPieces = 0;
      stream.on('inputJson', (piece) => void (piece === '' ? 0 : argPieces++));
      const message = await stream.finalMessage();
      const [use] = message.content.flatMap((block) => (block.type === 'tool_use' ? [block] : []));
      return {
        name: use?.name ?? '',
        args: use?.input,
        argPieces,
        usage: messagesUsage(message.usage),
        async answer() {
          const answer = await client.messages.create({ model, max_tokens: MAX_TOKENS, tools: [WEATHER_TOOL], messages: turns.answer(message) });
          return { text: messageText(answer), pieces: 1, usage: messagesUsage(answer.usage) };
        },
      };
    },
  };
}

function geminiUsage(usage: GenerateContentResponseUsageMetadata | undefined): SeenUsage | undefined {
  if (usage === undefined) return undefined;
  // Gemini counts thoughts apart from the candidates: both are output.
  return { input: usage.promptTokenCount ?? 0, cachedInput: usage.cachedContentTokenCount ?? 0, output: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0) };
}

function geminiDriver(client: GoogleGenAI): Driver {
  return {
    async whole(model) {
      const response = await client.models.generateContent({ model, contents: PROMPT, config: { maxOutputTokens: MAX_TOKENS } });
      return { text: response.text ?? '', pieces: 1, usage: geminiUsage(response.usageMetadata) };
    },
    async streamed(model) {
      let [text, pieces] = ['', 0];
      let usage: SeenUsage | undefined;
      for await (const chunk of await client.models.generateContentStream({ model, contents: PROMPT, config: { maxOutputTokens: MAX_TOKENS } })) {
        if (chunk.text) [text, pieces] = [text + chunk.text, pieces + 1];
        usage = geminiUsage(chunk.usageMetadata) ?? usage;
      }
      return { text, pieces, usage };
    },
    async askTool(model) {
      const turns = geminiToolTurns();
      const parts: Part[] = [];
      let usage: SeenUsage | undefined;
      for await (const chunk of await client.models.generateContentStream({ model, contents: turns.ask, config: { tools: turns.tools, maxOutputTokens: MAX_TOKENS } })) {
        parts.push(...(chunk.candidates?.[0]?.content?.parts ?? []).filter((part) => part.functionCall !== undefined));
        usage = geminiUsage(chunk.usageMetadata) ?? usage;
      }
      const [call] = parts;
      const content: Content = { role: 'model', parts };
      return {
        name: call?.functionCall?.name ?? '',
        args: call?.functionCall?.args,
        argPieces: parts.length,
        usage,
        async answer() {
          const response = await client.models.generateContent({ model, contents: turns.answer(content), config: { tools: turns.tools, maxOutputTokens: MAX_TOKENS } });
          return { text: response.text ?? '', pieces: 1, usage: geminiUsage(response.usageMetadata) };
        },
      };
    },
  };
}

function responsesUsage(usage: OpenAI.Responses.ResponseUsage | null | undefined): SeenUsage | undefined {
  return usage == null ? undefined : { input: usage.input_tokens, cachedInput: usage.input_tokens_details.cached_tokens, output: usage.output_tokens };
}

function responsesDriver(client: OpenAI): Driver {
  /** Streams a response: its text deltas joined and counted, its arguments deltas counted, the completed response. */
  async function stream(params: OpenAI.Responses.ResponseCreateParamsStreaming) {
    let [text, pieces, argPieces] = ['', 0, 0];
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of await client.responses.create(params)) {
      if (event.type === 'response.output_text.delta') [text, pieces] = [text + event.delta, pieces + 1];
      if (event.type === 'response.function_call_arguments.delta') argPieces++;
      if (event.type === 'response.completed') completed = event.response;
    }
    return { text, pieces, argPieces, completed };
  }
  return {
    async whole(model) {
      const response = await client.responses.create({ model, max_output_tokens: MAX_TOKENS, input: PROMPT });
      return { text: response.output_text, pieces: 1, usage: responsesUsage(response.usage) };
    },
    async streamed(model) {
      const { text, pieces, completed } = await stream({ model, max_output_tokens: MAX_TOKENS, input: PROMPT, stream: true });
      return { text, pieces, usage: responsesUsage(completed?.usage) };
    },
    async askTool(model) {
      const turns = responsesToolTurns();
      const { argPieces, completed } = await stream({ model, max_output_tokens: MAX_TOKENS, input: turns.ask, tools: [turns.tool], stream: true });
      const [call] = (completed?.output ?? []).flatMap((item) => (item.type === 'function_call' ? [item] : []));
      return {
        name: call?.name ?? '',
        args: parsed(call?.arguments ?? ''),
        argPieces,
        usage: responsesUsage(completed?.usage),
        async answer() {
          if (completed === undefined) throw new Error('the stream ended without response.completed');
          const response = await client.responses.create({ model, max_output_tokens: MAX_TOKENS, input: turns.answer(completed), tools: [turns.tool] });
          return { text: response.output_text, pieces: 1, usage: responsesUsage(response.usage) };
        },
      };
    },
  };
}
