// How a pending approval can be answered, as the server that shows it knows: respond_approval only where the
// operator allowed callers (--allow-caller-approvals), the host's dialog only where the client can be asked
// (MCP elicitation) and the server is not read-only; the CLI's `approve` always (the operator). Naming a tool
// this server refuses would send the agent into an error and the approval into its timeout.
import type { ApprovalEntry } from "../contract/index.js";

/** Who, besides the operator at a terminal, answers approvals on this server. */
export interface ApprovalAnswerers {
  /** respond_approval is enabled (--allow-caller-approvals, not --read-only). */
  caller: boolean;
  /** The host's user is asked in a dialog (the client declared elicitation; not --read-only). */
  hostUser: boolean;
  /**
   * This server is --read-only: it asks nobody and answers nothing, whatever its client declared; the server
   * that started the run may still ask its own host's user.
   */
  readOnly?: boolean;
}

/** The part of a pending approval's line that says how to answer it. */
export function howToAnswer(
  runId: string,
  entry: Pick<ApprovalEntry, "approval_id" | "decisions">,
  answerers: ApprovalAnswerers | "person",
): string {
  // a decision a later version offers is read as "unknown": nothing to answer with here
  const decisions = entry.decisions.filter((decision) => decision !== "unknown");
  const cli = `\`codex-control-mcp approve ${runId} ${entry.approval_id} <${decisions.join("|")}>\``;
  if (answerers === "person") return `answer with ${cli}`;
  if (answerers.caller)
    return `answer with respond_approval (${decisions.join(" | ")})${answerers.hostUser ? "; the host's user is asked too" : ""}`;
  const timeout = "or it is declined when nobody answers in time";
  if (answerers.readOnly === true)
    return `a person answers with ${cli} in a terminal, or in the dialog of the host whose server started the run where it can ask (this server is read-only: it asks nobody, and respond_approval is disabled), ${timeout}`;
  return answerers.hostUser
    ? `the host's user is asked in a dialog; a person can also answer with ${cli} in a terminal (respond_approval is disabled on this server), ${timeout}`
    : `a person answers with ${cli} in a terminal (this client cannot ask its user, and respond_approval is disabled on this server), ${timeout}`;
}
