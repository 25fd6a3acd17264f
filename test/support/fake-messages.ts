// The Anthropic Messages API (`POST /v1/messages`, streamed as SSE or not), for hosts that speak it (Claude
// Code via ANTHROPIC_BASE_URL). Same script as the other wire formats: a prompt `MCP:<tool> <json>` makes the
// model call the tool whose name ends with <tool>; the tool's result gets "Done. The tool said: <first line>".
// Event shapes as the API documents them: message_start, content_block_start/delta/stop, message_delta, message_stop.
import type { ServerResponse } from "node:http";

interface MessagesBlock {
  type?: string;
  text?: string;
  content?: string | Array<{ type?: string; text?: string }>;
}
export interface MessagesRequest {
  model?: string;
  messages?: Array<{ role?: string; content?: string | MessagesBlock[] }>;
  tools?: Array<{ name?: string }>;
  stream?: boolean;
}

type Block = { type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: unknown };

function blocks(content: string | MessagesBlock[] | undefined): MessagesBlock[] {
  return typeof content === "string" ? [{ type: "text", text: content }] : (content ?? []);
}

function toolResultText(block: MessagesBlock): string {
  return typeof block.content === "string"
    ? block.content
    : (block.content ?? []).map((part) => part.text ?? "").join("\n");
}

/** The text of the newest tool result in the request, or undefined when the last turn holds none. */
export function messagesToolResult(request: MessagesRequest): string | undefined {
  const result = blocks(request.messages?.at(-1)?.content).find((block) => block.type === "tool_result");
  return result ? toolResultText(result) : undefined;
}

export function answerMessages(url: string, request: MessagesRequest, res: ServerResponse, n: number): void {
  if (url.includes("/count_tokens")) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ input_tokens: 100 }));
    return;
  }
  const texts = (request.messages ?? [])
    .filter((message) => message.role === "user")
    .flatMap((message) =>
      blocks(message.content)
        .filter((block) => block.type === "text")
        .map((block) => block.text ?? ""),
    );
  const mcp = texts
    .map((text) => /MCP:(\S+)\s*(.*)$/m.exec(text))
    .filter((match) => match !== null)
    .at(-1);
  const names = (request.tools ?? []).map((tool) => tool.name ?? "");
  const toolResult = messagesToolResult(request);
  let content: Block;
  if (toolResult !== undefined)
    content = { type: "text", text: `Done. The tool said: ${toolResult.split("\n")[0] ?? ""}` };
  else if (mcp?.[1] !== undefined && names.length > 0) {
    const name = names.find((candidate) => candidate === mcp[1] || candidate.endsWith(`__${mcp[1]}`)) ?? mcp[1];
    content = { type: "tool_use", id: `toolu_fake_${n}`, name, input: JSON.parse(mcp[2]?.trim() || "{}") as unknown };
  } else content = { type: "text", text: "plain answer" };
  const stopReason = content.type === "tool_use" ? "tool_use" : "end_turn";
  const message = {
    id: `msg_fake_${n}`,
    type: "message",
    role: "assistant",
    model: request.model ?? "fake",
    stop_sequence: null,
  };
  const usage = { input_tokens: 100, output_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  if (!request.stream) {
    res.writeHead(200, { "content-type": "application/json", "request-id": `req_fake_${n}` });
    res.end(JSON.stringify({ ...message, content: [content], stop_reason: stopReason, usage }));
    return;
  }
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "request-id": `req_fake_${n}`,
  });
  const send = (data: Record<string, unknown>) =>
    res.write(`event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`);
  send({
    type: "message_start",
    message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
  });
  if (content.type === "text") {
    send({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
    send({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: content.text } });
  } else {
    send({
      type: "content_block_start",
      index: 0,
      content_block: { type: "tool_use", id: content.id, name: content.name, input: {} },
    });
    send({
      type: "content_block_delta",
      index: 0,
      delta: { type: "input_json_delta", partial_json: JSON.stringify(content.input) },
    });
  }
  send({ type: "content_block_stop", index: 0 });
  send({
    type: "message_delta",
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  send({ type: "message_stop" });
  res.end();
}
