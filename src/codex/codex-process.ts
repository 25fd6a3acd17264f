// One `codex exec` process: spawn (own process group, prompt on stdin, stdin then closed), read its
// `--json` stream, enforce the hard timeout, stop it on cancel, and decide how it ended from flags and
// events, never from message text.
import type { ResultPromise } from "execa";
import type { TokenTotals } from "../sessions/index.js";
import type { RunMode } from "./argv.js";
import { parseExecLine, type ExecEvent } from "./exec-events.js";
import type { RunStatus } from "./run-ledger.js";
import { loadExeca } from "./execa.js";
import { killRunLeftovers, signalGroup } from "./processes.js";

export interface RunOptions {
  runId: string;
  codexBin: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  prompt: string;
  mode: RunMode;
  timeoutMs: number;
  /** How long each stop signal (SIGINT, then SIGTERM) gets before the next, then SIGKILL. */
  killGraceMs: number;
  /** Resume: the session Codex must report; any other id means it silently started a new one. */
  expectedSessionId?: string;
  /** The stream ends a turn with `turn.completed`/`turn.failed` (0.43+); before that it printed no end. */
  terminalEvents: boolean;
  /** For streams that never print the session id (≤0.41): asked until it answers or the run ends. */
  discoverSessionId?: () => Promise<string | undefined>;
}

export type StopReason = "timeout" | "cancelled" | "wrong_session" | "wrong_workspace";

export interface RunOutcome {
  status: Exclude<RunStatus, "running">;
  exitCode: number | null;
  signal: string | null;
  error: string | null;
}

const STDERR_TAIL_CHARS = 4000;
/** A stdout "line" longer than this is garbage (Codex's own lines are far shorter) and is dropped unread. */
const MAX_STDOUT_LINE = 32 * 1024 * 1024;
const RECENT_EVENTS = 20;

export class CodexRun {
  readonly startedAt = new Date();
  sessionId: string | null = null;
  endedAt: Date | null = null;
  outcome: RunOutcome | null = null;
  finalMessage: string | null = null;
  usage: TokenTotals | null = null;
  readonly errors: string[] = [];
  readonly recentEvents: Array<{ at: string; message: string }> = [];
  readonly filesChanged: string[] = [];
  stderrTail = "";
  pgid: number | null = null;
  /** Resolves when the process has exited and its leftovers are gone. */
  readonly done: Promise<void>;
  /** Resolves when the session id is known, or the run has ended without one. */
  readonly sessionKnown: Promise<void>;

  private child: ResultPromise | undefined;
  private stopReason: StopReason | undefined;
  private stopDetail: string | undefined;
  private stopping: Promise<void> | undefined;
  private turnCompleted = false;
  private turnFailed: string | undefined;
  private turnAborted = false;
  private sawAgentMessage = false;
  private readonly listeners = new Set<(message: string) => void>();
  private readonly pendingPatches = new Map<string, string[]>();
  private resolveDone!: () => void;
  private resolveSession!: () => void;

  constructor(readonly options: RunOptions) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.sessionKnown = new Promise((resolve) => (this.resolveSession = resolve));
  }

  get status(): RunStatus {
    return this.outcome?.status ?? "running";
  }

  get durationMs(): number {
    return (this.endedAt ?? new Date()).getTime() - this.startedAt.getTime();
  }

  /** Progress lines ("running: npm test", "agent: …") as they happen. Returns an unsubscribe function. */
  onProgress(listener: (message: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    const { options } = this;
    const { execa } = await loadExeca();
    const child = execa(options.codexBin, options.argv, {
      cwd: options.cwd,
      env: options.env,
      extendEnv: false,
      input: options.prompt,
      detached: true, // its own process group, so the group can be stopped as a whole
      cleanup: true,
      buffer: false,
      reject: false,
      stripFinalNewline: false,
    });
    this.child = child;
    this.pgid = child.pid ?? null;
    if (this.stopReason && this.pgid !== null) this.stopping = this.signalUntilGone(this.pgid);
    // When Codex itself exits, whatever it left in its group goes too: such a process (a command it
    // started in the background) would otherwise hold the output pipes open, and the run would never end.
    child.once("exit", () => void killRunLeftovers(options.runId, this.pgid));
    const timer = setTimeout(() => void this.stop("timeout", `no result within ${options.timeoutMs} ms`), options.timeoutMs);
    timer.unref();

    const stdout = boundedLines(MAX_STDOUT_LINE, (line) => {
      for (const event of parseExecLine(line)) this.handle(event);
    });
    child.stdout?.on("data", stdout.push);
    child.stdout?.on("end", stdout.end);
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL_CHARS);
    });
    if (options.discoverSessionId) void this.pollSessionId(options.discoverSessionId);

    void child.then(async (result) => {
      clearTimeout(timer);
      await this.stopping;
      // the wrapper may be gone while the native binary or a command it started lives on
      await killRunLeftovers(options.runId, this.pgid);
      // a short run can end between two polls for its session id
      if (this.sessionId === null && options.discoverSessionId) {
        const found = await options.discoverSessionId().catch(() => undefined);
        if (found) this.setSession(found);
      }
      this.endedAt = new Date();
      const spawnFailed = result.exitCode === undefined && result.signal === undefined;
      this.outcome = this.decide(result.exitCode ?? null, result.signal ?? null, spawnFailed ? result.shortMessage : undefined);
      this.emit(`ended: ${this.outcome.status}${this.outcome.error ? ` (${this.outcome.error.slice(0, 200)})` : ""}`);
      this.resolveSession();
      this.resolveDone();
    });
  }

  /** Stop the run: SIGINT (Codex records an aborted turn), then SIGTERM, then SIGKILL, each to the whole group. */
  stop(reason: StopReason, detail: string): Promise<void> {
    if (this.outcome || this.stopReason) return (this.stopping ?? Promise.resolve()).then(() => this.done);
    this.stopReason = reason;
    this.stopDetail = detail;
    // not spawned yet: start() stops it as soon as it exists
    if (this.pgid !== null) this.stopping = this.signalUntilGone(this.pgid);
    return (this.stopping ?? Promise.resolve()).then(() => this.done);
  }

  private async signalUntilGone(pgid: number): Promise<void> {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      if (!signalGroup(pgid, signal)) return;
      if (await this.exitsWithin(this.options.killGraceMs)) return;
    }
    signalGroup(pgid, "SIGKILL");
  }

  private exitsWithin(ms: number): Promise<boolean> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private decide(exitCode: number | null, signal: string | null, spawnError: string | undefined): RunOutcome {
    const base = { exitCode, signal };
    if (this.stopReason === "timeout") return { ...base, status: "timeout", error: `timed out: ${this.stopDetail}` };
    if (this.stopReason === "cancelled") return { ...base, status: "cancelled", error: `cancelled: ${this.stopDetail}` };
    if (this.stopReason === "wrong_session" || this.stopReason === "wrong_workspace") return { ...base, status: "failed", error: this.stopDetail ?? this.stopReason };
    if (spawnError) return { ...base, status: "failed", error: spawnError };
    if (this.turnFailed !== undefined) return { ...base, status: "failed", error: this.turnFailed };
    const lastError = this.errors.at(-1);
    if (exitCode !== 0) {
      const reason = lastError ?? lastLine(this.stderrTail) ?? (signal ? `killed by ${signal}` : "no reason printed");
      return { ...base, status: "failed", error: `codex exited with ${signal ?? `code ${exitCode}`}: ${reason}` };
    }
    if (this.turnAborted) return { ...base, status: "failed", error: "the turn was interrupted" };
    if (this.turnCompleted) return { ...base, status: "completed", error: null };
    // ≤0.41 print no terminal event: an answer and no error is success
    if (!this.options.terminalEvents && this.sawAgentMessage && lastError === undefined) return { ...base, status: "completed", error: null };
    return { ...base, status: "failed", error: lastError ?? "codex exited without finishing the turn (no turn.completed event)" };
  }

  private handle(event: ExecEvent): void {
    switch (event.kind) {
      case "session":
        this.setSession(event.sessionId);
        return;
      case "turn_completed":
        this.turnCompleted = true;
        if (event.usage) this.usage = event.usage;
        this.emit("turn completed");
        return;
      case "turn_failed":
        this.turnFailed = event.message;
        this.emit(`turn failed: ${event.message}`);
        return;
      case "turn_aborted":
        this.turnAborted = true;
        return;
      case "command_started":
        this.emit(`running: ${event.command}`);
        return;
      case "command_finished":
        if (event.exitCode !== undefined && event.exitCode !== 0) this.emit(`command failed (exit ${event.exitCode})${event.command ? `: ${event.command}` : ""}`);
        return;
      case "agent_message":
        this.sawAgentMessage = true;
        this.finalMessage = event.text;
        this.emit(`agent: ${event.text}`);
        return;
      case "reasoning":
        this.emit(`thinking: ${event.text}`);
        return;
      case "file_change":
        this.changed(event.paths);
        return;
      case "patch_begin":
        this.pendingPatches.set(event.callId, event.paths);
        return;
      case "patch_end":
        if (event.success) this.changed(this.pendingPatches.get(event.callId) ?? []);
        this.pendingPatches.delete(event.callId);
        return;
      case "tool_call":
        if (event.status !== "completed") this.emit(`tool: ${event.name}`);
        return;
      case "error":
        this.errors.push(event.message);
        if (this.errors.length > 20) this.errors.shift();
        this.emit(`error: ${event.message}`);
        return;
      case "usage":
        this.usage = event.usage;
        return;
      case "turn_started":
      case "warning":
      case "noise":
        return;
    }
  }

  private changed(paths: string[]): void {
    for (const path of paths) if (!this.filesChanged.includes(path)) this.filesChanged.push(path);
    if (paths.length > 0) this.emit(`editing: ${paths.join(", ")}`);
  }

  private setSession(sessionId: string): void {
    if (this.sessionId !== null) return;
    const expected = this.options.expectedSessionId;
    if (expected !== undefined && sessionId !== expected) {
      this.sessionId = sessionId;
      void this.stop(
        "wrong_session",
        `Codex started a new session ${sessionId} instead of resuming ${expected} (it does that when it cannot find the session it was asked for); the run was stopped.`,
      );
    } else {
      this.sessionId = sessionId;
    }
    this.emit(`session: ${sessionId}`);
    this.resolveSession();
  }

  private async pollSessionId(discover: () => Promise<string | undefined>): Promise<void> {
    while (this.sessionId === null && !this.outcome) {
      const found = await discover().catch(() => undefined);
      if (found) {
        this.setSession(found);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  private emit(message: string): void {
    const flat = message.replace(/\s+/g, " ").trim().slice(0, 300);
    this.recentEvents.push({ at: new Date().toISOString(), message: flat });
    if (this.recentEvents.length > RECENT_EVENTS) this.recentEvents.shift();
    for (const listener of this.listeners) listener(flat);
  }
}

/** Stderr's last meaningful line, bounded (its end, where the reason usually is). */
function lastLine(text: string): string | undefined {
  const line = text
    .split("\n")
    .map((candidate) => candidate.trim())
    .filter((candidate) => candidate !== "" && !candidate.startsWith("WARNING: proceeding") && candidate !== "Reading additional input from stdin...")
    .at(-1);
  return line !== undefined && line.length > 500 ? `…${line.slice(-500)}` : line;
}

/**
 * Splits a byte stream into lines without holding more than `max` bytes of an unfinished line: what
 * exceeds it is dropped up to the next newline, so stdout garbage cannot exhaust memory.
 */
export function boundedLines(max: number, onLine: (line: string) => void): { push: (chunk: Buffer) => void; end: () => void } {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let dropping = false;
  const push = (chunk: Buffer): void => {
    let from = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, from)) {
      if (!dropping) onLine(Buffer.concat([...pending, chunk.subarray(from, newline)]).toString("utf8"));
      pending = [];
      pendingBytes = 0;
      dropping = false;
      from = newline + 1;
    }
    if (from >= chunk.length || dropping) return;
    pendingBytes += chunk.length - from;
    if (pendingBytes > max) {
      pending = [];
      pendingBytes = 0;
      dropping = true;
      return;
    }
    pending.push(chunk.subarray(from));
  };
  // a last line without a newline still counts
  const end = (): void => {
    if (!dropping && pendingBytes > 0) onLine(Buffer.concat(pending).toString("utf8"));
    pending = [];
    pendingBytes = 0;
  };
  return { push, end };
}
