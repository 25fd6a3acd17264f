// A diagnosis's category, evidence and next step, put together: the next step names the command to run, built
// from the session's own directory, sandbox and invocation (resume-command.ts prints only UUIDs).
import { followRun } from "./follow-run.js";
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
import type { TurnWork } from "./diagnosis-work.js";
import type { Diagnosis, DiagnosisError } from "./views/diagnosis.js";
import { codexCommandLine, newSessionCommandLine, type ResumeTarget } from "./resume-command.js";
import { Continuation } from "./continuation.js";
import { sandboxStep } from "./sandbox-step.js";
import { mcpTimeoutStep } from "./mcp-timeout-step.js";
import { authStep, providerOf } from "./diagnosis-auth.js";
import { modelErrorStep, plainResumeModel, serverErrorStep } from "./diagnosis-model.js";
import { reviewStep } from "./diagnosis-review.js";
import { configRefusals, knownConfig, sandboxRefusal } from "./diagnosis-config-refusals.js";
import { forbidden } from "./codex-config-requirements.js";
import type { SessionModel, Turn } from "./session-model.js";
import type { RunFacts } from "./diagnosis.js";
import type { CodexConfigFacts } from "./codex-config.js";
import type { TaskOwner } from "./family.js";
import {
  commandEvidence,
  contextEvidence,
  errorFacts,
  currentActivity,
  exhaustedLimit,
  firstPrompt,
  jsonQuoted,
  newest,
  parentEvidence,
  runSaid,
  stoppedInCommand,
} from "./diagnosis-evidence.js";

export class Builder {
  constructor(
    private readonly model: SessionModel,
    private readonly target: ResumeTarget,
    private readonly run: RunFacts | undefined,
    /** false: nobody reads the next step (diagnosis.ts commandLines), so no command line is made for it. */
    private readonly commandLines = true,
    /** The user's config.toml now (codex-config.ts): a resume runs with it; undefined: unknown. */
    config?: CodexConfigFacts,
    taskOwner?: TaskOwner,
  ) {
    this.continuation = new Continuation(model, target, commandLines, taskOwner);
    // the raw facts are not kept: a step sees only `known`, so none can be built on a config Codex refuses
    this.refusals = configRefusals(config);
    this.known = knownConfig(config);
  }

  private readonly continuation: Continuation;
  /** What every printed command must say first: a config 0.171 refuses to start with. */
  private readonly refusals: ReturnType<typeof configRefusals>;
  /** The config's facts a step is built on; undefined (unknown) where Codex refuses to start with the config. */
  private readonly known: CodexConfigFacts | undefined;
  /** The sandbox the last resume() asked for. */
  private asked: string | undefined;
  private resume(extra: Partial<ResumeTarget> = {}): string {
    this.asked = extra.sandbox ?? this.target.sandbox;
    return this.continuation.resume(extra);
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
    // only where the next step resumes (the parent), not where it logs in, starts anew or has nothing to run
    const parent = this.continuation.takeResumedParent();
    const leftOut = this.continuation.takeLeftOutNotes();
    // a config 0.171 refuses to start with: every printed command fails until it is fixed
    const refusals = nextCommand !== null ? this.refusals : { evidence: [], steps: [] };
    // a sandbox requirements.toml forbids (a sandbox step says so itself): read-only, or refused
    const narrowed = sandboxRefusal(
      nextCommand !== null && category !== "sandbox_blocked" ? this.known : undefined,
      this.asked ?? this.target.sandbox,
    );
    return {
      category,
      retryable: CATEGORY_GUIDE[category].retryable,
      resets_at: null,
      evidence: [
        ...evidence.filter((line) => line !== ""),
        ...commandEvidence(work),
        ...contextEvidence(this.model, category),
        ...(parent ? [parentEvidence(parent)] : []),
        ...refusals.evidence,
        ...narrowed.evidence,
      ],
      next_step: [nextStep, ...refusals.steps, ...narrowed.steps, ...(nextCommand !== null ? leftOut : [])].join(" "),
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

  /**
   * A sub-agent whose log kept only token counts (sanitized) and whose task's owner has no log here: nothing
   * can be resumed. 0.171 refuses the sub-agent's own log ("rollout at … is empty": no session meta it can
   * read) and the parent's absent one ("no rollout found for thread id").
   */
  orphaned(evidence: string[], missing: string): Diagnosis {
    return this.result(
      "interrupted",
      [
        ...evidence,
        `its task is its parent's, and the log of ${missing} is not in CODEX_HOME; a log that kept only token counts cannot be resumed itself`,
      ],
      `Nothing here can be resumed: put the log of ${missing} (the session that owns this sub-agent's task) back into CODEX_HOME and ask for this summary again, or start the task anew.`,
      null,
    );
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
    const endpoint =
      classified && ["network_error", "server_error", "rate_limited", "auth_error"].includes(classified.category)
        ? classified
        : undefined;
    // a run that spent its time retrying an unreachable or failing endpoint did not time out on the work; a run
    // stopped in a command did (its model had answered, so whatever Codex retried before got through)
    if (endpoint && !stoppedInCommand(this.model))
      return this.error(endpoint.category, endpoint.fact, errorFacts(undefined, run), evidence, work, true);
    const command = this.resume();
    const source = endpoint?.fact.source;
    const said = source === "log" ? "the log" : source === "stderr" ? "the run's stderr" : "the run's --json stream";
    const recovered = endpoint
      ? `${said} reported: ${jsonQuoted(readableError(endpoint.fact.message))}; the model answered after it (the command it asked for was running when the run hit its timeout)`
      : "";
    return this.result(
      "timeout",
      [...evidence, recovered],
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

  /** `timedOut`: the run was stopped at its timeout while Codex still retried (it did not give up). */
  error(
    category: ErrorCategory,
    fact: ErrorFact,
    all: ErrorFact[],
    evidence: string[],
    work?: TurnWork,
    timedOut = false,
  ): Diagnosis {
    const details = errorDetails(fact, all);
    const error: DiagnosisError = { message: readableError(fact.message), source: fact.source, ...details };
    const lines = [...evidence];
    if (fact.source !== "log")
      lines.push(
        `the run's ${fact.source === "stderr" ? "stderr" : "--json stream"} reported: ${jsonQuoted(error.message)}`,
      );
    if (details.http_status !== null) lines.push(`HTTP status ${details.http_status}`);
    if (details.request_id !== null) lines.push(`request id ${details.request_id}`);
    if (details.retries !== null)
      lines.push(
        timedOut
          ? `Codex retried ${details.retries} time(s) and was still retrying when the run hit its timeout`
          : `Codex retried ${details.retries} time(s) before giving up`,
      );
    if (details.retry_after !== null) lines.push(`the server asked to wait ${details.retry_after}`);
    const command = this.resume(plainResumeModel(details.error_info));
    if (category === "usage_limit") {
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
      return this.usageLimit([...lines, ...(limited ? [limited.evidence] : []), ...unreadLine], resetsAt, error, work);
    }
    if (category === "context_window_exceeded") {
      const fresh = this.commandLines
        ? newSessionCommandLine({
            ...this.target,
            prompt: `Continue the work of Codex session ${this.target.sessionId}, which ran out of context. Its first request was: ${firstPrompt(this.model)}`,
          })
        : "";
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
    const provider = this.model.meta?.modelProvider;
    const steps: Record<Exclude<ErrorCategory, "usage_limit" | "context_window_exceeded">, string> = {
      quota_exhausted: `The account is out of quota or billing: add credit or change the plan (waiting does not help), then run: ${command}`,
      auth_error: authStep(provider, this.codexWord(), command, providerOf(this.known, provider)),
      rate_limited: `Wait ${details.retry_after ?? "a minute"} and resume: ${command}`,
      server_error: serverErrorStep(details.error_info, command, (model) => this.resume({ model })),
      network_error: `Codex could not reach the model endpoint: check the network and the provider's base_url, then run: ${command}`,
      model_error: modelErrorStep(details.error_info, this.model, command, (model) => this.resume({ model })),
    };
    return this.result(category, lines, steps[category], command, { error }, work);
  }

  completedTurn(where: string, turn: Turn, work: TurnWork): Diagnosis {
    const message = turn.lastAgentMessage ?? turn.ended?.lastAgentMessage ?? undefined;
    const said =
      message !== undefined
        ? [`the agent's last message: ${jsonQuoted(message)}`]
        : ["the turn ended without a final message from the agent"];
    const blocked = work.denials.filter((denial) => denial.kind === "approval");
    if (blocked.length > 0) {
      // the managed config's approval_policy is over every `-c`, and requirements.toml replaces a value it does
      // not allow: the auto-review resume would be blocked again
      const pinned = this.known?.managedApprovalPolicy;
      const limits = this.known?.requirements;
      const refused =
        forbidden(limits, "allowed_approval_policies", "on-request") ??
        forbidden(limits, "allowed_approvals_reviewers", "auto_review");
      const plain = pinned !== undefined || refused !== undefined;
      const command = this.resume(
        plain
          ? { prompt: "The blocked tools are allowed now; call them again." }
          : {
              options: ["-c", 'approval_policy="on-request"', "-c", 'approvals_reviewer="auto_review"'],
              prompt: "Approvals are decided by Codex's reviewer now; call the blocked tools again.",
            },
      );
      const cannot = `(resume_session ${this.toolMode("auto-review")} and \`-c approval_policy="on-request"\` would not help): have the operator allow that tool in Codex's config, then: ${command}`;
      return this.result(
        "approval_required",
        [
          `${where} completed, but ${blocked.length} MCP tool call(s) needed an approval \`codex exec\` cannot ask for`,
          ...said,
          ...(refused !== undefined && pinned === undefined ? [refused] : []),
        ],
        pinned !== undefined
          ? `${pinned} sets approval_policy, which Codex 0.171 takes over any \`-c\` ${cannot}`
          : refused !== undefined
            ? `${refused}, so no auto-review resume is printed ${cannot}`
            : `Resume with resume_session ${this.toolMode("auto-review")} (Codex's own reviewer decides the approval), or have the operator allow that tool in Codex's config; by hand: ${command}`,
        command,
        {},
        work,
      );
    }
    const timedOut = this.run?.approvalsTimedOut ?? [];
    if (timedOut.length > 0) {
      const command = this.resume({ prompt: "The approval you asked for was declined; ask for it again." });
      return this.result(
        "approval_required",
        [`${where} completed without what it asked approval for`, ...timedOut, ...said],
        `Resume with resume_session engine "app-server" ${this.toolMode("ask")} and have a person answer the approval in time (the host's dialog, or \`codex-control-mcp approve\`; respond_approval where the operator allows callers), or use mode "auto-review" (Codex's own reviewer decides); by hand: ${command}`,
        command,
        {},
        work,
      );
    }
    const review = reviewStep(this.model, turn, work, [`${where} completed`, ...said], this.continuation);
    if (review) return this.result("completed", review.evidence, review.next, review.command, {}, work);
    if (work.denials.length > 0) return this.sandboxBlocked(where, work, said);
    if (work.failed.length > 0 && (work.lastCallFailed || work.gaveUp)) {
      const lead = work.lastCallFailed
        ? `${where} completed, but its last ${work.lastFailedTool !== undefined ? `tool call (${work.lastFailedTool})` : "command"} failed`
        : `${where} completed, but the agent says it could not finish`;
      const timeout = work.mcpTimeout;
      if (timeout) {
        const step = mcpTimeoutStep(timeout, this.known, (extra) => this.resume(extra));
        return this.result("command_failures", [lead, ...said, ...step.evidence], step.next, step.command, {}, work);
      }
      // a turn whose only failures are tool calls (a view_image) ran no failing command for Codex to look for
      const tools = work.failed.every((failed) => work.toolCalls?.has(failed.call_id));
      const command = this.resume({
        prompt: tools
          ? `A tool call (${[...new Set(work.failed.map((failed) => failed.command))].join(", ")}) failed in the last turn; fix the cause and make the call again.`
          : "Commands failed in the last turn; fix the cause and run them again.",
      });
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
    const step = sandboxStep(
      mode,
      work,
      this.target.cwd,
      this.model.lastContext?.sandboxPolicy,
      (name) => this.toolMode(name),
      this.known,
    );
    const command = this.resume(step.resume);
    const evidence = [
      `${where} completed, but the sandbox${mode ? ` (${mode})` : ""} or the approval policy refused ${work.denials.length} action(s)`,
      ...said,
    ];
    return this.result("sandbox_blocked", evidence, `${step.how}: ${command}`, command, {}, work);
  }

  /** resume_session's arguments for `mode`, with skip_git_repo_check where the command needs the flag. */
  private toolMode(mode: string): string {
    return `mode "${mode}"${this.target.skipGitRepoCheck ? ", skip_git_repo_check true" : ""}`;
  }

  private codexWord(): string {
    return this.commandLines ? codexCommandLine(this.target) : "";
  }
}
