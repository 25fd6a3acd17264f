// One `codex exec` process: spawn it (own process group, prompt on stdin, stdin then closed), feed its
// `--json` stream to the event reducer, enforce the hard timeout, stop it on cancel, and decide how it ended.
import type { ResultPromise } from "execa";
import type { RunMode } from "../codex/argv.js";
import { parseExecLine } from "../codex/exec-events.js";
import { loadExeca } from "../codex/execa.js";
import { declaredMcpServers, overrideKeysOf } from "../codex/mcp-startup.js";
import { holdersOf, killRunLeftovers, openFileOf, withLeftovers } from "../codex/processes.js";
import type { TokenTotals } from "../sessions/index.js";
import { SESSION_UUID } from "../contract/index.js";
import { boundedLines } from "../shared/bounded-lines.js";
import { lastLines } from "../codex/stderr-report.js";
import { signalUntilGone } from "./escalation.js";
import { decideOutcome, type StopReason } from "./outcome.js";
import { SupervisedRun } from "./supervised-run.js";

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

const STDERR_TAIL_CHARS = 4000;
/**
 * How long Codex's output is still read once its own process has exited: what it wrote is in the pipe by then.
 * A process outside its group and marker that holds the pipe open (a command's detached grandchild) kept the
 * run from ever ending; past this, it is left holding a pipe nobody reads, and the run's end names it.
 */
export const OUTPUT_DRAIN_MS = 2000;
/** A stdout "line" longer than this is garbage (Codex's own lines are far shorter) and is dropped unread. */
const MAX_STDOUT_LINE = 32 * 1024 * 1024;
/** The final message of `events` may be replaced by `--output-last-message`'s file at the end (the supervisor's). */
export class CodexRun extends SupervisedRun {
  private child: ResultPromise | undefined;
  private stopRequest: { reason: StopReason; detail: string } | undefined;
  private stopping: Promise<void> | undefined;

  constructor(readonly options: RunOptions) {
    super();
  }

  get usage(): TokenTotals | null {
    return this.events.usage;
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
    if (this.stopRequest && this.pgid !== null) this.stopping = this.escalate(this.pgid);
    // When Codex itself exits, whatever it left in its group goes too: such a process (a command it
    // started in the background) would otherwise hold the output pipes open, and the run would never end.
    child.once("exit", () => void killRunLeftovers(options.runId, this.pgid));
    const timer = setTimeout(
      () => void this.stop("timeout", `no result within ${options.timeoutMs} ms`),
      options.timeoutMs,
    );
    timer.unref();

    const stdout = boundedLines(MAX_STDOUT_LINE, (line) => {
      for (const event of parseExecLine(line)) {
        const progress = this.events.apply(event);
        if (event.kind === "session") this.setSession(event.sessionId);
        if (progress !== undefined) this.emit(progress);
      }
    });
    child.stdout?.on("data", stdout.push);
    child.stdout?.on("end", stdout.end);
    // Codex's stdout as /proc names it, read while Codex runs: who still holds it after Codex has exited
    const pipe = child.pid === undefined ? Promise.resolve(undefined) : openFileOf(child.pid, 1);
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = lastLines(this.stderrTail + chunk.toString("utf8"), STDERR_TAIL_CHARS);
    });
    if (options.discoverSessionId) void this.pollSessionId(options.discoverSessionId);

    const held = new Promise<"held">((resolve) =>
      child.once("exit", () => setTimeout(() => resolve("held"), OUTPUT_DRAIN_MS).unref()),
    );
    void Promise.race([child, held]).then(async (settled) => {
      clearTimeout(timer);
      let result: { exitCode?: number; signal?: string; shortMessage?: string } = {};
      let heldBy: string | undefined;
      if (settled === "held") {
        stdout.end();
        child.stdout?.destroy();
        child.stderr?.destroy();
        const holders = await pipe.then((name) => (name === undefined ? [] : holdersOf(name)));
        const by =
          holders.length > 0 ? `a process outside the run (pid ${holders.slice(0, 20).join(", ")})` : "a process";
        heldBy = `Codex exited, but its output was still held open ${OUTPUT_DRAIN_MS} ms later by ${by}: it was read no further`;
        result = { exitCode: child.exitCode ?? undefined, signal: child.signalCode ?? undefined };
      } else result = settled;
      await this.stopping;
      // the wrapper may be gone while the native binary or a command it started lives on: the run ends only
      // once they are gone too (or names them)
      const leftovers = await killRunLeftovers(options.runId, this.pgid);
      // a short run can end between two polls for its session id
      if (this.sessionId === null && options.discoverSessionId) {
        const found = await options.discoverSessionId().catch(() => undefined);
        if (found) this.setSession(found);
      }
      this.endedAt = new Date();
      const spawnFailed = result.exitCode === undefined && result.signal === undefined;
      this.outcome = withLeftovers(
        decideOutcome(
          {
            exitCode: result.exitCode ?? null,
            signal: result.signal ?? null,
            spawnError: spawnFailed ? result.shortMessage : undefined,
            stop: this.stopRequest,
            terminalEvents: options.terminalEvents,
            stderrTail: this.stderrTail,
            // only a failed start reads them: a required MCP server's error may name another after "; "
            declaredMcpServers:
              result.exitCode !== 0 && this.sessionId === null
                ? await declaredMcpServers(options.env.CODEX_HOME, options.cwd, overrideKeysOf(options.argv))
                : new Set(),
          },
          this.events,
        ),
        leftovers,
      );
      if (heldBy !== undefined)
        this.outcome.error = this.outcome.error === null ? heldBy : `${this.outcome.error}; ${heldBy}`;
      this.emit(`ended: ${this.outcome.status}${this.outcome.error ? ` (${this.outcome.error.slice(0, 200)})` : ""}`);
      this.resolveSession();
      this.resolveDone();
    });
  }

  /** Stop the run: SIGINT, SIGTERM, then SIGKILL to the whole group (escalation.ts). */
  stop(reason: StopReason, detail: string): Promise<void> {
    if (this.outcome || this.stopRequest) return (this.stopping ?? Promise.resolve()).then(() => this.done);
    this.stopRequest = { reason, detail };
    // not spawned yet: start() stops it as soon as it exists
    if (this.pgid !== null) this.stopping = this.escalate(this.pgid);
    return (this.stopping ?? Promise.resolve()).then(() => this.done);
  }

  private escalate(pgid: number): Promise<void> {
    return signalUntilGone(pgid, (ms) => this.exitsWithin(ms), this.options.killGraceMs);
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

  private setSession(sessionId: string): void {
    if (this.sessionId !== null) return;
    // an id goes into the ledger and later into `codex exec resume` commands: only Codex's own shape is taken
    if (!SESSION_UUID.test(sessionId)) {
      this.emit(`ignored a session id that is not a UUID: ${JSON.stringify(sessionId.slice(0, 80))}`);
      return;
    }
    this.sessionId = sessionId;
    const expected = this.options.expectedSessionId;
    if (expected !== undefined && sessionId !== expected) {
      void this.stop(
        "wrong_session",
        `Codex started a new session ${sessionId} instead of resuming ${expected} (it does that when it cannot find the session it was asked for); the run was stopped.`,
      );
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
}
