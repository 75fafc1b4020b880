import { describe, expect, it } from 'vitest';
import { chatClient, chatOwner } from '../../../../src/translate/chat/index.ts';
import type { Request } from '../../../../src/translate/ir.ts';
import { Refusal } from '../../../../src/translate/refuse.ts';
import tools from '../../../fixtures/translate/openai-completion-tools.json';
import deepseek from '../../../fixtures/translate/chat/deepseek-completion.json';
import { context } from './support.ts';

/** A body the openai SDK sends: system, an image, history with a call and its result, tools, sampling. */
const BODY = {
  model: 'claude-sonnet-4-5',
  messages: [
    { role: 'system', content: 'You are a weather bot.' },
    { role: 'user', content: [{ type: 'text', text: 'Weather here?' }, { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } }] },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: '18°C and sunny' },
    { role: 'developer', content: 'Answer in one line.' },
  ],
  tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: true } }],
  tool_choice: 'auto',
  parallel_tool_calls: false,
  temperature: 0.3,
  top_p: 0.9,
  seed: 11,
  stop: ['END'],
  max_tokens: 256,
  reasoning_effort: 'low',
  response_format: { type: 'json_object' },
  user: 'user-7',
  stream: true,
  stream_options: { include_usage: true },
};

describe('chat → internal → chat', () => {
  it('writes back the essentials of a request it read', () => {
    const read = chatClient.readRequest(BODY, {});
    if (read instanceof Refusal) throw new Error(read.message);
    const written = chatOwner.writeRequest(read, { upstreamModel: 'gpt-4o' });
    if (written instanceof Refusal) throw new Error(written.message);
    // `developer` goes out as `system` (compatible servers refuse the role; OpenAI takes either).
    const messages = BODY.messages.map((message) => (message.role === 'developer' ? { ...message, role: 'system' } : message));
    expect(written.body).toStrictEqual({ ...BODY, model: 'gpt-4o', messages });
  });

  it('writes back the essentials of an answer it read', () => {
    for (const completion of [tools, deepseek]) {
      const answer = chatOwner.readAnswer(completion, { system: [], messages: [], stream: false } satisfies Request);
      if (!('parts' in answer)) throw new Error(answer.message);
      const written = chatClient.writeAnswer(answer, context({ model: completion.model }));
      const choice = completion.choices[0];
      // `annotations` (web search citations) have no place in the internal answer.
      const { annotations: _, ...message } = { annotations: undefined, ...choice?.message };
      expect(written).toMatchObject({ id: completion.id.startsWith('chatcmpl-') ? completion.id : `chatcmpl-${completion.id}`, model: completion.model, choices: [{ message, finish_reason: choice?.finish_reason }] });
      expect(written.usage).toMatchObject({ prompt_tokens: completion.usage.prompt_tokens, completion_tokens: completion.usage.completion_tokens, prompt_tokens_details: { cached_tokens: completion.usage.prompt_tokens_details.cached_tokens } });
    }
  });
});
