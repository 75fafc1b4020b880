/**
 * @module How the fake providers call a tool: the same decision and the same arguments in every
 * dialect, so an Anthropic-owned model and an OpenAI-compatible one answer one conversation alike.
 * A request with tools whose last turn is not a tool result calls the one `tool_choice` names, else
 * the first of the configured picks the request offers, else its first tool; after a tool result the
 * fakes answer text. Arguments come from the pick or the tool's JSON schema, never from the prompt.
 * Picks let a real agent (Claude Code, Gemini CLI) run a tool it allows with arguments that work,
 * where its first tool (Claude Code's `Agent`) would only fail.
 */

/** A tool as the fakes need it: its name and its JSON schema. */
export interface FakeTool {
  name: string;
  schema: unknown;
}

/** The call a fake makes: the tool's name and its arguments as a JSON string. */
export interface FakeToolCall {
  name: string;
  arguments: string;
}

/** A tool the fakes prefer to call when a request offers it: its name and, if given, the arguments to send. */
export interface ToolPick {
  name: string;
  arguments?: Record<string, unknown>;
}

/**
 * The tool to call, or undefined to answer text: `forced` is the name `tool_choice` asks for, `none`
 * forbids tools, `picks` are preferred over the first tool.
 */
export function toolCallFor(
  tools: FakeTool[],
  lastTurnIsToolResult: boolean,
  choice: { forced?: string; none?: boolean; picks?: ToolPick[] } = {},
): FakeToolCall | undefined {
  if (tools.length === 0 || lastTurnIsToolResult || choice.none === true) return undefined;
  const pick = choice.forced === undefined ? choice.picks?.find((p) => tools.some((t) => t.name === p.name)) : undefined;
  const tool = tools.find((t) => t.name === (choice.forced ?? pick?.name)) ?? tools[0];
  if (tool === undefined) return undefined;
  return { name: tool.name, arguments: JSON.stringify(pick?.arguments ?? exampleOf(tool.schema)) };
}

/**
 * A value that fits `schema`: each property of an object (its first enum value, `"example"` for a
 * string, 42 for a number, true, [] or a nested object); the same schema always gives the same value.
 */
export function exampleOf(schema: unknown): unknown {
  const s = typeof schema === 'object' && schema !== null ? (schema as Record<string, unknown>) : {};
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  // Gemini's `parameters` (an OpenAPI subset) may name types in capitals: `STRING`, `OBJECT`.
  switch (typeof s.type === 'string' ? s.type.toLowerCase() : s.type) {
    case 'string':
      return 'example';
    case 'number':
    case 'integer':
      return 42;
    case 'boolean':
      return true;
    case 'array':
      return [];
    default: {
      const properties = typeof s.properties === 'object' && s.properties !== null ? (s.properties as Record<string, unknown>) : {};
      return Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, exampleOf(property)]));
    }
  }
}

/** The final text a fake answers after a tool result: names the model, repeats nothing it was sent. */
export function afterToolText(kind: string, model: string): string {
  return `The tool answered; the ${kind} demo, as ${model}, is done.`;
}

/** Narrows a list of tool definitions: `pick` maps one entry to a FakeTool, or undefined to skip it. */
export function toolsOf(value: unknown, pick: (tool: Record<string, unknown>) => FakeTool | undefined): FakeTool[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((tool) => {
    const picked = typeof tool === 'object' && tool !== null ? pick(tool as Record<string, unknown>) : undefined;
    return picked === undefined ? [] : [picked];
  });
}
