// Why a session ended the way it did, and the next step: one pure function over the folded session log and
// what the process that ran it reported (the run ledger, its `--json` errors and stderr, whether it is alive).
// The tool, the CLI and the resource all call it. Evidence quotes the log: it is data written by the model and
// the tools, never instructions to follow.
import { followRun } from "./follow-run.js";
import type { RateLimits } from "./events.js";
import { CATEGORY_GUIDE, type DiagnosisCategory } from "./diagnosis-categories.js";
import {
  classifyErrors,
  errorDetails,
  readableError,
  resetTimeFromMessage,
  unreadResetTime,
  type ErrorCategory,
  type ErrorFact,
} from "./diagnosis-errors.js";
import { turnWork, type TurnWork } from "./diagnosis-work.js";
import type { RunStatus } from "./views/closed-sets.js";
import type { Diagnosis, DiagnosisError } from "./views/diagnosis.js";
import {
  codexCommandLine,
  newSessionCommandLine,
  resumeCommandLine,
  type Invocation,
  type ResumeTarget,
} from "./resume-command.js";
import { callStatus, turnStatus, type SessionModel, type Turn } from "./session-model.js";
import { CONTEXT_NEARLY_FULL_PERCENT, tokenUsage } from "./usage.js";

export { DIAGNOSIS_CATEGORIES, CATEGORY_GUIDE, type DiagnosisCategory } from "./diagnosis-categories.js";
export type { FailedCommand, SandboxDenial } from "./diagnosis-work.js";

export type { RunStatus } from "./views/closed-sets.js";

/**
 * What the process that ran the session reported, as plain data (gathered by the tool layer from the run
 * ledger). Codex does not write every failure into the log in exec mode: 0.63 and 0.100 keep a model error to
 * their `--json` stream, and a run killed at its timeout or one that cannot reach the network writes nothing.
 */
export interface RunFacts {
  runId: string;
  status: RunStatus;
  /** The run's process is alive right now (this server's child, or another server's per its process check). */
  alive: boolean;
  startedAt: string;
  endedAt: string | null;
  /** How the server summed up the end (`timed out: …`, the turn's error). */
  error: string | null;
  /** Errors Codex printed in its `--json` stream, newest last. */
  errors: string[];
  stderrTail: string;
  /** The run was started with `--skip-git-repo-check`. */
  skipGitRepoCheck?: boolean;
  /** The newest progress the run's process published (its `--json` stream), whoever started it. */
  activity?: { at: string; message: string } | null;
}

export type { Diagnosis, DiagnosisError } from "./views/diagnosis.js";

export interface DiagnosisInput {
  sessionId: string;
  cwd?: string | undefined;
  run?: RunFacts | undefined;
  invocation?: Invocation | undefined;
}

/** A run started more than this long before the last turn began belongs to an earlier turn. */
const RUN_TURN_SLACK_MS = 60_000;

export function diagnose(model: SessionModel, input: DiagnosisInput): Diagnosis {
  const turn = model.turns.at(-1);
  const run = input.run && belongsToLastTurn(input.run, turn) ? input.run : undefined;
  const sandbox = model.lastContext?.sandbox;
  const base: ResumeTarget = {
    sessionId: input.sessionId,
    cwd: input.cwd,
    sandbox,
    ...input.invocation,
    skipGitRepoCheck: input.invocation?.skipGitRepoCheck ?? input.run?.skipGitRepoCheck,
  };
  const make = new Builder(model, base, run);

  if (run?.status === "running" && run.alive) return make.running(run);
  const work = turn ? turnWork(model, turn) : undefined;
  const facts = errorFacts(turn, run);
  const classified = classifyErrors(facts);
  const status = turn ? turnStatus(turn) : undefined;
  const where = turn ? `turn ${turn.index}` : "the session";

  if (!turn || status === undefined) {
    if (run?.status === "timeout") return make.timeout(run, classified);
    if (run?.status === "cancelled") return make.simple("cancelled", [`${runSaid(run)}`]);
    if (classified) return make.error(classified.category, classified.fact, facts, [`${runSaid(run)}`]);
    return make.simple(
      "empty",
      ["the log holds no turn: Codex stopped before the first prompt was recorded", ...(run ? [runSaid(run)] : [])],
      null,
    );
  }
  const runEvidence = run ? [runSaid(run)] : [];
  switch (status) {
    case "failed": {
      if (classified)
        return make.error(
          classified.category,
          classified.fact,
          facts,
          [...failedEvidence(where, turn), ...runEvidence],
          work,
        );
      return make.simple(
        "model_error",
        [
          `${where} ended without an answer and neither the log nor a run of this server says why (0.100-era CLIs keep the model's error out of the log)`,
          ...runEvidence,
        ],
        `Run it again and read the error Codex prints (run_codex reports it); then: `,
        work,
      );
    }
    case "aborted": {
      const evidence = [
        `${where} was aborted (${turn.ended?.reason ?? "no reason given"})`,
        ...lastCallEvidence(model, turn),
        ...runEvidence,
      ];
      if (run?.status === "cancelled") return make.simple("cancelled", evidence, undefined, work);
      if (run?.status === "timeout") return make.timeout(run, classified, evidence, work);
      return make.simple("aborted", evidence, undefined, work);
    }
    case "incomplete": {
      const evidence = [`${where} has no end: the run was killed, crashed, or is still running`, ...runEvidence];
      if (turn.lastItem === undefined)
        evidence.push(
          "the model produced nothing after the prompt: the request may have failed (a model error is not always written to the log)",
        );
      evidence.push(...lastCallEvidence(model, turn));
      if (run?.status === "timeout") return make.timeout(run, classified, evidence, work);
      if (run?.status === "cancelled") return make.simple("cancelled", evidence, undefined, work);
      if (classified && (run?.status === "failed" || !run))
        return make.error(classified.category, classified.fact, facts, evidence, work);
      const limited = exhaustedLimit(model.tokens.rateLimits);
      if (limited) return make.usageLimit([...evidence, limited.evidence], limited.resetsAt, null, work);
      if (run?.status === "running")
        evidence.push(
          `run ${run.runId} has no end in the ledger, and its process is gone: the server that started it stopped`,
        );
      return make.simple(
        "interrupted",
        evidence,
        "If no Codex process is still running this session, resume it: ",
        work,
      );
    }
    case "completed":
      return make.completedTurn(where, turn, work ?? { failed: [], denials: [], gaveUp: false, lastCallFailed: false });
  }
}

function belongsToLastTurn(run: RunFacts, turn: Turn | undefined): boolean {
  if (run.status === "running") return true;
  return turn?.startedAt === undefined || Date.parse(run.startedAt) >= Date.parse(turn.startedAt) - RUN_TURN_SLACK_MS;
}

/** Every error of the last turn: the log's, then the run's stream, its summary and stderr's last lines. */
function errorFacts(turn: Turn | undefined, run: RunFacts | undefined): ErrorFact[] {
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

/** An unfinished call says what the process was doing when it stopped. */
function lastCallEvidence(model: SessionModel, turn: Turn): string[] {
  const call = model.calls.findLast((candidate) => candidate.turn === turn.index);
  if (!call) return [];
  const label = jsonQuoted(call.command ?? call.name);
  const status = callStatus(call);
  if (status === "no_output")
    return [`the last call, ${label}, never returned: the process was stopped while the tool ran`];
  if (status === "running") return [`the last call, ${label}, was still running`];
  return [];
}

function failedEvidence(where: string, turn: Turn): string[] {
  const error = turn.errors.at(-1);
  return error
    ? [`${where} failed: ${jsonQuoted(readableError(error.message))}${error.info ? ` (${error.info})` : ""}`]
    : [`${where} failed`];
}

function runSaid(run: RunFacts | undefined): string {
  if (!run) return "";
  const how = run.status === "running" ? "has no end recorded" : `ended ${run.status}`;
  return `run ${run.runId} of this server ${how}${run.error ? `: ${jsonQuoted(readableError(run.error))}` : ""}`;
}

class Builder {
  constructor(
    private readonly model: SessionModel,
    private readonly target: ResumeTarget,
    private readonly run: RunFacts | undefined,
  ) {}

  private resume(extra: Partial<ResumeTarget> = {}): string {
    return resumeCommandLine({ ...this.target, ...extra });
  }

  private result(
    category: DiagnosisCategory,
    evidence: string[],
    nextStep: string,
    nextCommand: string | null,
    extra: Partial<Diagnosis> = {},
    work?: TurnWork,
  ): Diagnosis {
    const failed = work?.failed ?? [];
    return {
      category,
      retryable: CATEGORY_GUIDE[category].retryable,
      resets_at: null,
      evidence: [
        ...evidence.filter((line) => line !== ""),
        ...commandEvidence(work),
        ...contextEvidence(this.model, category),
      ],
      next_step: nextStep,
      next_command: nextCommand,
      error: null,
      failed_commands: failed,
      sandbox_denials: work?.denials ?? [],
      activity: null,
      ...extra,
    };
  }

  /** A category whose next step is "resume" with a category-specific lead-in. */
  simple(category: DiagnosisCategory, evidence: string[], lead?: string | null, work?: TurnWork): Diagnosis {
    if (lead === null)
      return this.result(
        category,
        evidence,
        "Start a new run; if this keeps happening, run `codex exec` by hand and read its stderr.",
        null,
        {},
        work,
      );
    const command = this.resume();
    const leads: Partial<Record<DiagnosisCategory, string>> = {
      cancelled: "The run was cancelled. To continue: ",
      aborted: "Resume it: ",
    };
    return this.result(category, evidence, `${lead ?? leads[category] ?? "Resume it: "}${command}`, command, {}, work);
  }

  running(run: RunFacts): Diagnosis {
    const activity = newest(currentActivity(this.model), run.activity ?? null);
    const evidence = [`run ${run.runId} is running this session (started ${run.startedAt})`];
    if (activity) evidence.push(`now: ${jsonQuoted(activity.message)} (${activity.at})`);
    return this.result(
      "running",
      evidence,
      `Wait for it: ${followRun(run.runId, this.target.reader)}. Do not resume it while it runs.`,
      null,
      { activity },
    );
  }

  timeout(
    run: RunFacts,
    classified: ReturnType<typeof classifyErrors>,
    evidence: string[] = [runSaid(run)],
    work?: TurnWork,
  ): Diagnosis {
    // a run that spent its time retrying an unreachable or failing endpoint did not time out on the work
    if (classified && ["network_error", "server_error", "rate_limited", "auth_error"].includes(classified.category)) {
      return this.error(classified.category, classified.fact, errorFacts(undefined, run), evidence, work);
    }
    const command = this.resume();
    return this.result(
      "timeout",
      evidence,
      `The run hit its timeout. Resume it with a larger timeout_ms (or split the task): ${command}`,
      command,
      {},
      work,
    );
  }

  usageLimit(evidence: string[], resetsAt: string | null, error: DiagnosisError | null, work?: TurnWork): Diagnosis {
    const command = this.resume();
    const wait = resetsAt
      ? `Wait until ${resetsAt}, then run: ${command}`
      : `Wait for the usage limit to reset (Codex did not say when; \`codex\` /status shows it), then run: ${command}`;
    return this.result("usage_limit", evidence, wait, command, { resets_at: resetsAt, error }, work);
  }

  error(category: ErrorCategory, fact: ErrorFact, all: ErrorFact[], evidence: string[], work?: TurnWork): Diagnosis {
    const details = errorDetails(fact, all);
    const error: DiagnosisError = { message: readableError(fact.message), source: fact.source, ...details };
    const lines = [...evidence];
    if (fact.source !== "log")
      lines.push(
        `the run's ${fact.source === "stderr" ? "stderr" : "--json stream"} reported: ${jsonQuoted(error.message)}`,
      );
    if (details.http_status !== null) lines.push(`HTTP status ${details.http_status}`);
    if (details.request_id !== null) lines.push(`request id ${details.request_id}`);
    if (details.retries !== null) lines.push(`Codex retried ${details.retries} time(s) before giving up`);
    if (details.retry_after !== null) lines.push(`the server asked to wait ${details.retry_after}`);
    const command = this.resume();
    switch (category) {
      case "usage_limit": {
        const limited = exhaustedLimit(this.model.tokens.rateLimits);
        // the error's own reset time (its body, in Codex's message) is about this limit; a window's is a fallback
        const resetsAt = resetTimeFromMessage(fact.message, fact.at) ?? limited?.resetsAt ?? null;
        const unread = unreadResetTime(fact.message, fact.at);
        const unreadLine =
          unread !== undefined
            ? [
                `the message names the reset time ${jsonQuoted(unread)}, which could not be read as a date (an unknown or ambiguous format)${resetsAt ? `; resets_at comes from the rate-limit window` : "; resets_at is null"}`,
              ]
            : [];
        return this.usageLimit(
          [...lines, ...(limited ? [limited.evidence] : []), ...unreadLine],
          resetsAt,
          error,
          work,
        );
      }
      case "quota_exhausted":
        return this.result(
          category,
          lines,
          `The account is out of quota or billing: add credit or change the plan (waiting does not help), then run: ${command}`,
          command,
          { error },
          work,
        );
      case "auth_error":
        return this.result(
          category,
          lines,
          `Codex's credentials were rejected: run \`${this.codexWord()} login\` (or fix the API key the provider uses), then run: ${command}`,
          command,
          { error },
          work,
        );
      case "rate_limited":
        return this.result(
          category,
          lines,
          `Wait ${details.retry_after ?? "a minute"} and resume: ${command}`,
          command,
          { error },
          work,
        );
      case "server_error":
        return this.result(
          category,
          lines,
          `The provider failed on its side; resume (if it fails again, wait a few minutes): ${command}`,
          command,
          { error },
          work,
        );
      case "network_error":
        return this.result(
          category,
          lines,
          `Codex could not reach the model endpoint: check the network and the provider's base_url, then run: ${command}`,
          command,
          { error },
          work,
        );
      case "context_window_exceeded": {
        const fresh = newSessionCommandLine({
          ...this.target,
          prompt: `Continue the work of Codex session ${this.target.sessionId}, which ran out of context. Its first request was: ${firstPrompt(this.model)}`,
        });
        const bigger = this.resume({ model: "<model with a larger context window>" });
        return this.result(
          category,
          lines,
          `The conversation no longer fits the model's context window, so resuming it as is fails again. Start a new session that picks the work up: ${fresh} — or resume with a model that has a larger window: ${bigger}`,
          fresh,
          { error },
          work,
        );
      }
      case "model_error":
        return this.result(
          category,
          lines,
          `Fix what the error names (model, provider, request), then: ${command}`,
          command,
          { error },
          work,
        );
    }
  }

  completedTurn(where: string, turn: Turn, work: TurnWork): Diagnosis {
    const message = turn.lastAgentMessage ?? turn.ended?.lastAgentMessage ?? undefined;
    const said = message !== undefined ? [`the agent's last message: ${jsonQuoted(message)}`] : [];
    const blocked = work.denials.filter((denial) => denial.kind === "approval");
    if (blocked.length > 0) {
      const command = this.resume({
        options: ["-c", 'approval_policy="on-request"', "-c", 'approvals_reviewer="auto_review"'],
        prompt: "Approvals are decided by Codex's reviewer now; call the blocked tools again.",
      });
      return this.result(
        "approval_required",
        [
          `${where} completed, but ${blocked.length} MCP tool call(s) needed an approval \`codex exec\` cannot ask for`,
          ...said,
        ],
        `Resume with resume_session mode "auto-review" (Codex's own reviewer decides the approval), or have the operator allow that tool in Codex's config; by hand: ${command}`,
        command,
        {},
        work,
      );
    }
    if (work.denials.length > 0) return this.sandboxBlocked(where, work, said);
    if (work.failed.length > 0 && (work.lastCallFailed || work.gaveUp)) {
      const lead = work.lastCallFailed
        ? `${where} completed, but its last command failed`
        : `${where} completed, but the agent says it could not finish`;
      const command = this.resume({ prompt: "Commands failed in the last turn; fix the cause and run them again." });
      return this.result(
        "command_failures",
        [lead, ...said],
        `Check whether the failures matter (see last_function_calls); to have Codex fix them: ${command}`,
        command,
        {},
        work,
      );
    }
    if (work.gaveUp) {
      const command = this.resume({
        prompt: "You said you could not finish; find out what blocks you and finish the task.",
      });
      return this.result(
        "command_failures",
        [`${where} completed, but the agent says it could not finish`, ...said],
        `Read its last message for what blocked it; to have Codex try again: ${command}`,
        command,
        {},
        work,
      );
    }
    const command = this.resume();
    return this.result(
      "completed",
      [`${where} completed`, ...said],
      `Nothing to repair. To continue the work: ${command}`,
      command,
      {},
      work,
    );
  }

  private sandboxBlocked(where: string, work: TurnWork, said: string[]): Diagnosis {
    const mode = this.target.sandbox ?? null;
    const onlyNetwork = work.denials.every((denial) => denial.kind === "network");
    // a relative path a shell refused is relative to the command's cwd, the workspace
    const inside = (target: string | null) =>
      target === null ||
      !target.startsWith("/") ||
      (this.target.cwd !== undefined && (target === this.target.cwd || target.startsWith(`${this.target.cwd}/`)));
    const onlyWorkspaceWrites = work.denials.every((denial) => denial.kind === "write" && inside(denial.target));
    let command: string;
    let how: string;
    if (mode === "read-only" && onlyWorkspaceWrites) {
      command = this.resume({ sandbox: "workspace-write", prompt: "The sandbox was read-only; do the writes again." });
      how = 'Resume with the workspace-write sandbox (resume_session mode "sandboxed")';
    } else if (mode === "workspace-write" && onlyNetwork) {
      command = this.resume({
        options: ["-c", "sandbox_workspace_write.network_access=true"],
        prompt: "Network access is allowed now; run the blocked commands again.",
      });
      how =
        "Resume with network access in the workspace-write sandbox (`-c sandbox_workspace_write.network_access=true`; it needs the operator's consent)";
    } else {
      command = this.resume({
        sandbox: "danger-full-access",
        prompt: "The sandbox is off now; run the blocked commands again.",
      });
      how =
        'Only running without the sandbox allows this: it needs the operator\'s consent (this server: --allow-full-access, then resume_session mode "full-access"). By hand';
    }
    const evidence = [
      `${where} completed, but the sandbox${mode ? ` (${mode})` : ""} or the approval policy refused ${work.denials.length} action(s)`,
      ...said,
    ];
    return this.result("sandbox_blocked", evidence, `${how}: ${command}`, command, {}, work);
  }

  private codexWord(): string {
    return codexCommandLine(this.target);
  }
}

/** A last turn close to the window's end is worth knowing before resuming it. */
function contextEvidence(model: SessionModel, category: DiagnosisCategory): string[] {
  if (category === "context_window_exceeded") return [];
  const usage = tokenUsage(model);
  if (usage.context_window_full)
    return [
      "the context window filled up in this session (Codex's window-full marker): a resume may overflow it again",
    ];
  const percent = usage.context_used_percent;
  return percent !== null && percent >= CONTEXT_NEARLY_FULL_PERCENT
    ? [`the newest request used ${percent}% of the context window: the next turn may overflow it`]
    : [];
}

/** The later of what the log and the run's own stream say it is doing (the log can lag behind the stream). */
function newest(
  fromLog: { at: string; message: string } | null,
  fromRun: { at: string; message: string } | null,
): { at: string; message: string } | null {
  if (!fromRun) return fromLog;
  if (!fromLog) return fromRun;
  return Date.parse(fromRun.at) > Date.parse(fromLog.at) ? fromRun : fromLog;
}

/** What a live session is doing, from its log (so every reader of the log sees the same). */
function currentActivity(model: SessionModel): { at: string; message: string } | null {
  const turn = model.turns.at(-1);
  const at = model.lastTimestamp;
  if (!turn || at === undefined) return null;
  const call = model.calls.findLast((candidate) => candidate.turn === turn.index);
  if (call && (turn.lastItem === "call" || callStatus(call) === "running" || callStatus(call) === "no_output")) {
    return { at: call.timestamp ?? at, message: `running: ${call.command ?? call.name}` };
  }
  if (turn.lastItem === "agent_message" && turn.lastAgentMessage !== undefined)
    return { at, message: `agent: ${turn.lastAgentMessage.slice(0, 200)}` };
  if (turn.lastItem === "reasoning") return { at, message: "thinking" };
  return { at, message: "waiting for the model" };
}

function commandEvidence(work: TurnWork | undefined): string[] {
  if (!work) return [];
  const lines = work.failed.map(
    (failed) =>
      `failed: ${jsonQuoted(failed.command, 200)} exited with ${failed.exit_code ?? "no exit code"}${failed.meaning ? ` (${failed.meaning})` : ""}`,
  );
  for (const denial of work.denials) {
    const what =
      denial.kind === "approval"
        ? "the MCP tool call needed an approval `codex exec` cannot ask for"
        : denial.kind === "escalation"
          ? "the approval policy rejected running it outside the sandbox"
          : denial.kind === "start"
            ? "the sandbox could not start it (Seatbelt's sandbox_apply was refused, exit 71: Codex itself runs inside another sandbox)"
            : `the sandbox${denial.mode ? ` (${denial.mode})` : ""} refused ${denial.kind === "network" ? "network access" : "a write"}${denial.target ? ` to ${denial.target}` : ""}`;
    lines.push(`blocked: ${jsonQuoted(denial.command, 200)}: ${what}`);
  }
  return lines;
}

function firstPrompt(model: SessionModel): string {
  const prompt = model.turns.find((turn) => turn.prompt !== undefined)?.prompt ?? "(unknown)";
  return prompt.length > 500 ? `${prompt.slice(0, 500)}…` : prompt;
}

function exhaustedLimit(limits: RateLimits | undefined): { evidence: string; resetsAt: string | null } | undefined {
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
function jsonQuoted(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat);
}
