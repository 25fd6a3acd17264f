import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { renderCalls } from "../text/render.js";
import type { ToolContext } from "./context.js";
import { askSession } from "../sessions/index.js";
import { answer, toolResult, withNote } from "./result.js";
import { sessionCallsSchema } from "../sessions/views/calls.js";
import { CALL_STATUSES } from "../sessions/views/closed-sets.js";
import { sessionIdInput } from "./schemas.js";

const inputSchema = z.object({
  session_id: sessionIdInput,
  limit: z
    .number()
    .int()
    .min(1)
    .max(200)
    .default(10)
    .describe("How many of the newest calls to return (1–200), oldest first."),
  include_output: z.boolean().default(true).describe("Include each call's output text."),
  max_output_chars: z
    .number()
    .int()
    .min(100)
    .max(100_000)
    .default(2000)
    .describe("Cap for each output (head and tail are kept), 100–100000 characters."),
});

const outputSchema = sessionCallsSchema.shape;

export function registerLastFunctionCallsTool(server: McpServer, { sessions }: ToolContext): void {
  server.registerTool(
    "last_function_calls",
    {
      title: "Last tool calls of a Codex session",
      description:
        "The newest tool calls Codex made in a session (shell commands, apply_patch, MCP tools), oldest first, each with its arguments, the command as one line, its output (capped), exit code, duration and status (" +
        CALL_STATUSES.join(", ") +
        "; interrupted: Codex cut it off when its turn was interrupted or aborted, not a failure of its own; no_output: the run was stopped while the tool ran). Use it to see what Codex ran last and why it failed.",
      inputSchema: inputSchema.shape,
      outputSchema: withNote(outputSchema),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ session_id, limit, include_output, max_output_chars }) =>
      answer("last_function_calls", async () => {
        const result = await askSession(sessions, session_id, {
          kind: "calls",
          options: { limit, includeOutput: include_output, maxOutputChars: max_output_chars },
        });
        return toolResult(result, renderCalls(result.session_id, result.total_calls, result.calls));
      }),
  );
}
