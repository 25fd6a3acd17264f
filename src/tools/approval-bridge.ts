// Approvals asked of a person: while an app-server run this server started is going, each approval it waits
// for is put to the host's user with MCP elicitation (where the client declared it), and the answer goes to
// the run's supervisor as the user's. A host that cannot ask leaves the approval pending: respond_approval
// (if the operator allows callers), the CLI's `approve`, or the timeout decides it.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ElicitResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { APPROVAL_DECISIONS, type ApprovalDecision } from "../codex/app-server/index.js";
import { APPROVAL_TIMEOUT_MS } from "../codex/run-modes.js";
import type { ServerConfig } from "../config/config.js";
import type { ApprovalEntry, RunState } from "../contract/index.js";
import type { ApprovalAnswerers } from "../runs/approval-answer.js";
import type { RunManager } from "../runs/run-manager.js";
import { readRunState } from "../runs/registry.js";
import { respondApproval } from "../runs/run-requests.js";
import { inline, quoted } from "../shared/text.js";
import { answerRun, type Extra } from "./run-result.js";

const LOOK_EVERY_MS = 300;

/** What the person is offered for each decision Codex offers ("cancel" stops the turn: not offered to a person). */
const CHOICES: Partial<Record<ApprovalDecision, string>> = {
  approve: "Approve once",
  approve_for_session: "Approve for the rest of this session",
  decline: "Decline",
};

const answerSchema = z.object({ decision: z.enum(APPROVAL_DECISIONS) });

/** Who answers approvals on this server besides the operator's CLI: what a pending approval's text names. */
export function approvalAnswerers(
  server: McpServer,
  config: Pick<ServerConfig, "allowCallerApprovals" | "readOnly">,
): ApprovalAnswerers {
  return {
    caller: config.allowCallerApprovals && !config.readOnly,
    hostUser: server.server.getClientCapabilities()?.elicitation !== undefined && !config.readOnly,
    readOnly: config.readOnly,
  };
}

/**
 * The answer of a call that started a run which may wait for approvals (run_codex, resume_session): the host's
 * user is asked about them while the call waits, and the text names who else can answer.
 */
export function answerAskingApprovals(
  server: McpServer,
  config: Pick<ServerConfig, "allowCallerApprovals" | "readOnly" | "waitMs">,
  runs: RunManager,
  runId: string,
  how: { background: boolean; waitMs: number | undefined; began: number },
  extra: Extra,
): ReturnType<typeof answerRun> {
  askApprovalsOfRun(server, runs, runId, extra);
  const answerers = approvalAnswerers(server, config);
  return answerRun(runs, runId, { ...how, waitMs: how.waitMs ?? config.waitMs, answerers }, extra);
}

/** The runs each server is asking about, so a run_status poll does not start a second asker. */
const asking = new WeakMap<McpServer, Set<string>>();

/**
 * Starts asking the host's user about the run's approvals, if the client can be asked; returns at once. The
 * server that starts a run asks, and so does any server whose client follows it with run_status: after a host
 * restarts (a new server), nobody else would, and the run would wait for its timeout.
 */
export function askApprovalsOfRun(server: McpServer, runs: RunManager, runId: string, extra: Extra): void {
  if (server.server.getClientCapabilities()?.elicitation === undefined) return;
  const runsAsked = asking.get(server) ?? new Set<string>();
  asking.set(server, runsAsked);
  if (runsAsked.has(runId)) return;
  runsAsked.add(runId);
  void (async () => {
    const asked = new Set<string>();
    for (;;) {
      // the published state alone (no ledger or session reading): this looks often
      const state = await readRunState(runs.config.stateDir, runId).catch(() => undefined);
      if (!state || state.status !== "running") return;
      for (const entry of state.approvals ?? []) {
        if (entry.status !== "pending" || asked.has(entry.approval_id)) continue;
        asked.add(entry.approval_id);
        const decision = await askWhilePending(server, runs, state, entry, extra);
        if (decision)
          await respondApproval(runs.registry, runId, entry.approval_id, decision, "user").catch(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS));
    }
  })().finally(() => runsAsked.delete(runId));
}

/**
 * Asks the person, and withdraws the question (`notifications/cancelled`) once it is moot: answered elsewhere
 * (another server, the CLI, the caller), declined by the timeout, or the run ended. A dialog left open would
 * have the person decide about a run that is already gone.
 */
async function askWhilePending(
  server: McpServer,
  runs: RunManager,
  run: Pick<RunState, "run_id" | "cwd">,
  entry: ApprovalEntry,
  extra: Extra,
): Promise<ApprovalDecision | undefined> {
  const withdraw = new AbortController();
  let settled = false;
  void (async () => {
    while (!settled) {
      await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS));
      if (settled) return;
      const state = await readRunState(runs.config.stateDir, run.run_id).catch(() => undefined);
      const now = state?.approvals?.find((candidate) => candidate.approval_id === entry.approval_id);
      // aborting a request that has already been answered would still send a cancellation: only while pending
      if (!settled && (state?.status !== "running" || now?.status !== "pending")) {
        withdraw.abort(
          "the approval was settled without this answer (answered elsewhere, timed out, or the run ended)",
        );
        return;
      }
    }
  })();
  try {
    return await askPerson(server, runs, run, entry, extra, withdraw.signal).catch(() => undefined);
  } finally {
    settled = true;
  }
}

/** One `elicitation/create`: the decision the person chose, "decline" when they declined the form, undefined when they dismissed it. */
async function askPerson(
  server: McpServer,
  runs: RunManager,
  run: Pick<RunState, "run_id" | "cwd">,
  entry: ApprovalEntry,
  extra: Extra,
  signal: AbortSignal,
): Promise<ApprovalDecision | undefined> {
  // a decision a later version offers ("unknown" here) is not offered to the person
  const offered = [...new Set([...entry.decisions, "decline" as const])].filter(
    (decision): decision is ApprovalDecision => decision !== "unknown" && CHOICES[decision] !== undefined,
  );
  const result = await server.server.request(
    {
      method: "elicitation/create",
      params: {
        message: approvalMessage(run, entry),
        requestedSchema: {
          type: "object",
          properties: {
            decision: {
              type: "string",
              title: "Decision",
              enum: offered,
              enumNames: offered.map((decision) => CHOICES[decision] ?? decision),
            },
          },
          required: ["decision"],
        },
      },
    },
    ElicitResultSchema,
    // nobody answering is the run's timeout to decide; this request gives up with it
    { timeout: runs.config.approvalTimeoutMs ?? APPROVAL_TIMEOUT_MS, relatedRequestId: extra.requestId, signal },
  );
  if (result.action === "decline") return "decline";
  if (result.action !== "accept") return undefined;
  const answer = answerSchema.safeParse(result.content);
  return answer.success && offered.includes(answer.data.decision) ? answer.data.decision : undefined;
}

/** What the person reads: what Codex wants to do, where and why, every value from the run shown as data. */
export function approvalMessage(run: Pick<RunState, "run_id" | "cwd">, entry: ApprovalEntry): string {
  const what =
    entry.kind === "command"
      ? `run a command outside its sandbox: ${quoted(entry.summary, 1000)}`
      : entry.kind === "file_change"
        ? `change files: ${quoted(entry.summary, 1000)}`
        : entry.kind === "mcp_elicitation"
          ? `let an MCP server go on: ${quoted(entry.summary, 1000)}`
          : // a kind a later version added: said as unknown, never passed off as one this version knows
            `do something of a kind this version of codex-control-mcp does not know (a later version started the run): ${quoted(entry.summary, 1000)}`;
  return [
    `Codex (run ${inline(run.run_id)} in ${inline(run.cwd)}) asks to ${what}.`,
    entry.cwd ? `Working directory: ${inline(entry.cwd)}.` : undefined,
    entry.reason ? `Its reason: ${quoted(entry.reason, 600)}.` : undefined,
    "Nothing runs unless you approve; the text above is Codex's, not instructions to you.",
  ]
    .filter((line) => line !== undefined)
    .join("\n");
}
