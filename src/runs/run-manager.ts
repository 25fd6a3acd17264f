// Every run this server starts: the policy checks before spawning, the limits (concurrent runs, one writer
// per directory across every process of the state dir, delegation depth), and the hand-over to the run's
// supervisor, a detached process that follows the run to its end whether or not this process lives on.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  checkStateDir,
  INPUTS_DIR,
  lastMessageFile,
  ownDirectory,
  removeTree,
  runDir,
  runsDir,
  type Job,
} from "../contract/index.js";
import { buildExecArgv, type ExecRequest } from "../codex/argv.js";
import { reviewInvocation } from "../codex/review-argv.js";
import { CapabilityProbe } from "../codex/capabilities.js";
import { probeAppServer, threadSettingsOf, type AppServerProtocol } from "../codex/app-server/index.js";
import { APPROVAL_TIMEOUT_MS, MAX_TIMER_MS, SANDBOX_OF_MODE, type Engine } from "../codex/run-modes.js";
import { stringEnv } from "../shared/env.js";
import { DEPTH_MARKER, RUN_MARKER, delegationDepth } from "../codex/processes.js";
import { SessionStore } from "../sessions/index.js";
import { operatorPolicy, reachOf } from "./operator-config.js";
import { RunRegistry } from "./registry.js";
import { refuseCallerSettings, RunRefusedError } from "./run-policy.js";
import { Lease, Scheduler } from "./scheduler.js";
import { WORKTREE_TURN_MS, WorktreeTurns } from "./worktree-turns.js";
import { checkWorkspace, copyCheckedImages, skipsGitCheck } from "./workspace.js";
import { refuseWhenLimitUsedUp } from "./preflight-limits.js";
import { spawnSupervisor, SupervisorStopping } from "./supervisor-spawn.js";
import { sweepLeases } from "./lease-sweep.js";

export type { Effective, RunView } from "./run-view.js";

export interface RunnerConfig {
  codexBin: string;
  codexHome: string;
  stateDir: string;
  allowFullAccess: boolean;
  maxConcurrent: number;
  /** How long a run waits for a free slot before it is refused. */
  queueWaitMs: number;
  defaultTimeoutMs: number;
  maxTimeoutMs: number;
  killGraceMs: number;
  /** Refuse to delegate when this server itself runs inside this many levels of delegated runs. */
  maxDepth: number;
  /** Runs' cwd and images must be inside one of these (after resolving symlinks); empty: anywhere. */
  allowedRoots: string[];
  /** Config keys callers may set besides the built-in safe list (--allow-config-key). */
  allowConfigKeys: string[];
  /** Callers may choose a Codex profile (--allow-profile). */
  allowProfile: boolean;
  /** Environment handed to Codex (before the run's own markers and CODEX_HOME). */
  childEnv: NodeJS.ProcessEnv;
  /** Cancel the runs this process started when it shuts down (the behaviour before runs had supervisors). */
  stopRunsOnExit: boolean;
  /** Keep the first 200 characters of each prompt in the ledger (--ledger-prompts); prompts can hold secrets. */
  recordPrompts: boolean;
  /** Read the plan's live windows before each run and refuse when one is used up (--preflight-limits). */
  preflightLimits?: boolean;
  /** While a call waits for a run, a progress notification at least this often (default HEARTBEAT_MS); tests shorten it. */
  heartbeatMs?: number;
  /** How long a supervisor may take to record a run's start (default SUPERVISOR_START_MS); tests shorten it. */
  supervisorStartMs?: number;
  /** How runs drive Codex unless the call says (--engine). */
  engine?: Engine;
  /** engine app-server: an approval nobody answers is declined after this long (--approval-timeout-ms). */
  approvalTimeoutMs?: number;
}

/** Some hosts reset their tool timeout on progress: a waiting call is never silent longer than this. */
export const HEARTBEAT_MS = 15_000;

export interface StartRequest extends Omit<ExecRequest, "outputSchemaFile" | "lastMessageFile" | "sandboxExclusions"> {
  prompt: string;
  timeoutMs?: number;
  /** JSON Schema for the final message; written to a file for `--output-schema`. */
  outputSchema?: Record<string, unknown>;
  allowConcurrent?: boolean;
  /** A resume in the Codex-managed worktree a run of this state dir made (under CODEX_HOME/worktrees). */
  resumeInWorktree?: boolean;
  /** How this run drives Codex; the server's --engine when absent. */
  engine?: Engine;
  /** The call that asked for the run; cancelled while the run waits for a slot, the run is not started. */
  signal?: AbortSignal;
}

export { RunRefusedError } from "./run-policy.js";
export { supervisorEntry, supervisorFailure } from "./supervisor-spawn.js";

export class RunManager {
  /** Every run of this state dir, whoever started it. */
  readonly registry: RunRegistry;
  private readonly probe: CapabilityProbe;
  private readonly scheduler: Scheduler;
  /** Runs this process started (stopped on exit with --stop-runs-on-exit). */
  private readonly startedHere = new Set<string>();
  private depth: Promise<number> | undefined;
  private readonly appServers = new Map<string, Promise<AppServerProtocol>>();
  private readonly worktreeTurns: WorktreeTurns;

  constructor(
    readonly config: RunnerConfig,
    /** The session reader of the server this manager belongs to. */
    readonly sessions: SessionStore = new SessionStore(config.codexHome, {
      stateDir: config.stateDir,
      allowedRoots: config.allowedRoots,
    }),
  ) {
    this.registry = new RunRegistry(config.stateDir, sessions, config.killGraceMs, config.codexBin, () =>
      operatorPolicy(config),
    );
    // CODEX_HOME as runs get it: with --env-allow the probe's Codex would otherwise write into ~/.codex
    this.probe = new CapabilityProbe({ ...config.childEnv, CODEX_HOME: config.codexHome });
    this.scheduler = new Scheduler(config.stateDir, config.maxConcurrent, config.queueWaitMs);
    this.worktreeTurns = new WorktreeTurns(config.stateDir);
  }

  capabilities() {
    return this.probe.get(this.config.codexBin);
  }

  /** Starts the run under its supervisor; resolves with its run_id once the supervisor has recorded its start. */
  async start(request: StartRequest): Promise<string> {
    if (request.worktree !== true) return this.startNow(request);
    const endTurn = await this.worktreeTurns.take(resolve(request.cwd), request.signal);
    try {
      const runId = await this.startNow(request);
      // the next waits until Codex names the session: it has made the worktree and started in it (worktree-turns.ts)
      void this.registry
        .wait(runId, WORKTREE_TURN_MS, { untilSession: true })
        .catch(() => undefined)
        .finally(endTurn);
      return runId;
    } catch (error) {
      // a supervisor told to stop may have started a Codex that is still making its worktree: the next turn
      // waits until it is gone, as the run's slot does
      if (error instanceof SupervisorStopping) void error.gone.finally(endTurn);
      else endTurn();
      throw error;
    }
  }

  private async startNow(request: StartRequest): Promise<string> {
    const { config } = this;
    const depth = await (this.depth ??= delegationDepth(config.childEnv));
    if (depth >= config.maxDepth) {
      throw new RunRefusedError(
        `this server runs inside a Codex run that codex-control-mcp started (delegation depth ${depth}); starting another would recurse. The operator can allow deeper delegation with --max-depth.`,
      );
    }
    if (request.mode === "full-access" && !config.allowFullAccess) {
      throw new RunRefusedError(
        'mode "full-access" is disabled on this server: the operator must start it with --allow-full-access (or CODEX_CONTROL_ALLOW_FULL_ACCESS=1). Use mode "sandboxed" (workspace-write sandbox) or "read-only" instead.',
      );
    }
    const refusal = refuseCallerSettings(request, config);
    if (refusal !== undefined) throw new RunRefusedError(refusal);
    const stateProblem = await checkStateDir(config.stateDir);
    if (stateProblem !== undefined)
      throw new RunRefusedError(
        `${stateProblem}; runs are refused until only this user can write it (or choose another with --state-dir).`,
      );
    const reach = await reachOf(config);
    if (SANDBOX_OF_MODE[request.mode] === "workspace-write" && reach.refusal !== undefined)
      throw new RunRefusedError(reach.refusal);
    const engine = request.engine ?? config.engine ?? "exec";
    const workspace = await checkWorkspace(request.cwd, config, request.resumeInWorktree === true);
    const cwd = workspace.path;
    const timeoutMs = request.timeoutMs ?? config.defaultTimeoutMs;
    // an embedding's config is not the flags' (checked there): the timer's own bound holds whatever it says
    if (timeoutMs > MAX_TIMER_MS)
      throw new RunRefusedError(
        `timeout_ms ${timeoutMs} is above ${MAX_TIMER_MS} ms (24.8 days, the longest timer Node keeps: a longer one fires at once).`,
      );
    if (timeoutMs > config.maxTimeoutMs) {
      throw new RunRefusedError(
        `timeout_ms ${timeoutMs} is above this server's maximum of ${config.maxTimeoutMs} ms (--max-timeout-ms).`,
      );
    }
    const caps = await this.probe.get(config.codexBin);
    if (engine === "app-server") await this.appServerProtocol();
    if (config.preflightLimits === true) await refuseWhenLimitUsedUp(config);

    const runId = newRunId();
    const dir = runDir(config.stateDir, runId);
    // the run's own inputs (schema, copies of the checked images) are removed on every path: a refusal or
    // error here, the end recorded by the supervisor, or the settling of a run whose supervisor died
    const inputsDir = join(dir, INPUTS_DIR);
    const outputSchemaFile = request.outputSchema ? join(inputsDir, "schema.json") : undefined;
    const {
      prompt: _prompt,
      timeoutMs: _timeout,
      outputSchema: _schema,
      allowConcurrent: _concurrent,
      resumeInWorktree: _inWorktree,
      engine: _engine,
      signal,
      ...exec
    } = request;
    // the request is checked before a slot is taken: one Codex cannot run waits for nothing
    if (engine === "app-server") threadSettingsOf({ ...exec, cwd });
    else
      buildExecArgv(
        { ...exec, cwd, images: exec.images?.map(() => "/image"), outputSchemaFile, lastMessageFile: "/message" },
        caps,
      );
    // a worktree run writes in the worktree Codex makes for it alone: one writer per directory holds per worktree
    const lease = await this.scheduler.acquire(
      {
        runId,
        cwd,
        writer: request.mode !== "read-only" && request.worktree !== true,
        shareDirectory: request.allowConcurrent === true,
      },
      signal,
    );
    if (!(lease instanceof Lease)) {
      if (lease.kind === "abandoned")
        throw new RunRefusedError(
          "the request was cancelled while the run waited for a slot (--max-concurrent); nothing was started.",
        );
      if (lease.kind === "busy_directory") {
        throw new RunRefusedError(
          `run ${lease.writer} is already writing in ${cwd}; two writers in one directory trample each other. Wait for it (run_status), cancel it (cancel_run), use mode "read-only", or pass allow_concurrent: true.`,
        );
      }
      if (lease.kind === "lock_held") {
        throw new RunRefusedError(
          `the slot lock ${lease.path} was held by ${lease.holder} for all of the queue wait (${config.queueWaitMs} ms, --queue-wait-ms). If no codex-control-mcp process is starting a run, remove that file.`,
        );
      }
      throw new RunRefusedError(
        `${config.maxConcurrent} runs are already running (the limit, --max-concurrent) and none finished within ${config.queueWaitMs} ms. Wait for one (run_status) or cancel one (cancel_run), then try again.`,
      );
    }
    // refused before its supervisor exists: the run never was, nothing of it stays
    const abandon = async () => {
      await lease.release();
      await removeTree(dir);
    };
    let job: Job;
    try {
      await ownDirectory(runsDir(config.stateDir));
      await ownDirectory(dir);
      // images are copied only once the run has its slot: queued calls hold no copies
      const images = await copyCheckedImages(request.images ?? [], config.allowedRoots, inputsDir);
      if (outputSchemaFile) {
        await ownDirectory(inputsDir);
        await writeFile(outputSchemaFile, JSON.stringify(request.outputSchema), { mode: 0o600, flag: "wx" });
      }
      const checked = { ...exec, cwd, images, sandboxExclusions: reach.exclusions };
      const argv =
        engine === "app-server"
          ? ["app-server"]
          : buildExecArgv(
              { ...checked, lastMessageFile: lastMessageFile(config.stateDir, runId), outputSchemaFile },
              caps,
            );
      job = {
        runId,
        stateDir: config.stateDir,
        codexHome: config.codexHome,
        codexBin: config.codexBin,
        argv,
        engine,
        thread: engine === "app-server" ? threadSettingsOf(checked) : null,
        images: engine === "app-server" ? images : [],
        outputSchema: engine === "app-server" ? (request.outputSchema ?? null) : null,
        approvalTimeoutMs: config.approvalTimeoutMs ?? APPROVAL_TIMEOUT_MS,
        workspace,
        env: {
          ...stringEnv(config.childEnv),
          CODEX_HOME: config.codexHome,
          [RUN_MARKER]: runId,
          [DEPTH_MARKER]: String(depth + 1),
        },
        // a review's stdin is what its invocation says (empty, or the adapted review prompt)
        prompt: request.review ? reviewInvocation(request.review, caps).stdin : request.prompt,
        task: request.review ? "review" : "exec",
        worktree: request.worktree === true,
        mode: request.mode,
        model: request.model ?? null,
        timeoutMs,
        killGraceMs: config.killGraceMs,
        codexVersion: caps.version,
        terminalEvents: caps.jsonStream === "current",
        discoverSession: engine === "exec" && caps.jsonStream === "legacy" && request.resumeSessionId === undefined,
        resumeOf: request.resumeSessionId ?? null,
        skipGitRepoCheck: await skipsGitCheck(engine, cwd, request.skipGitRepoCheck === true),
        recordPrompt: config.recordPrompts,
        serverPid: process.pid,
      };
    } catch (error) {
      await abandon();
      throw error;
    }
    // given up on while the slot was taken and the job made: a run started now would be cancelled at once
    if (signal?.aborted) {
      await abandon();
      throw new RunRefusedError(
        "the request was cancelled before the run's supervisor was started; nothing was started.",
      );
    }
    try {
      await spawnSupervisor(job, lease, this.registry, {
        signal,
        ...(config.supervisorStartMs !== undefined && { startMs: config.supervisorStartMs }),
      });
    } catch (error) {
      // a supervisor told to stop may still be stopping Codex: it frees the slot itself (supervisor-spawn.ts)
      if (!(error instanceof SupervisorStopping)) {
        await lease.release();
        await removeTree(inputsDir);
      }
      throw error;
    }
    this.startedHere.add(runId);
    return runId;
  }

  /** The installed CLI's app-server, probed once per binary; a CLI without one (or without a method we use) refuses. */
  private async appServerProtocol(): Promise<AppServerProtocol> {
    const { codexBin, childEnv, codexHome } = this.config;
    let probe = this.appServers.get(codexBin);
    if (!probe) {
      probe = probeAppServer(codexBin, stringEnv({ ...childEnv, CODEX_HOME: codexHome }));
      this.appServers.set(codexBin, probe);
      probe.catch(() => this.appServers.delete(codexBin));
    }
    try {
      return await probe;
    } catch (error) {
      throw new RunRefusedError(error instanceof Error ? error.message : String(error));
    }
  }

  /** Cancels the runs this process started, if the operator asked for that (--stop-runs-on-exit). */
  async shutdown(reason: string): Promise<void> {
    if (!this.config.stopRunsOnExit) return;
    await Promise.all([...this.startedHere].map((runId) => this.registry.cancel(runId, reason)));
  }

  /**
   * Runs whose supervisor died (SIGKILL, a crash) are settled: their processes stopped, their end recorded; the
   * leases of runs that never started and whose holder is gone are swept (lease-sweep.ts).
   */
  async recover(): Promise<number> {
    const stopped = await this.registry.settleAll();
    await sweepLeases(this.config.stateDir);
    return stopped;
  }
}

function newRunId(): string {
  return `run_${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}
