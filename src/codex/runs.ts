// Every run this server starts: the policy checks before spawning, the limits (concurrent runs, one writer
// per directory, delegation depth), the ledger, and the view of a run the tools return.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { SessionStore } from "../sessions/index.js";
import { listRolloutFiles } from "../sessions/locate.js";
import { edgeLines } from "../sessions/read-lines.js";
import { normalizeLine } from "../sessions/normalize.js";
import { tryParseJson } from "../sessions/tool-output.js";
import { buildExecArgv, type ExecRequest, type RunMode } from "./argv.js";
import { CapabilityProbe } from "./capabilities.js";
import { Ledger, type LedgerRun } from "./ledger.js";
import { DEPTH_MARKER, RUN_MARKER, delegationDepth, killMarkedProcesses } from "./processes.js";
import { CodexRun } from "./run.js";
import { refuseCallerSettings, RunRefusedError } from "./run-policy.js";
import { checkWorkspace, copyCheckedImages, stopIfWorkspaceSwapped, type CheckedDirectory } from "./workspace.js";
import { effectiveSettings, viewOfLedgerRun, viewOfRun, type Effective, type RunView } from "./run-view.js";

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
}

export interface StartRequest extends Omit<ExecRequest, "outputSchemaFile" | "lastMessageFile"> {
  prompt: string;
  timeoutMs?: number;
  /** JSON Schema for the final message; written to a file for `--output-schema`. */
  outputSchema?: Record<string, unknown>;
  allowConcurrent?: boolean;
}

/** Finished runs kept in memory (for run_status with their recent events); older ones are read from the ledger. */
const KEPT_RUNS = 200;

export { RunRefusedError } from "./run-policy.js";

interface Active {
  run: CodexRun;
  mode: RunMode;
  cwd: string;
  workspace: CheckedDirectory;
  request: StartRequest;
  effective?: Effective | null;
  /** Resolves when the run's end is in the ledger. */
  recorded?: Promise<void>;
}

export class RunManager {
  readonly ledger: Ledger;
  private readonly probe: CapabilityProbe;
  private readonly runs = new Map<string, Active>();
  private readonly waiters: Array<() => void> = [];
  private running = 0;
  private depth: Promise<number> | undefined;

  constructor(
    readonly config: RunnerConfig,
    /** The session reader of the server this manager belongs to. */
    readonly sessions: SessionStore = new SessionStore(config.codexHome, { stateDir: config.stateDir }),
  ) {
    this.ledger = new Ledger(config.stateDir);
    this.probe = new CapabilityProbe(config.childEnv);
  }

  capabilities() {
    return this.probe.get(this.config.codexBin);
  }

  async start(request: StartRequest): Promise<CodexRun> {
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
    const workspace = await checkWorkspace(request.cwd, config);
    const cwd = workspace.path;
    const timeoutMs = request.timeoutMs ?? config.defaultTimeoutMs;
    if (timeoutMs > config.maxTimeoutMs) {
      throw new RunRefusedError(`timeout_ms ${timeoutMs} is above this server's maximum of ${config.maxTimeoutMs} ms (--max-timeout-ms).`);
    }
    this.refuseSecondWriter(request, cwd);
    const caps = await this.probe.get(config.codexBin);

    const runId = newRunId();
    const scratch = join(config.stateDir, "tmp");
    await mkdir(scratch, { recursive: true, mode: 0o700 });
    const lastMessageFile = join(scratch, `${runId}-last-message.txt`);
    // the run's own inputs (schema, copies of checked images) go on every path: refusal, error, end
    const inputsDir = join(scratch, `${runId}-inputs`);
    const removeInputs = () => rm(inputsDir, { recursive: true, force: true });
    const outputSchemaFile = request.outputSchema ? join(inputsDir, "schema.json") : undefined;
    let argv: string[];
    try {
      const images = await copyCheckedImages(request.images ?? [], config.allowedRoots, inputsDir);
      if (outputSchemaFile) {
        await mkdir(inputsDir, { recursive: true, mode: 0o700 });
        await writeFile(outputSchemaFile, JSON.stringify(request.outputSchema), { mode: 0o600 });
      }
      const { prompt: _prompt, timeoutMs: _timeout, outputSchema: _schema, allowConcurrent: _concurrent, ...exec } = request;
      argv = buildExecArgv({ ...exec, cwd, images, lastMessageFile, outputSchemaFile }, caps);
    } catch (error) {
      await removeInputs();
      throw error;
    }

    let discoverSessionId: (() => Promise<string | undefined>) | undefined;
    try {
      discoverSessionId = caps.jsonStream === "legacy" && request.resumeSessionId === undefined ? await this.newSessionFinder(cwd) : undefined;
      await this.acquireSlot();
    } catch (error) {
      await removeInputs();
      throw error;
    }
    try {
      // again, with no await between this check and the run's registration: two calls cannot both pass
      this.refuseSecondWriter(request, cwd);
    } catch (error) {
      this.releaseSlot();
      await removeInputs();
      throw error;
    }
    const env = {
      ...stringEnv(config.childEnv),
      CODEX_HOME: config.codexHome,
      [RUN_MARKER]: runId,
      [DEPTH_MARKER]: String(depth + 1),
    };
    const run = new CodexRun({
      runId,
      codexBin: config.codexBin,
      argv,
      cwd,
      env,
      prompt: request.prompt,
      mode: request.mode,
      timeoutMs,
      killGraceMs: config.killGraceMs,
      terminalEvents: caps.jsonStream === "current",
      ...(request.resumeSessionId !== undefined && { expectedSessionId: request.resumeSessionId }),
      ...(discoverSessionId && { discoverSessionId }),
    });
    const active: Active = { run, mode: request.mode, cwd, workspace, request };
    this.runs.set(runId, active);
    await run.start();
    if (caps.jsonStream === "legacy" && request.resumeSessionId !== undefined) {
      // the legacy stream never names the session; a resume continues the one asked for
      run.sessionId = request.resumeSessionId;
    }
    const started = this.ledger.append({
      type: "start",
      run_id: runId,
      at: run.startedAt.toISOString(),
      argv: [config.codexBin, ...argv],
      cwd,
      mode: request.mode,
      pgid: run.pgid,
      server_pid: process.pid,
      codex_version: caps.version,
      prompt_preview: request.prompt.slice(0, 200),
      resume_of: request.resumeSessionId ?? null,
    });
    void run.sessionKnown.then(() => stopIfWorkspaceSwapped(config.codexHome, run, workspace));
    void run.sessionKnown.then(async () => {
      await started;
      if (run.sessionId && !run.outcome) await this.ledger.append({ type: "session", run_id: runId, at: new Date().toISOString(), session_id: run.sessionId });
    });
    active.recorded = run.done.then(async () => {
      this.releaseSlot();
      await started;
      const lastMessage = await readFile(lastMessageFile, "utf8").catch(() => "");
      if (lastMessage.trim() !== "") run.finalMessage = lastMessage.trim();
      await rm(lastMessageFile, { force: true });
      await removeInputs();
      active.effective = await effectiveSettings(this.sessions, active);
      const outcome = run.outcome;
      if (!outcome) return;
      await this.ledger.append({
        type: "end",
        run_id: runId,
        at: (run.endedAt ?? new Date()).toISOString(),
        status: outcome.status,
        session_id: run.sessionId,
        exit_code: outcome.exitCode,
        signal: outcome.signal,
        duration_ms: run.durationMs,
        error: outcome.error,
        errors: run.errors.slice(-5).map((error) => error.slice(0, 1000)),
        stderr_tail: run.stderrTail.slice(-2000),
        final_message: run.finalMessage?.slice(0, 4000) ?? null,
        usage: run.usage,
      });
      this.forgetOldRuns();
    });
    await started;
    return run;
  }

  private refuseSecondWriter(request: StartRequest, cwd: string): void {
    if (request.mode === "read-only" || request.allowConcurrent) return;
    const writer = [...this.runs.values()].find((active) => active.run.status === "running" && active.mode !== "read-only" && active.cwd === cwd);
    if (writer) {
      throw new RunRefusedError(
        `run ${writer.run.options.runId} is already writing in ${cwd}; two writers in one directory trample each other. Wait for it (run_status), cancel it (cancel_run), use mode "read-only", or pass allow_concurrent: true.`,
      );
    }
  }

  /** Finished runs beyond the newest KEPT_RUNS are forgotten here; the ledger still has them. */
  private forgetOldRuns(): void {
    const finished = [...this.runs.entries()].filter(([, active]) => active.run.status !== "running");
    for (const [runId] of finished.slice(0, Math.max(0, finished.length - KEPT_RUNS))) this.runs.delete(runId);
  }

  /** Resolves when the run has ended and everything about its end (ledger, final message) is recorded. */
  settled(run: CodexRun): Promise<void> {
    return this.runs.get(run.options.runId)?.recorded ?? run.done;
  }

  get(runId: string): CodexRun | undefined {
    return this.runs.get(runId)?.run;
  }

  /** The newest run of a session that this server process started. */
  findBySession(sessionId: string): CodexRun | undefined {
    return [...this.runs.values()].map((active) => active.run).findLast((run) => run.sessionId === sessionId);
  }

  recent(limit: number): CodexRun[] {
    return [...this.runs.values()].map((active) => active.run).slice(-limit).reverse();
  }

  async cancel(runId: string, reason: string): Promise<CodexRun | undefined> {
    const run = this.get(runId);
    if (run) await run.stop("cancelled", reason);
    return run;
  }

  /**
   * Runs of an earlier server process that was killed (SIGKILL, a crash) have a start and no end in the
   * ledger, and may still be running with no one to enforce their timeout. At start-up their processes
   * are stopped and an end is recorded, unless the server that started them is still alive.
   */
  async recover(): Promise<number> {
    let stopped = 0;
    for (const entry of await this.ledger.runs()) {
      if (entry.end || this.runs.has(entry.start.run_id) || processAlive(entry.start.server_pid)) continue;
      // the ledger's pgid is never trusted: only processes carrying this run's marker are the run's
      const killed = await killMarkedProcesses(entry.start.run_id);
      stopped += killed;
      await this.ledger.append({
        type: "end",
        run_id: entry.start.run_id,
        at: new Date().toISOString(),
        status: killed > 0 ? "cancelled" : "failed",
        session_id: entry.session_id,
        exit_code: null,
        signal: killed > 0 ? "SIGKILL" : null,
        duration_ms: Date.now() - Date.parse(entry.start.at),
        error:
          killed > 0
            ? `cancelled: the server that started this run stopped without ending it; its ${killed} process(es) were stopped when the next server started`
            : "the server that started this run stopped before it ended; see session_summary for what the session log says",
        errors: [],
        stderr_tail: "",
        final_message: null,
        usage: null,
      });
    }
    return stopped;
  }

  /** Stops every running run (server shutdown); resolves when their processes are gone and recorded. */
  async shutdown(reason: string): Promise<void> {
    const running = [...this.runs.values()].filter((active) => active.run.status === "running");
    await Promise.all(running.map((active) => active.run.stop("cancelled", reason)));
    await Promise.all(running.map((active) => active.recorded));
  }

  async view(run: CodexRun): Promise<RunView> {
    const active = this.runs.get(run.options.runId);
    let effective = active?.effective ?? null;
    if (active && active.effective === undefined) {
      effective = await effectiveSettings(this.sessions, active);
      // once the run has ended, what it ran with no longer changes
      if (run.outcome) active.effective = effective;
    }
    return viewOfRun(this.sessions, run, effective);
  }

  /** A run of an earlier server process, as its ledger records it. */
  viewFromLedger(entry: LedgerRun): Promise<RunView> {
    return viewOfLedgerRun(this.sessions, entry);
  }

  /** ≤0.41 never print the session id: it is the rollout that appears for this directory after the start. */
  private async newSessionFinder(cwd: string): Promise<() => Promise<string | undefined>> {
    const before = new Set((await listRolloutFiles(this.config.codexHome, { includeArchived: false })).map((file) => file.path));
    return async () => {
      for (const file of await listRolloutFiles(this.config.codexHome, { includeArchived: false })) {
        if (before.has(file.path)) continue;
        const { lines } = await edgeLines(file.path, "head", 64 * 1024);
        const meta = lines.slice(0, 1).flatMap((line) => normalizeLine(tryParseJson(line), 1) ?? [])[0];
        if (meta?.kind === "meta" && (meta.cwd === undefined || meta.cwd === cwd)) return meta.id;
      }
      return undefined;
    };
  }

  private async acquireSlot(): Promise<void> {
    if (this.running < this.config.maxConcurrent) {
      this.running += 1;
      return;
    }
    const got = await new Promise<boolean>((resolve) => {
      const grant = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(grant);
        if (index >= 0) this.waiters.splice(index, 1);
        resolve(false);
      }, this.config.queueWaitMs);
      this.waiters.push(grant);
    });
    if (!got) {
      throw new RunRefusedError(
        `${this.config.maxConcurrent} runs are already running (the limit, --max-concurrent) and none finished within ${this.config.queueWaitMs} ms. Wait for one (run_status) or cancel one (cancel_run), then try again.`,
      );
    }
  }

  private releaseSlot(): void {
    const next = this.waiters.shift();
    if (next) next(); // the slot passes straight to the next waiter
    else this.running -= 1;
  }
}

export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

function processAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function newRunId(): string {
  return `run_${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) result[key] = value;
  return result;
}
