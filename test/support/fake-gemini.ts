// The Gemini API (`models/<model>:streamGenerateContent?alt=sse`), for Gemini CLI via GOOGLE_GEMINI_BASE_URL: the
// fake model's `MCP:<tool> <json>` script in that wire format.
import type { ServerResponse } from "node:http";
import type { FakeModel } from "./fake-model.js";
import { firstLine } from "./fake-model-requests.js";

interface GeminiPart {
  text?: string;
  functionCall?: { name: string; args?: unknown };
  functionResponse?: { name: string; response?: unknown };
}
export interface GeminiRequest {
  contents?: Array<{ role?: string; parts?: GeminiPart[] }>;
  tools?: Array<{ functionDeclarations?: Array<{ name?: string }> }>;
}

export function answerGemini(
  url: string,
  request: GeminiRequest,
  res: ServerResponse,
  log: FakeModel["otherRequests"],
): void {
  if (url.includes(":countTokens")) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ totalTokens: 10 }));
    return;
  }
  log.push({ api: "gemini", body: request as Record<string, unknown> });
  const contents = request.contents ?? [];
  const lastParts = contents.at(-1)?.parts ?? [];
  const toolOutput = lastParts.find((part) => part.functionResponse)?.functionResponse;
  const prompt = [...contents]
    .reverse()
    .find((c) => c.role === "user" && (c.parts ?? []).some((part) => typeof part.text === "string"));
  const promptText = (prompt?.parts ?? []).map((part) => part.text ?? "").join("\n");
  const mcp = /MCP:(\S+)\s*(.*)$/m.exec(promptText);
  const names = (request.tools ?? []).flatMap((tool) => tool.functionDeclarations ?? []).map((decl) => decl.name ?? "");
  let parts: GeminiPart[];
  if (toolOutput) parts = [{ text: `Done. The tool said: ${firstLine(JSON.stringify(toolOutput.response ?? null))}` }];
  else if (mcp?.[1] !== undefined)
    parts = [
      {
        functionCall: {
          name:
            names.find((name) => name === mcp[1] || name.endsWith(`_${mcp[1]}`) || name.endsWith(`__${mcp[1]}`)) ??
            mcp[1],
          args: JSON.parse(mcp[2]?.trim() || "{}") as unknown,
        },
      },
    ];
  else parts = [{ text: "plain answer" }];
  const chunk = {
    candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }],
    usageMetadata: { promptTokenCount: 100, candidatesTokenCount: 10, totalTokenCount: 110 },
    modelVersion: "fake-gemini",
  };
  if (url.includes("alt=sse")) {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.end(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
  } else {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(chunk));
  }
}
