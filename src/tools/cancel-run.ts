import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { ToolContext } from "./context.js";
import { answer, toolError, toolResult, withNote } from "./result.js";
import { noRunAnswer, renderRun, runViewShape } from "./run-result.js";
import { RUN_ID } from "../contract/index.js";

const inputSchema = z.object({
  run_id: z.string().min(1).max(100).describe("The run_id run_codex or resume_session returned."),
});

export function registerCancelRunTool(server: McpServer, { runs }: ToolContext): void {
  server.registerTool(
    "cancel_run",
    {
      title: "Cancel a Codex run",
      description:
        "Stops a running Codex run, whichever server started it, and everything it started (SIGINT so Codex records the interruption, then SIGTERM, then SIGKILL, to the whole process group). The session id is kept, so the session can be resumed later.",
      inputSchema: inputSchema.shape,
      outputSchema: withNote(runViewShape),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ run_id }) =>
      answer("cancel_run", async () => {
        const before = RUN_ID.test(run_id) ? await runs.registry.get(run_id) : undefined;
        if (!before) return toolError(noRunAnswer(run_id, runs.registry.ledger.path));
        if (before.status !== "running")
          return toolResult(
            before,
            `Nothing to cancel: run ${run_id} already ended (${before.status}).\n${renderRun(before)}`,
          );
        const view = (await runs.registry.cancel(run_id, "cancel_run was called")) ?? before;
        return toolResult(view, renderRun(view));
      }),
  );
}
