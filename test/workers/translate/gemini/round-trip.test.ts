import { describe, expect, it } from 'vitest';
import { geminiClient, geminiOwner } from '../../../../src/translate/gemini/index.ts';
import { Refusal } from '../../../../src/translate/refuse.ts';
import cli from '../../../fixtures/translate/gemini/gemini-cli-0.61.0.json';

type Turn = { role: string; parts: unknown[] };

/** Contents with consecutive turns of one role as one turn, as the writer sends them. */
function merged(contents: Turn[]): Turn[] {
  const out: Turn[] = [];
  for (const turn of contents) {
    const last = out[out.length - 1];
    if (last?.role === turn.role) last.parts = [...last.parts, ...turn.parts];
    else out.push({ role: turn.role, parts: [...turn.parts] });
  }
  return out;
}

describe('Gemini request round trip', () => {
  it('Gemini CLI\'s requests read and written again keep their turns, calls, responses, tools and config', () => {
    for (const recorded of cli.requests) {
      const stream = recorded.url.includes(':streamGenerateContent');
      const request = geminiClient.readRequest(recorded.body, { stream });
      if (request instanceof Refusal) throw new Error(request.message);
      const written = geminiOwner.writeRequest(request, { upstreamModel: 'gemini-3-flash-preview' });
      if (written instanceof Refusal) throw new Error(written.message);
      expect(written.path).toBe(stream ? '/models/gemini-3-flash-preview:streamGenerateContent?alt=sse' : '/models/gemini-3-flash-preview:generateContent');
      const body = recorded.body as Record<string, unknown>;
      // Turns as sent (consecutive turns of one role merged), less the role on systemInstruction (Gemini ignores it there).
      expect(written.body.contents).toEqual(merged(body.contents as Turn[]));
      expect(written.body.systemInstruction).toEqual({ parts: (body.systemInstruction as { parts: unknown[] }).parts });
      if (body.tools !== undefined) expect(written.body.tools).toEqual(body.tools);
      // Schemas come back as JSON Schema (the router's upper-case types lower-cased), the rest as sent.
      const config = body.generationConfig as Record<string, unknown>;
      expect(written.body.generationConfig).toMatchObject({ temperature: config.temperature, topP: config.topP, topK: config.topK, thinkingConfig: { thinkingLevel: 'high', includeThoughts: true } });
    }
  });
});
