import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { ToolContext } from "./context.js";
import { answer, toolError, toolResult, withNote } from "./result.js";
import { runViewSchema } from "../codex/run-view.js";
import { renderRun, waitForRun } from "./run-view.js";

const RECENT = 20;

const inputSchema = z.object({
  run_id: z.string().min(1).max(100).optional().describe("The run_id run_codex or resume_session returned."),
  session_id: z.string().min(1).max(100).optional().describe("Or a Codex session id: its newest run."),
  wait_ms: z.number().int().min(0).max(60_000).default(0).describe("Wait up to this long (≤ 60 s) for a running run to end before answering."),
});

// with an id: the run itself, the same object run_codex and cancel_run answer; without: `runs`
const outputSchema = {
  ...runViewSchema.partial().shape,
  runs: z.array(runViewSchema).optional().describe("Without run_id or session_id: the recent runs, newest first."),
};

export function registerRunStatusTool(server: McpServer, { runs }: ToolContext): void {
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
          const text = recent.length === 0 ? "No runs yet." : recent.map((view) => renderRun(view).split("\n")[0]).join("\n");
          return toolResult({ runs: recent }, text);
        }
        let view = run_id !== undefined ? await runs.registry.get(run_id) : await runs.registry.findBySession(session_id ?? "");
        if (!view) {
          const what = run_id !== undefined ? `run "${run_id}"` : `run of session "${session_id}"`;
          return toolError(`no ${what} in the ledger of this state dir (${runs.registry.ledger.path}). Call run_status without an id to see recent runs.`);
        }
        if (view.status === "running" && wait_ms > 0) view = (await waitForRun(runs, view.run_id, wait_ms, extra)) ?? view;
        return toolResult(view, renderRun(view));
      }),
  );
}
