// A diagnosis's category, evidence and next step, put together: the next step names the command to run, built
// from the session's own directory, sandbox and invocation (resume-command.ts prints only UUIDs).
import { SESSION_UUID } from "../shared/ids.js";
import { shellQuote } from "../shared/shell.js";
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
import {
  codexCommandLine,
  newSessionCommandLine,
  resumeCommandLine,
  reviewCommandLine,
  reviewTargetOfPrompt,
  type ResumeTarget,
} from "./resume-command.js";
import type { ReviewTarget } from "./events.js";
import { callExitCode, callStatus, type SessionModel, type Turn } from "./session-model.js";
import { turnStatus } from "./statuses.js";
import { extraWritableDirs, workspaceWriteAllows } from "./workspace-write-roots.js";
import type { RunFacts } from "./diagnosis.js";
import {
  commandEvidence,
  contextEvidence,
  errorFacts,
  currentActivity,
  exhaustedLimit,
  firstPrompt,
  jsonQuoted,
  newest,
  runSaid,
} from "./diagnosis-evidence.js";

export class Builder {
  constructor(
    private readonly model: SessionModel,
    private readonly target: ResumeTarget,
    private readonly run: RunFacts | undefined,
    /** false: nobody reads the next step (diagnosis.ts commandLines), so no command line is made for it. */
    private readonly commandLines = true,
  ) {}

  /** Set by resume() when it resumes a spawned sub-agent's parent, for result() to say why. */
  private resumesParent: string | undefined;

  private resume(extra: Partial<ResumeTarget> = {}): string {
    const parent = this.spawnedBy();
    this.resumesParent = parent?.id;
    if (!this.commandLines) return "";
    // a review that did not finish is run again: resuming it with a prompt asks for ordinary work instead
    const review = this.unfinishedReview();
    if (review) {
      const { prompt: _prompt, sessionId: _id, ...rest } = this.merged(extra);
      const command = reviewCommandLine({ ...rest, target: review });
      if (command !== null) return command;
    }
    if (parent) {
      const { nickname, id } = parent.child;
      return resumeCommandLine({
        ...this.merged(extra),
        sessionId: parent.id,
        prompt: `Your sub-agent ${nickname ? `${nickname} (${id})` : id} did not finish its task; what stopped it is dealt with now: start a sub-agent on that task again, or do it yourself.`,
      });
    }
    return resumeCommandLine(this.merged(extra));
  }

  /**
   * The parent of a spawned sub-agent whose last turn did not complete: the task is the parent's. Resumed, the
   * sub-agent answers into its own log only, which the parent does not read (0.171 checked); a resumed parent
   * can start a new sub-agent.
   */
  private spawnedBy(): { id: string; child: { id: string; nickname: string | null } } | undefined {
    const lineage = this.model.lineage;
    const turn = this.model.turns.at(-1);
    if (this.model.meta?.source !== "subagent" || lineage?.kind !== "subagent" || !lineage.parentId) return undefined;
    if (!SESSION_UUID.test(lineage.parentId) || !SESSION_UUID.test(this.target.sessionId)) return undefined;
    if (turn === undefined || turnStatus(turn) === "completed") return undefined;
    const nickname =
      lineage.agentNickname !== null && /^[\w .-]{1,40}$/.test(lineage.agentNickname) ? lineage.agentNickname : null;
    return { id: lineage.parentId, child: { id: this.target.sessionId, nickname } };
  }

  /** `extra` over the session's target; options are added to the target's (its own --add-dir roots), not replacing them. */
  private merged(extra: Partial<ResumeTarget>): ResumeTarget {
    // a sandbox other than workspace-write has no writable roots to repeat
    const sandbox = extra.sandbox ?? this.target.sandbox;
    const own = sandbox === "workspace-write" ? (this.target.options ?? []) : [];
    return { ...this.target, ...extra, options: [...own, ...(extra.options ?? [])] };
  }

  private unfinishedReview(): ReviewTarget | undefined {
    const turn = this.model.turns.at(-1);
    if (turn === undefined || turnStatus(turn) === "completed") return undefined;
    if (turn.review !== undefined) return turn.review;
    // a review's own sub-agent: resumed, it answers into its own log and the review stays unfinished (0.171
    // checked); its one turn's prompt names what the review was of
    if (this.model.meta?.source === "subagent:review" && this.model.turns.length === 1 && turn.prompt)
      return reviewTargetOfPrompt(turn.prompt);
    return undefined;
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
    const parent = this.resumesParent;
    this.resumesParent = undefined;
    return {
      category,
      retryable: CATEGORY_GUIDE[category].retryable,
      resets_at: null,
      evidence: [
        ...evidence.filter((line) => line !== ""),
        ...commandEvidence(work),
        ...contextEvidence(this.model, category),
        ...(parent
          ? [
              `a sub-agent of ${parent}: the task is the parent's (resumed, a sub-agent answers into its own log, which the parent does not read), so the parent is resumed`,
            ]
          : []),
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
    const endpoint =
      classified && ["network_error", "server_error", "rate_limited", "auth_error"].includes(classified.category)
        ? classified
        : undefined;
    // a run that spent its time retrying an unreachable or failing endpoint did not time out on the work; a run
    // stopped in a command did (its model had answered, so whatever Codex retried before got through)
    if (endpoint && !this.stoppedInCommand())
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
    const said =
      message !== undefined
        ? [`the agent's last message: ${jsonQuoted(message)}`]
        : ["the turn ended without a final message from the agent"];
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
        `Resume with resume_session ${this.toolMode("auto-review")} (Codex's own reviewer decides the approval), or have the operator allow that tool in Codex's config; by hand: ${command}`,
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
    if (work.denials.length > 0) return this.sandboxBlocked(where, work, said);
    if (work.failed.length > 0 && (work.lastCallFailed || work.gaveUp)) {
      const lead = work.lastCallFailed
        ? `${where} completed, but its last command failed`
        : `${where} completed, but the agent says it could not finish`;
      const timeout = work.mcpTimeout;
      if (timeout) {
        // the same call with the same timeout times out again: the server's timeout is what to change
        const seconds = longerToolTimeout(timeout.seconds);
        const command = this.resume({
          options: ["-c", `mcp_servers.${timeout.server}.tool_timeout_sec=${seconds}`],
          prompt: "The MCP tool call timed out; it has more time now: call it again.",
        });
        return this.result(
          "command_failures",
          [lead, ...said],
          `The MCP tool ${timeout.server}/${timeout.tool} did not answer within its server's tool_timeout_sec (${timeout.seconds}s); resume with a longer one (\`-c mcp_servers.${timeout.server}.tool_timeout_sec=${seconds}\`, or set it in Codex's config.toml): ${command}`,
          command,
          {},
          work,
        );
      }
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
    const recorded = this.model.lastContext?.sandboxPolicy;
    // workspace-write writes more than the workspace (/tmp, its writable roots): turning the sandbox off for
    // those would ask the operator for far more than the session needs
    // every path a refusal names counts: a command refused in two places needs both
    const onlyWrites = work.denials.every((denial) => denial.kind === "write");
    const onlyWorkspaceWrites =
      onlyWrites && work.refusedWrites.every((target) => workspaceWriteAllows(target, this.target.cwd, recorded));
    const addedDirs = () => (onlyWrites ? extraWritableDirs(work.refusedWrites, this.target.cwd, recorded) : null);
    let added: string[] | null;
    let command: string;
    let how: string;
    if (mode === "read-only" && onlyWorkspaceWrites) {
      command = this.resume({ sandbox: "workspace-write", prompt: "The sandbox was read-only; do the writes again." });
      how = `Resume with the workspace-write sandbox (resume_session ${this.toolMode("sandboxed")})`;
    } else if (mode === "workspace-write" && onlyNetwork) {
      command = this.resume({
        options: ["-c", "sandbox_workspace_write.network_access=true"],
        prompt: "Network access is allowed now; run the blocked commands again.",
      });
      how =
        "Resume with network access in the workspace-write sandbox (`-c sandbox_workspace_write.network_access=true`; it needs the operator's consent)";
    } else if ((mode === "workspace-write" || mode === "read-only") && (added = addedDirs()) !== null) {
      // Codex's own flag for more writable roots: a far smaller ask than turning the sandbox off
      command = this.resume({
        sandbox: "workspace-write",
        options: added.flatMap((dir) => ["--add-dir", dir]),
        prompt: "The folders you wrote to are writable now; do the refused writes again.",
      });
      how = `Resume in the workspace-write sandbox with ${added.map((dir) => `--add-dir ${shellQuote(dir)}`).join(" ")} (Codex's flag for more writable folders; resume_session cannot pass it, and it widens what Codex may write: the operator's call). By hand`;
    } else {
      command = this.resume({
        sandbox: "danger-full-access",
        prompt: "The sandbox is off now; run the blocked commands again.",
      });
      how = `Only running without the sandbox allows this: it needs the operator's consent (this server: --allow-full-access, then resume_session ${this.toolMode("full-access")}). By hand`;
    }
    const evidence = [
      `${where} completed, but the sandbox${mode ? ` (${mode})` : ""} or the approval policy refused ${work.denials.length} action(s)`,
      ...said,
    ];
    return this.result("sandbox_blocked", evidence, `${how}: ${command}`, command, {}, work);
  }

  /**
   * The run was stopped while a command of its last turn ran (in flight, or killed as the turn ended): the
   * model had answered the request that asked for it. A yielded command's output went back to the model, so
   * the turn was waiting on the model again.
   */
  private stoppedInCommand(): boolean {
    const turn = this.model.turns.at(-1);
    if (turn?.lastItem !== "call" && turn?.lastItem !== "call_output") return false;
    const call = this.model.calls.findLast((candidate) => candidate.turn === turn.index);
    if (!call) return false;
    const killed = callExitCode(call) === -1 && call.output?.running !== true;
    return killed || (turn.lastItem === "call" && callStatus(call) === "no_output");
  }

  /**
   * resume_session's arguments for `mode`: with skip_git_repo_check where the command needs the flag (the tool
   * takes it from this server's runs only, not from a log).
   */
  private toolMode(mode: string): string {
    return `mode "${mode}"${this.target.skipGitRepoCheck ? ", skip_git_repo_check true" : ""}`;
  }

  private codexWord(): string {
    return this.commandLines ? codexCommandLine(this.target) : "";
  }
}

/** Four times the timeout that ran out, at least Codex's default of 60 s, whole seconds. */
export function longerToolTimeout(seconds: number): number {
  return Math.max(60, Math.ceil(seconds * 4));
}
