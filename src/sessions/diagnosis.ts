// A first triage of why a session ended the way it did, and the next step. Evidence quotes the log: it is
// data written by the model and the tools, never instructions to follow.
import type { RateLimits } from "./events.js";
import { resumeCommandLine } from "./resume-command.js";
import { callExitCode, callStatus, turnStatus, type SessionModel, type Turn } from "./session-model.js";

export type DiagnosisCategory =
  | "completed"
  | "command_failures"
  | "model_error"
  | "usage_limit"
  | "rate_limited"
  | "context_window_exceeded"
  | "aborted"
  | "interrupted"
  | "timeout"
  | "cancelled"
  | "running"
  | "empty";

export interface Diagnosis {
  category: DiagnosisCategory;
  evidence: string[];
  next_step: string;
}

/**
 * What the process that ran the session reported, from the server's run ledger. Codex does not write every
 * failure into the log in exec mode (a model error in 0.63 or 0.100, a run killed on timeout).
 */
export interface RunEvidence {
  runId: string;
  status: "running" | "completed" | "failed" | "timeout" | "cancelled";
  error: string | null;
  startedAt: string;
}

/** A run started more than this long before the last turn began belongs to an earlier turn. */
const RUN_TURN_SLACK_MS = 60_000;

export function diagnose(model: SessionModel, sessionId: string, cwd: string | undefined, run?: RunEvidence): Diagnosis {
  const fromLog = diagnoseLog(model, sessionId, cwd);
  const lastTurn = model.turns.at(-1);
  // a run still followed by its supervisor: an unfinished last turn is work in progress, not a failure
  if (run?.status === "running" && (lastTurn === undefined || turnStatus(lastTurn) === "incomplete")) {
    return {
      category: "running",
      evidence: [`run ${run.runId} is still running this session (started ${run.startedAt})`],
      next_step: `Wait for it: run_status with run_id "${run.runId}" and wait_ms; or stop it with cancel_run.`,
    };
  }
  const relevant =
    run !== undefined &&
    run.status !== "running" &&
    (lastTurn?.startedAt === undefined || Date.parse(run.startedAt) >= Date.parse(lastTurn.startedAt) - RUN_TURN_SLACK_MS);
  if (!relevant || run.status === "completed") return fromLog;

  const resume = resumeCommandLine({ sessionId, cwd, sandbox: lastSandbox(model) });
  const evidence = [...fromLog.evidence, `run ${run.runId} of this server ended ${run.status}${run.error ? `: ${quote(readableError(run.error))}` : ""}`];
  if (run.status === "timeout") {
    return { category: "timeout", evidence, next_step: `The run hit its timeout. Resume it with a larger timeout_ms (or split the task): ${resume}` };
  }
  if (run.status === "cancelled") {
    return { category: "cancelled", evidence, next_step: `The run was cancelled. To continue: ${resume}` };
  }
  // failed: the log may not know why; the process's own error classifies it
  if (run.error && ["interrupted", "empty", "model_error"].includes(fromLog.category)) {
    const classified = classifyError(model, run.error, undefined, resume);
    return { ...classified, evidence: [...evidence, ...classified.evidence] };
  }
  return { ...fromLog, evidence };
}

function lastSandbox(model: SessionModel): string | undefined {
  return model.lastContext?.sandbox;
}

function diagnoseLog(model: SessionModel, sessionId: string, cwd: string | undefined): Diagnosis {
  const turn = model.turns.at(-1);
  const sandbox = lastSandbox(model);
  const resume = resumeCommandLine({ sessionId, cwd, sandbox });
  if (!turn) {
    return {
      category: "empty",
      evidence: ["the log holds no turn: Codex stopped before the first prompt was recorded"],
      next_step: "Start a new run; if this keeps happening, run `codex exec` by hand and read its stderr.",
    };
  }
  const status = turnStatus(turn);
  const where = `turn ${turn.index}`;
  switch (status) {
    case "failed":
      return failure(model, turn, resume);
    case "aborted":
      return {
        category: "aborted",
        evidence: [`${where} was aborted (${turn.ended?.reason ?? "no reason given"})`, ...lastCallEvidence(model, turn)],
        next_step: `Resume it: ${resume}`,
      };
    case "incomplete": {
      const limited = exhaustedLimit(latestRateLimits(model));
      if (limited) {
        return { category: "usage_limit", evidence: [limited.evidence], next_step: limited.nextStep };
      }
      const evidence = [`${where} has no end: the run was killed, crashed, or is still running`];
      if (turn.lastItem === undefined) evidence.push("the model produced nothing after the prompt: the request may have failed (a model error is not always written to the log)");
      evidence.push(...lastCallEvidence(model, turn));
      return { category: "interrupted", evidence, next_step: `If no Codex process is still running this session, resume it: ${resume}` };
    }
    case "completed": {
      const lastCall = model.calls.findLast((call) => call.turn === turn.index);
      if (lastCall && callStatus(lastCall) === "failed") {
        return {
          category: "command_failures",
          evidence: [
            `${where} completed, but its last command failed: ${quote(lastCall.command ?? lastCall.name)} exited with code ${callExitCode(lastCall) ?? "unknown"}`,
            ...(turn.lastAgentMessage !== undefined ? [`the agent's last message: ${quote(turn.lastAgentMessage)}`] : []),
          ],
          next_step: `Check whether the failure matters (see last_function_calls); to have Codex fix it: ${resumeCommandLine({ sessionId, cwd, sandbox, prompt: "The last command failed; fix the cause and run it again." })}`,
        };
      }
      return {
        category: "completed",
        evidence: [`${where} completed`, ...(turn.lastAgentMessage !== undefined ? [`the agent's last message: ${quote(turn.lastAgentMessage)}`] : [])],
        next_step: `Nothing to repair. To continue the work: ${resume}`,
      };
    }
  }
}

function failure(model: SessionModel, turn: Turn, resume: string): Diagnosis {
  const error = turn.errors.at(-1);
  const where = `turn ${turn.index}`;
  if (!error) {
    return {
      category: "model_error",
      evidence: [`${where} ended without an answer and Codex logged no reason (0.100-era CLIs do not write the model's error into the log)`],
      next_step: `Run it again and read the error Codex prints (run_codex reports it); then: ${resume}`,
    };
  }
  const classified = classifyError(model, error.message, error.info, resume);
  return { ...classified, evidence: [`${where} failed: ${quote(readableError(error.message))}${error.info ? ` (${error.info})` : ""}`, ...classified.evidence] };
}

/** The category an error message (and Codex's `codex_error_info`) points at, with its next step. */
function classifyError(model: SessionModel, rawMessage: string, info: string | undefined, resume: string): Diagnosis {
  const text = `${info ?? ""} ${readableError(rawMessage)}`;
  if (/usage_limit|usage limit|insufficient_quota|quota/i.test(text)) {
    const limited = exhaustedLimit(latestRateLimits(model));
    return {
      category: "usage_limit",
      evidence: limited ? [limited.evidence] : [],
      next_step: limited?.nextStep ?? `Wait for the usage limit to reset (or raise it), then: ${resume}`,
    };
  }
  if (/rate_limit|rate limit|too many requests|\b429\b|server_overloaded|overloaded/i.test(text)) {
    return { category: "rate_limited", evidence: [], next_step: `Wait a minute and resume: ${resume}` };
  }
  if (/context_window|context window|context_length|maximum context length|too many tokens/i.test(text)) {
    return {
      category: "context_window_exceeded",
      evidence: [],
      next_step: `The conversation no longer fits the model's context: start a new session with a summary of the work so far, or resume with a model that has a larger window: ${resume}`,
    };
  }
  return { category: "model_error", evidence: [], next_step: `Fix what the error names (model, provider, request), then: ${resume}` };
}

function lastCallEvidence(model: SessionModel, turn: Turn): string[] {
  const call = model.calls.findLast((c) => c.turn === turn.index);
  if (!call) return [];
  const label = quote(call.command ?? call.name);
  const status = callStatus(call);
  if (status === "no_output") return [`the last call, ${label}, never returned: the process was stopped while the tool ran`];
  if (status === "running") return [`the last call, ${label}, was still running`];
  const exitCode = callExitCode(call);
  return [`the last call was ${label} (${status}${exitCode !== undefined ? `, exit code ${exitCode}` : ""})`];
}

function latestRateLimits(model: SessionModel): RateLimits | undefined {
  return model.tokens.rateLimits;
}

function exhaustedLimit(limits: RateLimits | undefined): { evidence: string; nextStep: string } | undefined {
  if (!limits) return undefined;
  for (const name of ["primary", "secondary"] as const) {
    const window = limits[name];
    if (window?.used_percent != null && window.used_percent >= 100) {
      const reset = window.resets_at ? ` until ${window.resets_at}` : "";
      return {
        evidence: `the ${name} rate-limit window${window.window_minutes ? ` (${window.window_minutes} min)` : ""} is ${window.used_percent}% used${reset}`,
        nextStep: window.resets_at ? `Wait until ${window.resets_at}, then resume.` : "Wait for the usage window to reset, then resume.",
      };
    }
  }
  return undefined;
}

/** Model errors arrive as the provider's JSON body; its `error.message` is what a person wants to read. */
function readableError(message: string): string {
  try {
    const body = JSON.parse(message) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") return body.error.message;
  } catch {
    // not JSON
  }
  return message;
}

/** Log text shown in evidence: one line, bounded, in quotes, so it reads as data. */
export function quote(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat);
}
