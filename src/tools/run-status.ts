import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { RunView } from "../codex/runs.js";
import type { ToolContext } from "./context.js";
import { answer, toolError, toolResult, withNote } from "./result.js";
import { renderRun, runViewShape, waitForRun } from "./run-view.js";

const inputSchema = {
  run_id: z.string().min(1).max(100).optional().describe("The run_id run_codex or resume_session returned."),
  session_id: z.string().min(1).max(100).optional().describe("Or a Codex session id: its newest run from this server."),
  wait_ms: z.number().int().min(0).max(60_000).default(0).describe("Wait up to this long (≤ 60 s) for a running run to end before answering."),
};

const outputSchema = {
  run: z.object(runViewShape).nullable(),
  runs: z.array(z.object(runViewShape)),
};

export function registerRunStatusTool(server: McpServer, { runs }: ToolContext): void {
  server.registerTool(
    "run_status",
    {
      title: "Status of a Codex run",
      description:
        "How a run started by run_codex or resume_session is doing or how it ended, by run_id or session_id, optionally waiting up to wait_ms for it to end; includes the last few things Codex did. Works for runs of an earlier server process too (from the run ledger). With no id: this server's recent runs.",
      inputSchema,
      outputSchema: withNote(outputSchema),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ run_id, session_id, wait_ms }, extra) =>
      answer("run_status", async () => {
        if (run_id === undefined && session_id === undefined) {
          const recent = await recentRuns();
          const text = recent.length === 0 ? "No runs yet." : recent.map((view) => renderRun(view).split("\n")[0]).join("\n");
          return toolResult({ run: null, runs: recent }, text);
        }
        const live = run_id !== undefined ? runs.get(run_id) : runs.findBySession(session_id ?? "");
        if (live) {
          const view = live.status === "running" && wait_ms > 0 ? await waitForRun(runs, live, wait_ms, extra) : await runs.view(live);
          return toolResult({ run: view, runs: [] }, renderRun(view));
        }
        const recorded = run_id !== undefined ? await runs.ledger.find(run_id) : await runs.ledger.findBySession(session_id ?? "");
        if (!recorded) {
          const what = run_id !== undefined ? `run "${run_id}"` : `run of session "${session_id}"`;
          return toolError(`no ${what} in this server's memory or its ledger (${runs.ledger.path}). Call run_status without an id to see recent runs.`);
        }
        const view = await runs.viewFromLedger(recorded);
        return toolResult({ run: view, runs: [] }, renderRun(view));
      }),
  );

  async function recentRuns(): Promise<RunView[]> {
    const live = runs.recent(20);
    const views = await Promise.all(live.map((run) => runs.view(run)));
    const seen = new Set(views.map((view) => view.run_id));
    const older = (await runs.ledger.runs()).filter((entry) => !seen.has(entry.start.run_id)).slice(-(20 - views.length)).reverse();
    return [...views, ...(await Promise.all(older.map((entry) => runs.viewFromLedger(entry))))].slice(0, 20);
  }
}
