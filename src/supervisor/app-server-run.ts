// One run over `codex app-server`, with the surface the supervisor drives an exec run through: start the
// thread and its one turn, stream progress and live numbers, hand approvals to the supervisor, steer on
// request, stop cleanly (turn/interrupt first, the process group only if the turn does not end within the
// grace period), and decide how the run ended from the turn's status, never from message text.
import {
  AppServerError,
  errorInfoHttpStatus,
  errorInfoKind,
  startAppServerRun,
  type AppServerRun,
  type AppServerRunResult,
  type ApprovalDecision,
  type ApprovalRequest,
  type TurnState,
} from "../codex/app-server/index.js";
import { declaredMcpServers, requiredMcpError, requiredMcpFailure } from "../codex/mcp-startup.js";
import { killRunLeftovers, withLeftovers } from "../codex/processes.js";
import { SESSION_UUID, type ApprovalEntry, type Job, type LiveNumbers, type TypedError } from "../contract/index.js";
import type { TokenTotals } from "../sessions/index.js";
import type { RunOutcome, StopReason } from "./outcome.js";
import { serveSteers } from "./app-server-requests.js";
import { SupervisedRun } from "./supervised-run.js";

/** How a person (or the timeout) answered an approval. */
export type ApprovalVerdict = Pick<ApprovalEntry, "decision" | "answered_by" | "status">;

export class AppServerSupervisedRun extends SupervisedRun {
  live: LiveNumbers | null = null;
  errorInfo: TypedError | null = null;
  readonly approvals: ApprovalEntry[] = [];

  private run: AppServerRun | undefined;
  private stopRequest: { reason: StopReason; detail: string } | undefined;

  constructor(
    private readonly job: Job,
    /** Decides an approval (asks whoever may answer, or times out); the entry is published meanwhile. */
    private readonly decide: (entry: ApprovalEntry) => Promise<ApprovalVerdict>,
    /** Something changed that is not a progress line (live numbers, an approval): publish the state. */
    private readonly changed: () => void,
  ) {
    super();
  }

  get usage(): TokenTotals | null {
    const usage = this.live?.usage;
    if (!usage) return null;
    return {
      input: usage.input_tokens,
      cached_input: usage.cached_input_tokens,
      output: usage.output_tokens,
      reasoning_output: usage.reasoning_output_tokens,
      total: usage.total_tokens,
    };
  }

  /**
   * Resolves once `codex app-server` is spawned (its group known: the supervisor records the start then, as
   * for exec) or could not be; the handshake and the thread's start go on after. Resolving only after
   * turn/start left a slow app-server running unrecorded past the server's wait, and so without a slot.
   */
  async start(): Promise<void> {
    let spawned!: () => void;
    const known = new Promise<void>((resolve) => (spawned = resolve));
    void this.startTurn(spawned);
    await known;
  }

  private async startTurn(spawned: () => void): Promise<void> {
    const { job } = this;
    const thread = job.thread;
    const timer = setTimeout(() => void this.stop("timeout", `no result within ${job.timeoutMs} ms`), job.timeoutMs);
    timer.unref();
    void this.done.then(() => clearTimeout(timer));
    try {
      this.run = await startAppServerRun({
        codexBin: job.codexBin,
        env: job.env,
        cwd: job.workspace.path,
        prompt: job.prompt,
        ...(job.resumeOf !== null && { resumeThreadId: job.resumeOf }),
        ...(thread?.model != null && { model: thread.model }),
        ...(thread && { sandbox: thread.sandbox, approvalPolicy: thread.approvalPolicy, config: thread.config }),
        ...(job.images.length > 0 && { images: job.images }),
        ...(job.outputSchema && { outputSchema: job.outputSchema }),
        onProgress: (line) => this.emit(line),
        // a line of its own after each model response, so progress notifications carry the numbers too
        onLive: (state, line) => {
          this.live = liveNumbersOf(state);
          this.emit(`live: ${line}`);
        },
        onApproval: (request) => this.approval(request),
        onSpawn: (pid) => {
          this.pgid = pid ?? null;
          spawned();
        },
      });
    } catch (error) {
      // once a stop has begun, the app-server ending before its turn began is the stop's doing
      const lead = "codex app-server did not start the run";
      // thread/start refused for a required MCP server that did not start: a config problem (mcp-startup.ts)
      const declared = await declaredMcpServers(
        job.env.CODEX_HOME,
        job.workspace.path,
        Object.keys(thread?.config ?? {}),
      );
      const mcp = requiredMcpFailure(messageOf(error), declared);
      this.end({
        status: "failed",
        error: this.stopRequest ? "stopped" : mcp ? requiredMcpError(mcp, lead) : `${lead}: ${messageOf(error)}`,
      });
      return;
    } finally {
      spawned();
    }
    const run = this.run;
    this.pgid = run.pid;
    this.setSession(run.sessionId);
    if (this.stopRequest) void this.stopRunning(run);
    run.done.then(
      (result) => this.end(this.outcomeOf(result)),
      (error: unknown) =>
        // once a stop has begun, the app-server exiting is the stop's doing
        this.end({
          status: "failed",
          error: this.stopRequest ? "stopped" : `codex app-server failed: ${messageOf(error)}`,
        }),
    );
  }

  /** Sends a message into the running turn; answers with the turn it reached. */
  async steer(message: string): Promise<string> {
    if (!this.run || this.outcome) throw new Error("the run's turn is not running (it has not started or has ended)");
    return (await this.run.steer(message)).turnId;
  }

  stop(reason: StopReason, detail: string): Promise<void> {
    if (this.outcome || this.stopRequest) return this.done;
    this.stopRequest = { reason, detail };
    if (this.run) void this.stopRunning(this.run);
    // still in the handshake or the thread's start: no turn to interrupt, the process group goes
    else if (this.pgid !== null) void killRunLeftovers(this.job.runId, this.pgid);
    return this.done;
  }

  /**
   * turn/interrupt first (the session records the turn as interrupted); the process group only if that fails.
   * Codex's answer is waited for one grace period, not the request timeout (30 s): the supervisor's span
   * (contract/deadlines.ts) allows two grace periods and the wait for leftovers, past which it is taken for hung.
   */
  private async stopRunning(run: AppServerRun): Promise<void> {
    const unanswered = await run.interrupt(this.job.killGraceMs).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    if (unanswered === undefined && (await settlesWithin(this.done, this.job.killGraceMs))) return;
    this.emit(
      `${unanswered ?? `the turn did not end within ${this.job.killGraceMs} ms of turn/interrupt`}: stopping codex app-server`,
    );
    await run.close();
    await killRunLeftovers(this.job.runId, this.pgid);
    this.end({ status: "failed", error: "stopped" });
  }

  private async approval(request: ApprovalRequest): Promise<ApprovalDecision> {
    const entry: ApprovalEntry = {
      approval_id: request.approvalId,
      kind: request.kind,
      summary: request.summary.slice(0, 4000),
      cwd: request.cwd?.slice(0, 4096) ?? null,
      reason: request.reason?.slice(0, 4000) ?? null,
      decisions: request.decisions.slice(0, 4),
      requested_at: new Date().toISOString(),
      status: "pending",
      decision: null,
      answered_by: null,
      answered_at: null,
    };
    // a run asking more than the contract keeps is declined beyond it rather than hidden
    if (this.approvals.length >= 200) return "decline";
    this.approvals.push(entry);
    this.changed();
    const verdict = await this.decide(entry).catch((): ApprovalVerdict => ({
      decision: "decline",
      answered_by: "timeout",
      status: "timed_out",
    }));
    // the run ended first: the entry already says so (end()), and the published end is not rewritten
    if (entry.status !== "pending") return "decline";
    Object.assign(entry, verdict, { answered_at: new Date().toISOString() });
    this.changed();
    // an answer file holds a decision of ours only (approvalAnswerSchema): "unknown" cannot come from it
    return verdict.decision === null || verdict.decision === "unknown" ? "decline" : verdict.decision;
  }

  private outcomeOf(result: AppServerRunResult): Omit<RunOutcome, "exitCode" | "signal"> {
    this.events.finalMessage = result.finalMessage;
    for (const path of result.filesChanged)
      if (!this.events.filesChanged.includes(path)) this.events.filesChanged.push(path);
    if (result.error) {
      this.events.errors.push(result.error.message);
      const info = result.error.codexErrorInfo;
      const kind = errorInfoKind(info);
      if (kind !== null)
        this.errorInfo = {
          kind: kind.slice(0, 100),
          http_status: errorInfoHttpStatus(info),
          message: result.error.message.slice(0, 4000),
        };
    }
    const stop = this.stopRequest;
    if (result.end === "completed" && stop?.reason !== "wrong_session") return { status: "completed", error: null };
    if (stop?.reason === "timeout") return { status: "timeout", error: `timed out: ${stop.detail}` };
    if (stop?.reason === "cancelled") return { status: "cancelled", error: `cancelled: ${stop.detail}` };
    if (stop) return { status: "failed", error: stop.detail };
    if (result.end === "interrupted") return { status: "failed", error: "the turn was interrupted" };
    return {
      status: "failed",
      error: result.error ? oneLine(result.error.message) : "the turn failed without a message",
    };
  }

  private end(outcome: Omit<RunOutcome, "exitCode" | "signal">): void {
    if (this.outcome) return;
    const stop = this.stopRequest;
    // stopped by force: the stop's own reason says why
    if (outcome.error === "stopped" && stop)
      outcome =
        stop.reason === "timeout"
          ? { status: "timeout", error: `timed out: ${stop.detail}` }
          : stop.reason === "cancelled"
            ? { status: "cancelled", error: `cancelled: ${stop.detail}` }
            : { status: "failed", error: stop.detail };
    this.endedAt = new Date();
    this.outcome = { ...outcome, exitCode: null, signal: null };
    // nobody can answer them any more, and Codex ran none of them
    for (const entry of this.approvals) if (entry.status === "pending") entry.status = "unanswered";
    this.emit(`ended: ${outcome.status}${outcome.error ? ` (${outcome.error.slice(0, 200)})` : ""}`);
    this.resolveSession();
    void (async () => {
      await this.run?.close();
      // the end is recorded once every process of the run is gone (or names those that are not)
      const leftovers = await killRunLeftovers(this.job.runId, this.pgid);
      if (this.outcome) this.outcome = withLeftovers(this.outcome, leftovers);
      this.resolveDone();
    })();
  }

  private setSession(sessionId: string): void {
    // an id goes into the ledger and later into printed commands: only Codex's own shape is taken
    if (!SESSION_UUID.test(sessionId)) {
      this.emit(`ignored a session id that is not a UUID: ${JSON.stringify(sessionId.slice(0, 80))}`);
      void this.stop("wrong_session", "codex app-server named a thread whose id is not a UUID; the run was stopped.");
      return;
    }
    this.sessionId = sessionId;
    const expected = this.job.resumeOf;
    if (expected !== null && sessionId !== expected)
      void this.stop(
        "wrong_session",
        `Codex started a new session ${sessionId} instead of resuming ${expected}; the run was stopped.`,
      );
    this.emit(`session: ${sessionId}`);
    this.resolveSession();
  }

  override published() {
    return { live: this.live, approvals: this.approvals.map((entry) => ({ ...entry })), error_info: this.errorInfo };
  }

  override serveRequests(): Promise<void> {
    return serveSteers(this.job, this);
  }

  /** A progress line of the supervisor's own (an approval that timed out). */
  note(message: string): void {
    this.emit(message);
  }
}

/** The contract's live numbers from the turn's state. */
export function liveNumbersOf(state: Readonly<TurnState>): LiveNumbers {
  const usage = state.usage;
  const window = (w: NonNullable<TurnState["rateLimits"]>["primary"]) =>
    w
      ? {
          used_percent: w.usedPercent,
          window_minutes: w.windowMinutes,
          resets_at: w.resetsAt !== null ? new Date(w.resetsAt * 1000).toISOString() : null,
        }
      : null;
  return {
    usage: usage && {
      input_tokens: usage.inputTokens,
      cached_input_tokens: usage.cachedInputTokens,
      output_tokens: usage.outputTokens,
      reasoning_output_tokens: usage.reasoningOutputTokens,
      total_tokens: usage.totalTokens,
      last_total_tokens: usage.lastTotalTokens,
      context_window: usage.modelContextWindow,
      context_used_percent: usage.modelContextWindow
        ? Math.round((usage.lastTotalTokens / usage.modelContextWindow) * 1000) / 10
        : null,
    },
    rate_limits: state.rateLimits && {
      primary: window(state.rateLimits.primary),
      secondary: window(state.rateLimits.secondary),
      plan_type: state.rateLimits.planType,
    },
    updated_at: new Date().toISOString(),
  };
}

function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** One line: Codex's errors (a config it cannot load: "… expected one of …\nin `key`\n") span several. */
function messageOf(error: unknown): string {
  const message =
    error instanceof AppServerError
      ? `${error.kind}: ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  return oneLine(message);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
