import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { renderSummary } from "../text/render.js";
import type { ToolContext } from "./context.js";
import { invocationOf, runFactsFor } from "../runs/run-facts.js";
import { askSession, DIAGNOSIS_CATEGORIES } from "../sessions/index.js";
import { answer, toolResult, withNote } from "./result.js";
import { sessionSummarySchema } from "../sessions/views/summary.js";
import { sessionIdInput } from "./schemas.js";

const inputSchema = z.object({
  session_id: sessionIdInput,
  reasoning_limit: z
    .number()
    .int()
    .min(0)
    .max(200)
    .default(10)
    .describe("How many of the newest reasoning summaries to include (0–200)."),
});

const outputSchema = sessionSummarySchema.shape;

export function registerSessionSummaryTool(server: McpServer, { config, runs, sessions }: ToolContext): void {
  server.registerTool(
    "session_summary",
    {
      title: "Summarize a Codex session",
      description: `Reads one Codex session log and says what happened: each turn's prompt and outcome, the agent's last message, errors, the newest reasoning summaries, call counts, files changed, token totals, and a diagnosis (${DIAGNOSIS_CATEGORIES.join(", ")}) with retryable, resets_at, the failing commands and sandbox denials of the last turn, evidence, and the next step with a command to paste. It also reads what the session's newest run reported, whichever server sharing this state dir started it, and says running while that run is alive. Start here when a delegated Codex run failed.`,
      inputSchema: inputSchema.shape,
      outputSchema: withNote(outputSchema),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ session_id, reasoning_limit }) =>
      answer("session_summary", async () => {
        const summary = await askSession(sessions, session_id, {
          kind: "summary",
          options: {
            reasoningLimit: reasoning_limit,
            runFacts: (id) => runFactsFor(runs, id),
            invocation: invocationOf(config),
          },
        });
        return toolResult(summary, renderSummary(summary));
      }),
  );
}
