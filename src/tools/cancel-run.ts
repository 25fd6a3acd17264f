import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { ToolContext } from "./context.js";
import { answer, toolError, toolResult, withNote } from "./result.js";
import { renderRun, runViewShape } from "./run-view.js";

const inputSchema = {
  run_id: z.string().min(1).max(100).describe("The run_id run_codex or resume_session returned."),
};

export function registerCancelRunTool(server: McpServer, { runs }: ToolContext): void {
  server.registerTool(
    "cancel_run",
    {
      title: "Cancel a Codex run",
      description:
        "Stops a running Codex run and everything it started (SIGINT so Codex records the interruption, then SIGTERM, then SIGKILL, to the whole process group). The session id is kept, so the session can be resumed later.",
      inputSchema,
      outputSchema: withNote(runViewShape),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ run_id }) =>
      answer("cancel_run", async () => {
        const run = runs.get(run_id);
        if (!run) {
          const recorded = await runs.ledger.find(run_id);
          if (recorded) {
            return toolError(`run ${run_id} was started by an earlier server process and ${recorded.end ? `ended with status ${recorded.end.status}` : "is no longer followed"}; there is nothing to cancel.`);
          }
          return toolError(`no run "${run_id}". Call run_status without an id to see recent runs.`);
        }
        if (run.status === "running") await runs.cancel(run_id, "cancel_run was called");
        await runs.settled(run);
        const view = await runs.view(run);
        return toolResult(view, renderRun(view));
      }),
  );
}
