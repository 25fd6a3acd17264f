// What servers ask of an app-server run through its directory: steers, sent into the turn and answered with
// the turn they reached, and answers to the run's approvals, waited for until the operator's timeout, after
// which the approval is declined and recorded as such.
import {
  readApprovalAnswer,
  takeSteerRequests,
  writeSteerReply,
  type ApprovalEntry,
  type Job,
} from "../contract/index.js";
import type { AppServerSupervisedRun, ApprovalVerdict } from "./app-server-run.js";

const ANSWER_POLL_MS = 250;

/** Sends every waiting steer into the turn and writes each one's reply; one at a time, in the order they came. */
export async function serveSteers(job: Job, run: AppServerSupervisedRun): Promise<void> {
  for (const { steerId, message } of await takeSteerRequests(job.stateDir, job.runId)) {
    const reply = { turn_id: null as string | null, error: null as string | null, at: "" };
    if (message === undefined) reply.error = "the steer request did not match its schema and was not sent";
    else
      try {
        reply.turn_id = await run.steer(message);
      } catch (error) {
        reply.error = (error instanceof Error ? error.message : String(error)).slice(0, 4000);
      }
    reply.at = new Date().toISOString();
    await writeSteerReply(job.stateDir, job.runId, steerId, reply).catch(() => undefined);
  }
}

/** Waits for an answer file for the approval; declines it once the timeout passes or the run has ended. */
export async function awaitApproval(
  job: Job,
  entry: ApprovalEntry,
  ended: () => boolean,
  onTimeout: (message: string) => void,
): Promise<ApprovalVerdict> {
  const deadline = Date.now() + job.approvalTimeoutMs;
  while (!ended()) {
    const answer = await readApprovalAnswer(job.stateDir, job.runId, entry.approval_id).catch(() => undefined);
    // only a decision this request offered is sent (decline is always understood)
    if (answer) {
      const decision = entry.decisions.includes(answer.decision) ? answer.decision : "decline";
      return { decision, answered_by: answer.answered_by, status: "answered" };
    }
    if (Date.now() >= deadline) {
      onTimeout(
        `approval ${entry.approval_id} declined: nobody answered within ${Math.round(job.approvalTimeoutMs / 1000)} s (--approval-timeout-ms)`,
      );
      return { decision: "decline", answered_by: "timeout", status: "timed_out" };
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(ANSWER_POLL_MS, Math.max(1, deadline - Date.now()))));
  }
  return { decision: "decline", answered_by: "timeout", status: "timed_out" };
}
