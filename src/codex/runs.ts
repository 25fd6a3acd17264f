// Every run this server starts: the policy checks before spawning, the limits (concurrent runs, one writer
// per directory across every process of the state dir, delegation depth), and the hand-over to the run's
// supervisor, a detached process that follows the run to its end whether or not this process lives on.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, open, readFile, realpath, stat, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildExecArgv, type ExecRequest } from "./argv.js";
import { CapabilityProbe } from "./capabilities.js";
import { processId } from "./liveness.js";
import { DEPTH_MARKER, RUN_MARKER, delegationDepth } from "./processes.js";
import { RunRegistry } from "./registry.js";
import { Lease, Scheduler } from "./scheduler.js";
import { runDir } from "./snapshot.js";
import type { Job } from "./supervisor.js";

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
  /** Environment handed to Codex (before the run's own markers and CODEX_HOME). */
  childEnv: NodeJS.ProcessEnv;
  /** Cancel the runs this process started when it shuts down (the behaviour before runs had supervisors). */
  stopRunsOnExit: boolean;
}

export interface StartRequest extends Omit<ExecRequest, "outputSchemaFile" | "lastMessageFile"> {
  prompt: string;
  timeoutMs?: number;
  /** JSON Schema for the final message; written to a file for `--output-schema`. */
  outputSchema?: Record<string, unknown>;
  allowConcurrent?: boolean;
}

/** How long a supervisor may take to start Codex and record the start (the capability probe already ran). */
const SUPERVISOR_START_MS = 30_000;

/** A request this server will not run; the message says why and what to do instead. */
export class RunRefusedError extends Error {
  override readonly name = "RunRefusedError";
}

export class RunManager {
  /** Every run of this state dir, whoever started it. */
  readonly registry: RunRegistry;
  private readonly probe: CapabilityProbe;
  private readonly scheduler: Scheduler;
  /** Runs this process started (stopped on exit with --stop-runs-on-exit). */
  private readonly startedHere = new Set<string>();
  private depth: Promise<number> | undefined;

  constructor(readonly config: RunnerConfig) {
    this.registry = new RunRegistry(config.stateDir, config.codexHome, config.killGraceMs);
    this.probe = new CapabilityProbe(config.childEnv);
    this.scheduler = new Scheduler(config.stateDir, config.maxConcurrent, config.queueWaitMs);
  }

  capabilities() {
    return this.probe.get(this.config.codexBin);
  }

  /** Starts the run under its supervisor; resolves with its run_id once the supervisor has recorded its start. */
  async start(request: StartRequest): Promise<string> {
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
    const cwd = await existingDirectory(request.cwd);
    await mustBeInsideRoots(cwd, config.allowedRoots, "cwd");
    const timeoutMs = request.timeoutMs ?? config.defaultTimeoutMs;
    if (timeoutMs > config.maxTimeoutMs) {
      throw new RunRefusedError(`timeout_ms ${timeoutMs} is above this server's maximum of ${config.maxTimeoutMs} ms (--max-timeout-ms).`);
    }
    for (const image of request.images ?? []) {
      await existingFile(image, "image");
      await mustBeInsideRoots(await realpath(image), config.allowedRoots, "image");
    }
    const caps = await this.probe.get(config.codexBin);

    const runId = newRunId();
    const dir = runDir(config.stateDir, runId);
    const lastMessageFile = join(dir, `${runId}-last-message.txt`);
    const outputSchemaFile = request.outputSchema ? join(dir, `${runId}-schema.json`) : undefined;
    const { prompt: _prompt, timeoutMs: _timeout, outputSchema: _schema, allowConcurrent: _concurrent, ...exec } = request;
    const argv = buildExecArgv({ ...exec, cwd, lastMessageFile, outputSchemaFile }, caps);

    const lease = await this.scheduler.acquire({ runId, cwd, writer: request.mode !== "read-only", shareDirectory: request.allowConcurrent === true });
    if (!(lease instanceof Lease)) {
      if (lease.kind === "busy_directory") {
        throw new RunRefusedError(
          `run ${lease.writer} is already writing in ${cwd}; two writers in one directory trample each other. Wait for it (run_status), cancel it (cancel_run), use mode "read-only", or pass allow_concurrent: true.`,
        );
      }
      throw new RunRefusedError(
        `${config.maxConcurrent} runs are already running (the limit, --max-concurrent) and none finished within ${config.queueWaitMs} ms. Wait for one (run_status) or cancel one (cancel_run), then try again.`,
      );
    }
    const job: Job = {
      runId,
      stateDir: config.stateDir,
      codexHome: config.codexHome,
      codexBin: config.codexBin,
      argv,
      cwd,
      env: { ...stringEnv(config.childEnv), CODEX_HOME: config.codexHome, [RUN_MARKER]: runId, [DEPTH_MARKER]: String(depth + 1) },
      prompt: request.prompt,
      mode: request.mode,
      model: request.model ?? null,
      timeoutMs,
      killGraceMs: config.killGraceMs,
      codexVersion: caps.version,
      terminalEvents: caps.jsonStream === "current",
      discoverSession: caps.jsonStream === "legacy" && request.resumeSessionId === undefined,
      resumeOf: request.resumeSessionId ?? null,
      lastMessageFile,
      outputSchemaFile: outputSchemaFile ?? null,
      leasePath: lease.path,
      serverPid: process.pid,
    };
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      if (outputSchemaFile) await writeFile(outputSchemaFile, JSON.stringify(request.outputSchema), { mode: 0o600 });
      await this.spawnSupervisor(job, lease);
    } catch (error) {
      await lease.release();
      throw error;
    }
    this.startedHere.add(runId);
    return runId;
  }

  /**
   * The supervisor gets its own session (no signal to this process or its terminal reaches it) and no
   * stdio of ours beyond the job on its stdin; its stderr goes to `supervisor.log` beside its state.
   */
  private async spawnSupervisor(job: Job, lease: Lease): Promise<void> {
    const dir = runDir(job.stateDir, job.runId);
    const logFile = join(dir, "supervisor.log");
    const log = await open(logFile, "a", 0o600);
    let exited = false;
    try {
      const child = spawn(process.execPath, [supervisorEntry()], {
        detached: true,
        stdio: ["pipe", "ignore", log.fd],
        env: process.env,
        // not the server's working directory, which a host may remove once it is done
        cwd: dir,
      });
      child.once("exit", () => (exited = true));
      child.once("error", () => (exited = true));
      if (child.pid === undefined) throw new Error(`could not start the run's supervisor (${process.execPath} ${supervisorEntry()})`);
      await lease.handOver(await processId(child.pid));
      child.stdin?.on("error", () => undefined);
      child.stdin?.end(JSON.stringify(job));
      child.unref();
    } finally {
      await log.close();
    }
    // the supervisor publishes its state, then records the start: from then on any process finds the run
    const deadline = Date.now() + SUPERVISOR_START_MS;
    while ((await this.registry.ledger.find(job.runId)) === undefined) {
      if (Date.now() > deadline) throw new Error(`the run's supervisor did not record the start of run ${job.runId} within ${SUPERVISOR_START_MS} ms (see ${logFile})`);
      if (exited) {
        const why = (await readFile(logFile, "utf8").catch(() => "")).trim().split("\n").slice(-3).join(" | ");
        throw new Error(`the run's supervisor exited before starting Codex${why ? `: ${why.slice(0, 500)}` : ""}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Cancels the runs this process started, if the operator asked for that (--stop-runs-on-exit). */
  async shutdown(reason: string): Promise<void> {
    if (!this.config.stopRunsOnExit) return;
    await Promise.all([...this.startedHere].map((runId) => this.registry.cancel(runId, reason)));
  }

  /** Runs whose supervisor died (SIGKILL, a crash) are settled: their processes stopped, their end recorded. */
  recover(): Promise<number> {
    return this.registry.settleAll();
  }
}

/** dist/supervisor.js: beside the bundle this code runs from, or (tests run the sources) the built one. */
export function supervisorEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = here.endsWith(join("src", "codex")) ? join(here, "..", "..", "dist", "supervisor.js") : join(here, "supervisor.js");
  if (!existsSync(built)) throw new Error(`the run supervisor ${built} is missing: run \`npm run build\``);
  return built;
}

async function existingDirectory(path: string): Promise<string> {
  if (!isAbsolute(path)) throw new RunRefusedError(`cwd must be an absolute path, got ${JSON.stringify(path.slice(0, 200))}.`);
  try {
    const real = await realpath(path);
    if (!(await stat(real)).isDirectory()) throw new RunRefusedError(`cwd ${path} is not a directory: pass the project directory Codex should work in.`);
    return real;
  } catch (error) {
    if (error instanceof RunRefusedError) throw error;
    throw new RunRefusedError(`cwd ${path} does not exist: pass an existing project directory.`);
  }
}

async function mustBeInsideRoots(realPath: string, roots: string[], what: string): Promise<void> {
  if (roots.length === 0) return;
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => undefined);
    if (realRoot !== undefined && isInside(realPath, realRoot)) return;
  }
  throw new RunRefusedError(`${what} ${realPath} is outside the allowed roots of this server (${roots.join(", ")}); the operator sets them with --allowed-root.`);
}

export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

async function existingFile(path: string, what: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new RunRefusedError(`${what} ${path} is not a readable file.`);
}

function newRunId(): string {
  return `run_${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) result[key] = value;
  return result;
}
