import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { RunManager, RunView } from "../runs/run-manager.js";
import { resolveSession, SessionLookupError, type SessionStore } from "../sessions/index.js";
import { approvalAnswerers, askApprovalsOfRun } from "./approval-bridge.js";
import type { ToolContext } from "./context.js";
import { sessionIdInput } from "./schemas.js";
import { answer, toolError, toolResult, withNote } from "./result.js";
import { runViewSchema, unreadableRunSchema } from "../runs/run-view.js";
import { MAX_WAIT_MS, noRunAnswer, renderRun, renderRunAndReview, waitForRun } from "./run-result.js";
import { RUN_ID } from "../contract/index.js";

const RECENT = 20;

const inputSchema = z.object({
  run_id: z.string().min(1).max(100).optional().describe("The run_id run_codex or resume_session returned."),
  session_id: sessionIdInput
    .optional()
    .describe(
      "Or a Codex session, named as in every other tool (its full UUID, a unique prefix of 8+ characters, `last`, or an absolute rollout path inside CODEX_HOME): its newest run.",
    ),
  wait_ms: z
    .number()
    .int()
    .min(0)
    .max(MAX_WAIT_MS)
    .default(0)
    .describe(
      `Wait up to this long (≤ ${MAX_WAIT_MS} ms) for a running run to end before answering; keep it under the host's tool timeout (60 s for many).`,
    ),
});

// with an id: the run itself, the same object run_codex and cancel_run answer; without: `runs`
const outputSchema = {
  ...runViewSchema.partial().shape,
  runs: z.array(runViewSchema).optional().describe("Without run_id or session_id: the recent runs, newest first."),
  unreadable: z
    .array(unreadableRunSchema)
    .optional()
    .describe("Without run_id or session_id: recent runs that could not be looked at (only when there are some)."),
};

export function registerRunStatusTool(server: McpServer, { config, runs, sessions }: ToolContext): void {
  server.registerTool(
    "run_status",
    {
      title: "Status of a Codex run",
      description:
        "How a run started by run_codex or resume_session is doing or how it ended, by run_id or session_id, optionally waiting up to wait_ms for it to end; includes the last few things Codex did. Answers the same run object as run_codex, for runs of any server sharing this state dir, running or ended. With no id: `runs`, the recent runs of every server, newest first.",
      inputSchema: inputSchema.shape,
      outputSchema: withNote(outputSchema),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ run_id, session_id, wait_ms }, extra) =>
      answer("run_status", async () => {
        if (run_id === undefined && session_id === undefined) {
          const recent = await runs.registry.recent(RECENT);
          const lines = [
            ...recent.runs.map((view) => renderRun(view).split("\n")[0]),
            ...recent.unreadable.map(({ run_id, error }) => `${run_id}: could not be looked at: ${error}`),
          ];
          const text = lines.length === 0 ? "No runs yet." : lines.join("\n");
          return toolResult(recent.unreadable.length > 0 ? recent : { runs: recent.runs }, text);
        }
        if (run_id !== undefined && !RUN_ID.test(run_id))
          return toolError(noRunAnswer(run_id, runs.registry.ledger.path));
        let view =
          run_id !== undefined ? await runs.registry.get(run_id) : await runOfSession(runs, sessions, session_id ?? "");
        if (!view) {
          const what = run_id !== undefined ? `run "${run_id}"` : `run of session "${session_id}"`;
          return toolError(
            `no ${what} in the ledger of this state dir (${runs.registry.ledger.path}). Call run_status without an id to see recent runs.`,
          );
        }
        // a mode "ask" run's approvals are put to this host's user too (its first server may be gone)
        if (view.status === "running" && view.mode === "ask" && !config.readOnly)
          askApprovalsOfRun(server, runs, view.run_id, extra);
        if (view.status === "running" && wait_ms > 0)
          view = (await waitForRun(runs, view.run_id, wait_ms, extra)) ?? view;
        return toolResult(
          view,
          renderRunAndReview(view, config.readOnly ? "read-only agent" : "agent", approvalAnswerers(server, config)),
        );
      }),
  );
}

/**
 * The newest run of a session named as every tool names one (resolved through the session reader). A run
 * whose session has no rollout yet is still found by its exact id; otherwise the reader's own error (no
 * match, ambiguous prefix) is the answer.
 */
async function runOfSession(runs: RunManager, sessions: SessionStore, ref: string): Promise<RunView | undefined> {
  try {
    const file = await resolveSession(sessions, ref);
    return await runs.registry.findBySession(file.id);
  } catch (error) {
    const exact = error instanceof SessionLookupError ? await runs.registry.findBySession(ref.trim()) : undefined;
    if (exact) return exact;
    throw error;
  }
}
