import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { MAX_STEER_CHARS } from "../codex/app-server/index.js";
import { steerRun } from "../runs/run-requests.js";
import { approvalAnswerers } from "./approval-bridge.js";
import type { ToolContext } from "./context.js";
import { answer, toolResult, withNote } from "./result.js";
import { renderRun, runViewShape } from "./run-result.js";

const inputSchema = z.object({
  run_id: z.string().min(1).max(100).describe('The run_id of a running run started with engine "app-server".'),
  message: z
    .string()
    .min(1)
    .max(MAX_STEER_CHARS)
    .describe(
      "What to tell Codex now, as a user message into the running turn (it reads it at its next step). Passed as data, never on a command line.",
    ),
});

export function registerSteerRunTool(server: McpServer, { config, runs }: ToolContext): void {
  server.registerTool(
    "steer_run",
    {
      title: "Steer a running Codex run",
      description:
        'Sends a message into the running turn of a run started with engine "app-server" (`turn/steer`), e.g. to correct its course, narrow the task or add a fact, without stopping it; answers with the turn it reached and the run. A run on `codex exec`, or one that has ended, is refused with what to do instead (resume_session once it ends).',
      inputSchema: inputSchema.shape,
      outputSchema: withNote({
        ...runViewShape,
        steered_turn_id: z.string().describe("The turn the message went into."),
      }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    ({ run_id, message }) =>
      answer("steer_run", async () => {
        const { turnId } = await steerRun(runs.registry, run_id, message);
        const view = await runs.registry.get(run_id);
        if (!view) throw new Error(`run ${run_id} is missing from the ledger right after a steer`);
        return toolResult(
          { ...view, steered_turn_id: turnId },
          `Steered turn ${turnId} of run ${run_id}; Codex reads the message at its next step.\n${renderRun(view, "agent", approvalAnswerers(server, config))}`,
        );
      }),
  );
}
