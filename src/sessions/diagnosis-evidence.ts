// The evidence lines of a diagnosis: what the log and the run said, each quoted as data (JSON-quoted, bounded).
import type { RateLimits } from "./events.js";
import type { DiagnosisCategory } from "./diagnosis-categories.js";
import { readableError, typedErrorCategory, type ErrorFact } from "./diagnosis-errors.js";
import type { TurnWork } from "./diagnosis-work.js";
import { callExitCode, callStatus, type SessionModel, type Turn } from "./session-model.js";
import { CONTEXT_NEARLY_FULL_PERCENT, contextFill } from "./usage.js";
import type { RunFacts } from "./diagnosis.js";
import type { ResumedParent } from "./continuation.js";
import { PROXY_REFUSALS } from "./tool-output.js";

/** An unfinished call says what the process was doing when it stopped. */
export function lastCallEvidence(model: SessionModel, turn: Turn): string[] {
  const call = model.calls.findLast((candidate) => candidate.turn === turn.index);
  if (!call) return [];
  const label = jsonQuoted(call.command ?? call.name);
  const status = callStatus(call);
  if (status === "no_output")
    return [`the last call, ${label}, never returned: the process was stopped while the tool ran`];
  if (status === "running") return [`the last call, ${label}, was still running`];
  if (status === "interrupted")
    return [
      `the last call, ${label}, was cut off when its turn was interrupted or aborted (it did not fail on its own)`,
    ];
  return [];
}

export function failedEvidence(where: string, turn: Turn): string[] {
  const error = turn.errors.at(-1);
  return error
    ? [`${where} failed: ${jsonQuoted(readableError(error.message))}${error.info ? ` (${error.info})` : ""}`]
    : [`${where} failed`];
}

export function runSaid(run: RunFacts | undefined): string {
  if (!run) return "";
  const how = run.status === "running" ? "has no end recorded" : `ended ${run.status}`;
  const timedOut = (run.approvalsTimedOut ?? []).map((line) => `; ${line}`).join("");
  return `run ${run.runId} of this server ${how}${run.error ? `: ${jsonQuoted(readableError(run.error))}` : ""}${timedOut}`;
}

/** A last turn close to the window's end is worth knowing before resuming it. */
export function contextEvidence(model: SessionModel, category: DiagnosisCategory): string[] {
  if (category === "context_window_exceeded") return [];
  // the two facts of token_usage this needs, not its whole report (per-turn sums: the report's digest asks per session)
  const { usedPercent: percent, windowFull } = contextFill(model);
  if (windowFull)
    return [
      "the context window filled up in this session (Codex's window-full marker): a resume may overflow it again",
    ];
  return percent !== null && percent >= CONTEXT_NEARLY_FULL_PERCENT
    ? [`the newest request used ${percent}% of the context window: the next turn may overflow it`]
    : [];
}

/** The later of what the log and the run's own stream say it is doing (the log can lag behind the stream). */
export function newest(
  fromLog: { at: string; message: string } | null,
  fromRun: { at: string; message: string } | null,
): { at: string; message: string } | null {
  if (!fromRun) return fromLog;
  if (!fromLog) return fromRun;
  return Date.parse(fromRun.at) > Date.parse(fromLog.at) ? fromRun : fromLog;
}

/** What a live session is doing, from its log (so every reader of the log sees the same). */
export function currentActivity(model: SessionModel): { at: string; message: string } | null {
  const turn = model.turns.at(-1);
  const at = model.lastTimestamp;
  if (!turn || at === undefined) return null;
  const call = model.calls.findLast((candidate) => candidate.turn === turn.index);
  // a search OpenAI ran is written once it ended (0.171: its `web_search_call` with an end status): the turn
  // waits for the model again, though no item came after it
  const ended = call?.hosted === true && call.result !== undefined;
  if (
    call &&
    !ended &&
    (turn.lastItem === "call" || callStatus(call) === "running" || callStatus(call) === "no_output")
  ) {
    return { at: call.timestamp ?? at, message: `running: ${call.command ?? call.name}` };
  }
  if (turn.lastItem === "agent_message" && turn.lastAgentMessage !== undefined)
    return { at, message: `agent: ${turn.lastAgentMessage.slice(0, 200)}` };
  if (turn.lastItem === "reasoning") return { at, message: "thinking" };
  return { at, message: "waiting for the model" };
}

export function commandEvidence(work: TurnWork | undefined): string[] {
  if (!work) return [];
  const lines = work.failed.map((failed) =>
    work.toolCalls?.has(failed.call_id)
      ? `failed: the ${failed.command} tool call (${failed.meaning ?? "no command"})`
      : `failed: ${jsonQuoted(failed.command, 200)} ${failed.exit_code !== null ? `exited with ${failed.exit_code}` : "(no exit code)"}${failed.meaning ? ` (${failed.meaning})` : ""}`,
  );
  for (const denial of work.denials) {
    const what =
      denial.kind === "approval"
        ? "the MCP tool call needed an approval `codex exec` cannot ask for"
        : denial.kind === "escalation"
          ? work.declined?.has(denial.call_id)
            ? "a person declined its approval when Codex asked (it did not run)"
            : "the approval policy rejected running it outside the sandbox"
          : denial.kind === "start"
            ? "the sandbox could not start it (Seatbelt's sandbox_apply was refused, exit 71: Codex itself runs inside another sandbox)"
            : work.proxied?.has(denial.call_id)
              ? `Codex's network proxy refused network access${denial.target ? ` to ${denial.target}` : ""} (${PROXY_REFUSALS[work.proxied.get(denial.call_id) ?? "policy"]})`
              : `the sandbox${denial.mode ? ` (${denial.mode})` : ""} refused ${denial.kind === "network" ? "network access" : "a write"}${denial.target ? ` to ${denial.target}` : ""}`;
    lines.push(`blocked: ${jsonQuoted(denial.command, 200)}: ${what}`);
  }
  return lines;
}

export function firstPrompt(model: SessionModel): string {
  const prompt = model.turns.find((turn) => turn.prompt !== undefined)?.prompt ?? "(unknown)";
  return prompt.length > 500 ? `${prompt.slice(0, 500)}…` : prompt;
}

export function exhaustedLimit(
  limits: RateLimits | undefined,
): { evidence: string; resetsAt: string | null } | undefined {
  if (!limits) return undefined;
  for (const name of ["primary", "secondary"] as const) {
    const window = limits[name];
    if (window?.used_percent != null && window.used_percent >= 100) {
      const reset = window.resets_at ? ` until ${window.resets_at}` : "";
      return {
        evidence: `the ${name} rate-limit window${window.window_minutes ? ` (${window.window_minutes} min)` : ""} is ${window.used_percent}% used${reset}`,
        resetsAt: window.resets_at,
      };
    }
  }
  return undefined;
}

/** Log text shown in evidence: one line, bounded, in quotes, so it reads as data. */
export function jsonQuoted(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat);
}

/** Every error of the last turn: the log's, then the run's stream, its summary and stderr's last lines. */
export function errorFacts(turn: Turn | undefined, run: RunFacts | undefined): ErrorFact[] {
  const facts: ErrorFact[] = (turn?.errors ?? []).map((error) => ({
    message: error.message,
    info: error.info,
    source: "log",
    at: turn?.endedAt,
  }));
  if (!run) return facts;
  const at = run.endedAt ?? undefined;
  for (const message of run.errors) facts.push({ message, source: "stream", at });
  if (run.error && !run.errors.includes(run.error) && !/^(?:timed out|cancelled): /.test(run.error))
    facts.push({ message: run.error, source: "run", at });
  for (const line of stderrErrors(run.stderrTail)) facts.push({ message: line, source: "stderr", at });
  if (run.typedError)
    facts.push({
      message: run.typedError.message,
      info: run.typedError.kind,
      category: typedErrorCategory(run.typedError.kind, run.typedError.httpStatus),
      source: "app-server",
      at,
    });
  return facts;
}

/** stderr lines that report an error (Codex's own `ERROR`/`error:` lines), not its banner and warnings. */
function stderrErrors(tail: string): string[] {
  return tail
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /^(?:ERROR\b|error:|Error:)/.test(line) || /\bERROR\b.*codex/.test(line))
    .slice(-3);
}

/** Why the next step resumes another session than this sub-agent, or why not its parent. */
export function parentEvidence(parent: ResumedParent): string {
  if (parent.missing !== undefined)
    return parent.missing === parent.id
      ? `a sub-agent of ${parent.id}, whose log is not in CODEX_HOME (\`codex exec resume\` would fail: "no rollout found"), so the sub-agent itself is resumed; its answer stays in its own log`
      : `a sub-agent of ${parent.id}, itself a sub-agent whose ancestor ${parent.missing} has no log in CODEX_HOME, so the sub-agent itself is resumed; its answer stays in its own log`;
  if (parent.id !== parent.resumed)
    return `a sub-agent of ${parent.id}, itself a sub-agent of ${parent.resumed}: the task is ${parent.resumed}'s (resumed, a sub-agent answers into its own log, which its parent does not read), so ${parent.resumed} is resumed`;
  return `a sub-agent of ${parent.id}: the task is the parent's (resumed, a sub-agent answers into its own log, which the parent does not read), so the parent is resumed`;
}

/**
 * The run was stopped while a command of its last turn ran (in flight, or killed as the turn ended): the
 * model had answered the request that asked for it. A yielded command's output went back to the model, so
 * the turn was waiting on the model again.
 */
export function stoppedInCommand(model: SessionModel): boolean {
  const turn = model.turns.at(-1);
  if (turn?.lastItem !== "call" && turn?.lastItem !== "call_output") return false;
  const call = model.calls.findLast((candidate) => candidate.turn === turn.index);
  if (!call) return false;
  const killed = callExitCode(call) === -1 && call.output?.running !== true;
  return killed || (turn.lastItem === "call" && callStatus(call) === "no_output");
}
