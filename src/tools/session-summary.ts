import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { renderSummary } from "../render.js";
import type { ToolContext } from "./context.js";
import { checkSessionRef } from "./policy.js";
import { invocationOf, runFactsFor } from "../run-facts.js";
import { DIAGNOSIS_CATEGORIES, sessionSummary } from "../sessions/index.js";
import { answer, toolResult, withNote } from "./result.js";
import { runStatus } from "./run-view.js";
import { diagnosis, inherited, sessionIdInput, sessionKind, tokenTotals, turnStatus } from "./schemas.js";

const inputSchema = {
  session_id: sessionIdInput,
  reasoning_limit: z.number().int().min(0).max(200).default(10).describe("How many of the newest reasoning summaries to include (0–200)."),
};

const outputSchema = {
  id: z.string(),
  path: z.string(),
  kind: sessionKind,
  parent_id: z.string().nullable(),
  agent_nickname: z.string().nullable(),
  inherited: inherited.nullable(),
  children: z.array(z.object({ id: z.string(), kind: sessionKind, status: turnStatus, first_prompt: z.string().nullable(), path: z.string() })),
  cwd: z.string().nullable(),
  model: z.string().nullable(),
  cli_version: z.string().nullable(),
  started_at: z.string().nullable(),
  last_event_at: z.string().nullable(),
  status: turnStatus,
  turns: z.array(
    z.object({
      index: z.number(),
      prompt: z.string().nullable(),
      status: turnStatus,
      last_agent_message: z.string().nullable(),
      error: z.string().nullable(),
      started_at: z.string().nullable(),
      ended_at: z.string().nullable(),
      steering_messages: z.number(),
      compactions: z.number(),
    }),
  ),
  turns_omitted: z.number(),
  last_agent_message: z.string().nullable(),
  errors: z.array(z.object({ turn: z.number(), message: z.string(), info: z.string().nullable() })),
  reasoning: z.array(z.object({ turn: z.number(), text: z.string() })),
  counts: z.object({ turns: z.number(), function_calls: z.number(), failed_calls: z.number(), messages: z.number() }),
  files_changed: z.array(z.string()),
  tokens: tokenTotals.nullable(),
  skipped_lines: z.number(),
  bad_field_lines: z.number(),
  run: z.object({ run_id: z.string(), status: runStatus, error: z.string().nullable() }).nullable(),
  diagnosis,
};

export function registerSessionSummaryTool(server: McpServer, { config, runs, sessions }: ToolContext): void {
  server.registerTool(
    "session_summary",
    {
      title: "Summarize a Codex session",
      description:
        `Reads one Codex session log and says what happened: each turn's prompt and outcome, the agent's last message, errors, the newest reasoning summaries, call counts, files changed, token totals, and a diagnosis (${DIAGNOSIS_CATEGORIES.join(", ")}) with retryable, resets_at, the failing commands and sandbox denials of the last turn, evidence, and the next step with a command to paste. It also reads what the session's newest run reported, whichever server sharing this state dir started it, and says running while that run is alive. Start here when a delegated Codex run failed.`,
      inputSchema,
      outputSchema: withNote(outputSchema),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ session_id, reasoning_limit }) =>
      answer("session_summary", async () => {
        await checkSessionRef(config, session_id);
        const summary = await sessionSummary(sessions, session_id, { reasoningLimit: reasoning_limit, runFacts: (id) => runFactsFor(runs, id), invocation: invocationOf(config) });
        return toolResult(summary, renderSummary(summary));
      }),
  );
}

