// Steering an app-server run and answering its approvals, from any process of the state dir: the request is
// left in the run's directory for its supervisor (which alone talks to Codex), the supervisor is nudged, and
// the answer is read back. Every refusal says what to do instead.
import { randomBytes } from "node:crypto";
import {
  APPROVAL_ID,
  ownDirectory,
  readSteerReply,
  removeFile,
  runDir,
  runsDir,
  steerReplyFile,
  steerRequestFile,
  writeApprovalAnswer,
  writeSteerRequest,
  type ApprovalAnswerer,
  type ApprovalEntry,
} from "../contract/index.js";
import { MAX_STEER_CHARS, type ApprovalDecision } from "../codex/app-server/index.js";
import { inline, quoted } from "../shared/text.js";
import { nudgeSupervisor, readRunState, type RunRegistry } from "./registry.js";
import { RunRefusedError } from "./run-policy.js";
import type { RunView } from "./run-view.js";

/** How long a steer waits for the supervisor to send it and say which turn it reached. */
export const STEER_REPLY_MS = 30_000;
const POLL_MS = 50;

/** The run, if it can take requests: running, on the app-server engine; otherwise a refusal saying what to do. */
async function runningAppServerRun(registry: RunRegistry, runId: string, what: string): Promise<RunView> {
  const view = await registry.get(runId);
  if (!view)
    throw new RunRefusedError(
      `no run ${quoted(runId, 100)} in the ledger of this state dir; call run_status without an id to see recent runs.`,
    );
  // an ended run first, whatever its engine: "wait for it to end" would send the caller waiting for nothing
  if (view.status !== "running")
    throw new RunRefusedError(
      `run ${view.run_id} has ended (${view.status}); continue its session with resume_session${view.session_id ? ` (session_id ${view.session_id})` : ""}.`,
    );
  if ((view.engine ?? "exec") !== "app-server")
    throw new RunRefusedError(
      `${what} needs engine "app-server", and run ${view.run_id} runs on \`codex exec\`, which cannot take anything mid-turn. Start runs with engine: "app-server" to ${what === "steer_run" ? "steer them" : "answer their approvals"}; for this one, wait for it to end (run_status) and continue with resume_session.`,
    );
  return view;
}

async function nudge(registry: RunRegistry, runId: string): Promise<void> {
  await nudgeSupervisor(runId, (await registry.ledger.find(runId))?.start.supervisor);
}

/** Sends a message into an app-server run's running turn; resolves with the turn it reached. */
export async function steerRun(registry: RunRegistry, runId: string, message: string): Promise<{ turnId: string }> {
  if (message.length === 0 || message.length > MAX_STEER_CHARS)
    throw new RunRefusedError(
      `a steer message must be 1 to ${MAX_STEER_CHARS} characters (got ${message.length}); shorten it, or put the detail in a file the run can read.`,
    );
  await runningAppServerRun(registry, runId, "steer_run");
  const stateDir = registry.stateDir;
  await ownDirectory(runsDir(stateDir));
  await ownDirectory(runDir(stateDir, runId));
  const steerId = randomBytes(8).toString("hex");
  await writeSteerRequest(stateDir, runId, steerId, message);
  await nudge(registry, runId);
  const deadline = Date.now() + STEER_REPLY_MS;
  try {
    while (Date.now() < deadline) {
      const reply = await readSteerReply(stateDir, runId, steerId);
      if (reply) {
        if (reply.turn_id !== null) return { turnId: reply.turn_id };
        throw new RunRefusedError(
          `Codex did not take the steer: ${inline(reply.error ?? "no reason given")}. If the turn has just ended, continue with resume_session.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new RunRefusedError(
      `run ${runId}'s supervisor did not send the steer within ${STEER_REPLY_MS / 1000} s; see run_status (the run may be ending).`,
    );
  } finally {
    await removeFile(steerRequestFile(stateDir, runId, steerId));
    await removeFile(steerReplyFile(stateDir, runId, steerId));
  }
}

/** The pending approval of a running app-server run, or a refusal saying why it cannot be answered. */
export async function pendingApproval(
  registry: RunRegistry,
  runId: string,
  approvalId: string,
): Promise<{ view: RunView; entry: ApprovalEntry }> {
  if (!APPROVAL_ID.test(approvalId))
    throw new RunRefusedError(
      `${quoted(approvalId, 80)} is not an approval id: they are a1, a2, … as run_status lists them under approvals.`,
    );
  const view = await runningAppServerRun(registry, runId, "respond_approval");
  const entry = view.approvals?.find((candidate) => candidate.approval_id === approvalId);
  if (!entry)
    throw new RunRefusedError(
      `run ${runId} has no approval ${approvalId}; run_status lists its approvals (${view.approvals?.map((a) => a.approval_id).join(", ") || "none yet"}).`,
    );
  if (entry.status === "unknown")
    throw new RunRefusedError(
      `approval ${approvalId} of run ${runId} is in a status this version does not know (a later version of codex-control-mcp wrote it): it cannot be answered here.`,
    );
  if (entry.status !== "pending")
    throw new RunRefusedError(
      `approval ${approvalId} of run ${runId} was already answered (${entry.decision} by ${entry.answered_by}).`,
    );
  return { view, entry };
}

/** Answers a pending approval; resolves with the run once its supervisor has passed the answer to Codex. */
export async function respondApproval(
  registry: RunRegistry,
  runId: string,
  approvalId: string,
  decision: ApprovalDecision,
  by: Exclude<ApprovalAnswerer, "timeout">,
): Promise<RunView> {
  const { entry } = await pendingApproval(registry, runId, approvalId);
  if (!entry.decisions.includes(decision) && decision !== "decline")
    throw new RunRefusedError(
      `Codex does not offer "${decision}" for approval ${approvalId}; it offers ${entry.decisions
        .filter((d) => d !== "unknown")
        .map((d) => `"${d}"`)
        .join(", ")} (and "decline").`,
    );
  const written = await writeApprovalAnswer(registry.stateDir, runId, approvalId, {
    decision,
    answered_by: by,
    at: new Date().toISOString(),
  });
  if (!written) throw new RunRefusedError(`approval ${approvalId} of run ${runId} was already answered.`);
  await nudge(registry, runId);
  // answered once the supervisor has read the file and passed the decision on (or the run has ended): the
  // published state alone is polled, the whole view made once
  const deadline = Date.now() + 5000;
  for (;;) {
    const state = await readRunState(registry.stateDir, runId);
    const now = state?.approvals?.find((candidate) => candidate.approval_id === approvalId);
    if (state?.status !== "running" || now?.status !== "pending" || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const view = await registry.get(runId);
  if (!view) throw new Error(`run ${runId} is missing from the ledger`);
  return view;
}
