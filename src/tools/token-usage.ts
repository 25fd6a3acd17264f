import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { ToolContext } from "./context.js";
import { checkSessionRef } from "./policy.js";
import { sessionTokenUsage } from "../sessions/index.js";
import { renderUsage } from "../render.js";
import { answer, toolResult, withNote } from "./result.js";
import { rateLimitWindow, sessionIdInput, tokenTotals } from "./schemas.js";

const inputSchema = { session_id: sessionIdInput };

const turnUsage = tokenTotals.extend({ turn: z.number() });

const outputSchema = {
  id: z.string(),
  path: z.string(),
  total: tokenTotals.nullable(),
  last_turn: turnUsage.nullable(),
  per_turn: z.array(turnUsage),
  per_turn_omitted: z.number(),
  model_context_window: z.number().nullable(),
  context_used_percent: z.number().nullable(),
  rate_limits: z.object({ primary: rateLimitWindow.nullable(), secondary: rateLimitWindow.nullable() }).nullable(),
  plan_type: z.string().nullable(),
  observed_at: z.string().nullable(),
  segments: z.number(),
  context_window_full: z.boolean().describe("A request overflowed the context window (Codex's window-full marker) and no later counter says otherwise."),
  inherited: z.object({ parent_id: z.string().nullable(), tokens: tokenTotals }).nullable(),
  note: z.string().nullable(),
  skipped_lines: z.number().nullable().describe("Lines that were not rollout lines; null when the answer came from a first scan of a log not indexed yet (its counters all read, its other lines not decoded)."),
  bad_field_lines: z.number().nullable().describe("Lines with a field of the wrong type or range; null as skipped_lines."),
};

export function registerTokenUsageTool(server: McpServer, { config, sessions }: ToolContext): void {
  server.registerTool(
    "token_usage",
    {
      title: "Token usage of a Codex session",
      description:
        "Token totals of a Codex session from its own counters (input, cached input, output, reasoning, total), per turn and for the last turn, how full the context window was, and the newest rate-limit readings (primary and secondary window: percent used, window length, reset time). Sessions from CLIs that logged no counters get nulls and a note, never estimates.",
      inputSchema,
      outputSchema: withNote(outputSchema),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ session_id }) =>
      answer("token_usage", async () => {
        await checkSessionRef(config, session_id);
        const usage = await sessionTokenUsage(sessions, session_id);
        return toolResult(usage, renderUsage(usage));
      }),
  );
}
