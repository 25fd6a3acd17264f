import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { APPROVAL_DECISIONS } from "../codex/app-server/index.js";
import { APPROVAL_ID, RUN_ID } from "../contract/index.js";
import { respondApproval } from "../runs/run-requests.js";
import { approvalAnswerers } from "./approval-bridge.js";
import type { ToolContext } from "./context.js";
import { answer, toolError, toolResult, withNote } from "./result.js";
import { renderRun, runViewShape } from "./run-result.js";

const inputSchema = z.object({
  run_id: z.string().min(1).max(100).describe("The run whose approval this answers."),
  approval_id: z.string().min(1).max(20).describe("The approval, as the run's pending_approvals name it (a1, a2, …)."),
  decision: z
    .enum(APPROVAL_DECISIONS)
    .describe(
      '"approve": this once; "approve_for_session": this and the same again in the session, where Codex offers it; "decline": Codex goes on without it; "cancel": stop the turn.',
    ),
});

export function registerRespondApprovalTool(server: McpServer, { config, runs }: ToolContext): void {
  server.registerTool(
    "respond_approval",
    {
      title: "Answer a run's approval",
      description:
        'Answers an approval a run in mode "ask" is waiting for (run_status lists them as pending_approvals). Only where the operator started the server with --allow-caller-approvals: by default a person answers (the host\'s own dialog through MCP elicitation, or `codex-control-mcp approve` in a terminal), because the agent that delegated the work should not approve its own escalations.',
      inputSchema: inputSchema.shape,
      outputSchema: withNote(runViewShape),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    ({ run_id, approval_id, decision }) =>
      answer("respond_approval", async () => {
        if (!config.allowCallerApprovals) {
          // the ids are the caller's text, and the command is for a person to paste: only ids that are ids go in it
          const run = RUN_ID.test(run_id) ? run_id : "<run_id>";
          const approval = APPROVAL_ID.test(approval_id) ? approval_id : "<approval_id>";
          return toolError(
            `respond_approval is disabled on this server: a run's approvals are answered by a person (the host's dialog, where the host supports MCP elicitation, or \`codex-control-mcp approve ${run} ${approval} <decision>\` in a terminal), or declined when nobody answers in time. The operator can let calling agents answer by starting the server with --allow-caller-approvals.`,
          );
        }
        const view = await respondApproval(runs.registry, run_id, approval_id, decision, "caller");
        return toolResult(
          view,
          `Answered approval ${approval_id} of run ${run_id}: ${decision}.\n${renderRun(view, "agent", approvalAnswerers(server, config))}`,
        );
      }),
  );
}
