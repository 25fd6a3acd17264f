// What the fake model (fake-model.ts) reads of a Responses API request: its input items and tools, the newest
// prompt (the script), how far into a scripted turn it is, the last tool output, and which of Codex's own side
// requests (the approvals reviewer, a review) it is.

export interface ResponsesRequest {
  input?: InputItem[];
  tools?: ToolSpec[];
  [key: string]: unknown;
}

export interface InputItem {
  type?: string;
  role?: string;
  content?: Array<{ type?: string; text?: string }> | string;
  output?: unknown;
  call_id?: string;
}

export interface ToolSpec {
  type?: string;
  name?: string;
  tools?: ToolSpec[];
}

/** The user messages' texts of a request the model received (a steer shows up among them). */
export function userTexts(request: ResponsesRequest): string[] {
  return (request.input ?? [])
    .filter((item) => item.role === "user")
    .map((item) =>
      Array.isArray(item.content) ? item.content.map((part) => part.text ?? "").join("") : String(item.content ?? ""),
    );
}

/** A 1×1 PNG: the image tests attach to a prompt. */
export const PIXEL_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

/** What a model request carried of a run's inputs: the model, the final message's format and its schema, images. */
export function requestInputs(request: ResponsesRequest): {
  model: string | undefined;
  format: string | undefined;
  schema: unknown;
  images: number;
} {
  const raw = request as {
    model?: string;
    text?: { format?: { type?: string; schema?: unknown } };
    input?: Array<{ content?: Array<{ type?: string }> | string }>;
  };
  return {
    model: raw.model,
    format: raw.text?.format?.type,
    schema: raw.text?.format?.schema,
    images: (raw.input ?? []).flatMap((item) =>
      Array.isArray(item.content) ? item.content.filter((part) => part.type === "input_image") : [],
    ).length,
  };
}

export function isGuardianRequest(request: ResponsesRequest): boolean {
  const format = (request.text as { format?: { schema?: { properties?: Record<string, unknown> } } } | undefined)
    ?.format;
  const outcome = format?.schema?.properties?.outcome as { enum?: unknown[] } | undefined;
  return Array.isArray(outcome?.enum) && outcome.enum.includes("allow") && outcome.enum.includes("deny");
}

export function isReviewRequest(request: ResponsesRequest): boolean {
  const instructions = typeof request.instructions === "string" ? request.instructions : "";
  const first = (request.input ?? []).find((item) => item.role === "developer");
  return instructions.startsWith("# Review guidelines") || textOf(first?.content).startsWith("# Review guidelines");
}

export function textOf(content: InputItem["content"]): string {
  if (typeof content === "string") return content;
  return (content ?? []).map((part) => part.text ?? "").join("\n");
}

export function lastUserPrompt(input: InputItem[]): string {
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i];
    if (item?.role !== "user") continue;
    const text = textOf(item.content);
    if (text.startsWith("<") || text.startsWith("# AGENTS.md")) continue;
    return text;
  }
  return "";
}

const TOOL_OUTPUT_TYPES = new Set(["function_call_output", "custom_tool_call_output", "local_shell_call_output"]);

/** Tool outputs after the newest prompt: how far into a scripted turn this request is. */
export function toolOutputsSincePrompt(input: InputItem[]): number {
  let count = 0;
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i];
    if (item?.role === "user" && !textOf(item.content).startsWith("<")) break;
    if (TOOL_OUTPUT_TYPES.has(item?.type ?? "")) count += 1;
  }
  return count;
}

export function lastItemIsToolOutput(input: InputItem[]): boolean {
  const last = input.at(-1);
  return last !== undefined && TOOL_OUTPUT_TYPES.has(last.type ?? "");
}

export function lastToolOutput(input: InputItem[]): string {
  const output = input.at(-1)?.output;
  if (typeof output === "string") {
    try {
      const parsed = JSON.parse(output) as { output?: unknown };
      if (typeof parsed.output === "string") return parsed.output;
    } catch {
      // plain text output
    }
    return output;
  }
  if (Array.isArray(output)) return output.map((part: { text?: string }) => part.text ?? "").join("\n");
  if (output && typeof output === "object" && "content" in output)
    return String((output as { content: unknown }).content);
  return "";
}

export function firstLine(text: string): string {
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  // unified exec output starts with a header block ("Chunk ID: …", "Output:"); the payload is after it
  const afterHeader = lines.indexOf("Output:");
  return (afterHeader >= 0 ? lines[afterHeader + 1] : lines.at(-1)) ?? "";
}
