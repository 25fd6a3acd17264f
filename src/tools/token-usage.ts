import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { ToolContext } from "./context.js";
import { askSession } from "../sessions/index.js";
import { renderUsage } from "../text/render.js";
import { answer, toolResult, withNote } from "./result.js";
import { sessionTokenUsageSchema } from "../sessions/views/usage.js";
import { sessionIdInput } from "./schemas.js";

const inputSchema = z.object({ session_id: sessionIdInput });

const outputSchema = sessionTokenUsageSchema.shape;

export function registerTokenUsageTool(server: McpServer, { sessions }: ToolContext): void {
  server.registerTool(
    "token_usage",
    {
      title: "Token usage of a Codex session",
      description:
        "Token totals of a Codex session from its own counters (input, cached input, output, reasoning, total), per turn and for the last turn, how full the context window was, and the newest rate-limit readings (primary and secondary window: percent used, window length, reset time). Sessions from CLIs that logged no counters get nulls and a note, never estimates.",
      inputSchema: inputSchema.shape,
      outputSchema: withNote(outputSchema),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ session_id }) =>
      answer("token_usage", async () => {
        const usage = await askSession(sessions, session_id, { kind: "usage" });
        return toolResult(usage, renderUsage(usage));
      }),
  );
}
