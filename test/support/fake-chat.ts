// Chat Completions (`POST /chat/completions`, streamed or not), for hosts that speak only that: the fake model's
// `MCP:<tool> <json>` script in that wire format.
import type { ServerResponse } from "node:http";
import type { FakeModel } from "./fake-model.js";
import { firstLine } from "./fake-model-requests.js";

interface ChatMessage {
  role?: string;
  content?: string | Array<{ type?: string; text?: string }> | null;
  tool_call_id?: string;
}
export interface ChatRequest {
  messages?: ChatMessage[];
  tools?: Array<{ type?: string; function?: { name?: string } }>;
  stream?: boolean;
}

function chatText(content: ChatMessage["content"]): string {
  const text = typeof content === "string" ? content : (content ?? []).map((part) => part.text ?? "").join("\n");
  // opencode sends a `run` prompt as a JSON string literal
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "string" ? parsed : text;
  } catch {
    return text;
  }
}

export function answerChat(request: ChatRequest, res: ServerResponse, log: FakeModel["otherRequests"]): void {
  log.push({ api: "chat", body: request as Record<string, unknown> });
  const messages = request.messages ?? [];
  // a host may add its own user messages after the prompt (OpenClaw's internal context): the newest script wins
  const prompt = [...messages]
    .reverse()
    .find((message) => message.role === "user" && /MCP:\S/.test(chatText(message.content)));
  const mcp = /MCP:(\S+)\s*(.*)$/m.exec(chatText(prompt?.content));
  const names = (request.tools ?? []).map((tool) => tool.function?.name ?? "");
  const n = log.length;
  let message: {
    role: "assistant";
    content: string | null;
    tool_calls?: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }>;
  };
  // the tool's answer, even when the host appended its own user message after it (OpenClaw)
  const answered = messages.slice(prompt ? messages.indexOf(prompt) : 0).findLast((message) => message.role === "tool");
  if (answered)
    message = { role: "assistant", content: `Done. The tool said: ${firstLine(chatText(answered.content))}` };
  // a request without tools (a host's title or summary side request) gets a plain answer
  else if (mcp?.[1] !== undefined && names.length > 0) {
    const name =
      names.find(
        (candidate) => candidate === mcp[1] || candidate.endsWith(`_${mcp[1]}`) || candidate.endsWith(`-${mcp[1]}`),
      ) ?? mcp[1];
    message = {
      role: "assistant",
      content: null,
      tool_calls: [{ id: `call_${n}`, type: "function", function: { name, arguments: mcp[2]?.trim() || "{}" } }],
    };
  } else message = { role: "assistant", content: "plain answer" };
  const finish = message.tool_calls ? "tool_calls" : "stop";
  const usage = { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 };
  const base = { id: `chatcmpl_${n}`, created: 1795500000, model: "fake-chat" };
  if (!request.stream) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        ...base,
        object: "chat.completion",
        choices: [{ index: 0, message, finish_reason: finish }],
        usage,
      }),
    );
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream" });
  const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
  const delta = message.tool_calls
    ? { role: "assistant", content: null, tool_calls: message.tool_calls.map((call, index) => ({ index, ...call })) }
    : { role: "assistant", content: message.content };
  send({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: null }] });
  send({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta: {}, finish_reason: finish }], usage });
  res.end("data: [DONE]\n\n");
}
