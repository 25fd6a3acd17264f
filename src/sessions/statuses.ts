// How a turn and a call stand, read off the fold: the statuses every view shows (their closed sets are in
// views/closed-sets.ts).
import type { Call, Turn } from "./session-model.js";
import type { CallStatus, TurnStatus } from "./views/closed-sets.js";

export function turnStatus(turn: Turn): TurnStatus {
  if (turn.ended) {
    if (turn.ended.outcome !== "completed") return turn.ended.outcome;
    // before 0.150 a failed model request ends its turn as a plain task_complete with no answer and no reason;
    // from 0.150 such an end carries the error, and one without it (and without an error event in the turn)
    // is a turn that completed with no answer
    if (turn.ended.lastAgentMessage == null && turn.lastAgentMessage === undefined)
      return turn.endSaysErrors && !turn.errors.some(isFailure) ? "completed" : "failed";
    return "completed";
  }
  if (!turn.hasStartEvent && turn.lastItem === "agent_message") return "completed";
  return "incomplete";
}

/** An error event that is not a retry notice Codex went on from ("Reconnecting... 1/5 (…)"). */
function isFailure(error: { message: string }): boolean {
  return !error.message.startsWith("Reconnecting...");
}

export function callStatus(call: Call): CallStatus {
  // cut off with its turn, as its output says (0.171 writes the command's end, exit -1, after the turn_aborted;
  // a -1 alone is no sign of it: a command Codex's network proxy refused ends so too); not the command's failure
  if (call.interrupted) return "interrupted";
  if (call.polls !== undefined) {
    // a poll returned what the process printed so far; the process's exit is the starting call's
    if (call.result?.status === "failed" || call.output?.isError) return "failed";
    return call.output || call.result ? "completed" : "no_output";
  }
  const exitCode = callExitCode(call);
  if (call.result?.status === "failed" || call.result?.status === "declined") return "failed";
  if (exitCode !== undefined && exitCode !== 0) return "failed";
  if (call.output?.isError) return "failed";
  // code mode: a script that failed or was stopped (its `exec` says so, or the `wait` that saw it end) did not
  // do what its `exec` call asked
  const scriptEnd = call.name === "exec" ? (call.scriptEnd ?? call.output?.scriptEnd) : undefined;
  if (scriptEnd === "failed" || scriptEnd === "terminated") return "failed";
  if (!call.output && !call.result) return "no_output";
  if (call.output?.running && exitCode === undefined && scriptEnd === undefined) return "running";
  return "completed";
}

export function callExitCode(call: Call): number | undefined {
  if (call.polls !== undefined) return undefined;
  return call.result?.exitCode ?? call.output?.exitCode ?? call.processExit?.exitCode;
}

export function callDurationMs(call: Call): number | undefined {
  return call.result?.durationMs ?? call.output?.durationMs;
}
