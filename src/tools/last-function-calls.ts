import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { renderCalls } from "../render.js";
import type { ToolContext } from "./context.js";
import { checkSessionRef } from "./policy.js";
import { sessionCalls } from "../sessions/index.js";
import { answer, toolResult, withNote } from "./result.js";
import { sessionIdInput } from "./schemas.js";

const inputSchema = {
  session_id: sessionIdInput,
  limit: z.number().int().min(1).max(200).default(10).describe("How many of the newest calls to return (1–200), oldest first."),
  include_output: z.boolean().default(true).describe("Include each call's output text."),
  max_output_chars: z.number().int().min(100).max(100_000).default(2000).describe("Cap for each output (head and tail are kept), 100–100000 characters."),
};

const outputSchema = {
  id: z.string(),
  path: z.string(),
  total_calls: z.number().nullable().describe("Calls in the whole session; null when the answer was read from the end of a log not indexed yet (the first question on it)."),
  skipped_lines: z.number().nullable().describe("Lines that were not rollout lines; null as total_calls."),
  bad_field_lines: z.number().nullable().describe("Lines with a field of the wrong type or range; null as total_calls."),
  calls: z.array(
    z.object({
      call_id: z.string(),
      name: z.string(),
      arguments: z.unknown(),
      command: z.string().nullable(),
      output: z.string().nullable(),
      output_truncated: z.boolean(),
      exit_code: z.number().nullable(),
      duration_ms: z.number().nullable(),
      status: z.enum(["completed", "failed", "running", "no_output"]),
      timestamp: z.string().nullable(),
      turn: z.number(),
      parent_call_id: z.string().nullable().describe("Code mode: the `exec` call this command or MCP call ran inside."),
    }),
  ),
};

export function registerLastFunctionCallsTool(server: McpServer, { config, sessions }: ToolContext): void {
  server.registerTool(
    "last_function_calls",
    {
      title: "Last tool calls of a Codex session",
      description:
        "The newest tool calls Codex made in a session (shell commands, apply_patch, MCP tools), oldest first, each with its arguments, the command as one line, its output (capped), exit code, duration and status (completed, failed, running, or no_output: the run was stopped while the tool ran). Use it to see what Codex ran last and why it failed.",
      inputSchema,
      outputSchema: withNote(outputSchema),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ session_id, limit, include_output, max_output_chars }) =>
      answer("last_function_calls", async () => {
        await checkSessionRef(config, session_id);
        const result = await sessionCalls(sessions, session_id, { limit, includeOutput: include_output, maxOutputChars: max_output_chars });
        return toolResult(result, renderCalls(result.id, result.total_calls, result.calls));
      }),
  );
}
