// `codex-control-mcp steer` and `approve`: what steer_run and respond_approval do, for a person at a terminal.
// A person answering here is the operator (anyone who can run this can also run Codex itself), so `approve`
// needs no --allow-caller-approvals.
import { APPROVAL_DECISIONS, type ApprovalDecision } from "../codex/app-server/index.js";
import { ExplainedError } from "../shared/errors.js";
import { renderRun } from "../text/render.js";
import { RunManager } from "../runs/run-manager.js";
import { respondApproval, steerRun } from "../runs/run-requests.js";
import { fail, UsageError, type Command } from "./command.js";
import type { RunRegistry } from "../runs/registry.js";
import { RUN_ID } from "../contract/index.js";
import { inline } from "../shared/text.js";

const options = { json: { type: "boolean" }, help: { type: "boolean", short: "h" } } as const;

/**
 * A run_id argument as this tool makes them (run_…): anything else is wrong usage, and is echoed only escaped
 * (a newline or a bidirectional mark in it would otherwise reach the terminal as text of ours).
 */
export function runIdArgument(raw: string | undefined, usage: string): string {
  if (raw === undefined || !raw.trim()) throw new UsageError(usage);
  if (!RUN_ID.test(raw))
    throw new UsageError(
      `${inline(raw.slice(0, 80))} is not a run id (run_ and 6 to 40 letters or digits; see \`codex-control-mcp runs\`).`,
    );
  return raw;
}

/**
 * An unknown run is answered as `status` and `cancel` answer it, with a command to paste: run-requests.ts
 * words it for an agent (run_status).
 */
async function refusedOr(registry: RunRegistry, runId: string, work: () => Promise<string>): Promise<number> {
  if ((await registry.get(runId)) === undefined)
    return fail(`no run "${runId}" in ${registry.stateDir}; see \`codex-control-mcp runs\`.`, 1);
  try {
    process.stdout.write(`${await work()}\n`); // stdout-ok: the CLI's own output
    return 0;
  } catch (error) {
    if (!(error instanceof ExplainedError)) throw error;
    process.stderr.write(`codex-control-mcp: ${error.message}\n`);
    return 1;
  }
}

export const steerCommand: Command = {
  usage:
    'steer <run_id> <message> [--json]\n  Sends the message into the running turn of a run started with engine "app-server"; prints the turn it reached.',
  options,
  positionals: 2,
  run(values, [given, message], config) {
    const usage = "steer needs a run_id and a message (quote the message).";
    if (message === undefined) throw new UsageError(usage);
    const runId = runIdArgument(given, usage);
    const { registry } = new RunManager(config.runner);
    return refusedOr(registry, runId, async () => {
      const { turnId } = await steerRun(registry, runId, message);
      // what steer_run answers: the run, and the turn the message went into
      const view = await registry.get(runId);
      if (values.json) return JSON.stringify({ ...view, steered_turn_id: turnId }, null, 2);
      return `Steered turn ${turnId} of run ${runId}.`;
    });
  },
};

export const approveCommand: Command = {
  usage: `approve <run_id> <approval_id> <${APPROVAL_DECISIONS.join("|")}> [--json]\n  Answers an approval a run in mode "ask" waits for (\`status <run_id>\` lists them), as the operator.`,
  options,
  positionals: 3,
  run(values, [given, approvalId, decision], config) {
    const usage = "approve needs a run_id, an approval id (a1, a2, …) and a decision.";
    if (!approvalId?.trim() || decision === undefined) throw new UsageError(usage);
    const runId = runIdArgument(given, usage);
    if (!(APPROVAL_DECISIONS as readonly string[]).includes(decision))
      throw new UsageError(`the decision must be one of ${APPROVAL_DECISIONS.join(", ")}, got "${decision}".`);
    const { registry } = new RunManager(config.runner);
    return refusedOr(registry, runId, async () => {
      const view = await respondApproval(registry, runId, approvalId, decision as ApprovalDecision, "operator");
      return values.json ? JSON.stringify(view, null, 2) : renderRun(view, "person");
    });
  },
};
