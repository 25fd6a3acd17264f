// What the supervisor needs of a run, whichever engine drives Codex: `codex exec` (codex-process.ts) or
// `codex app-server` (app-server-run.ts). The bookkeeping both share lives here; each engine starts, stops and
// reads Codex its own way.
import type { RunState } from "../contract/index.js";
import type { RunStatus, TokenTotals } from "../sessions/index.js";
import type { RunOutcome, StopReason } from "./outcome.js";
import { RunEvents } from "./run-events.js";

const RECENT_EVENTS = 20;

export abstract class SupervisedRun {
  readonly startedAt = new Date();
  sessionId: string | null = null;
  endedAt: Date | null = null;
  outcome: RunOutcome | null = null;
  /** What Codex said: final message, errors, files changed. */
  readonly events = new RunEvents();
  readonly recentEvents: Array<{ at: string; message: string }> = [];
  stderrTail = "";
  pgid: number | null = null;
  /** Resolves when Codex has ended and its leftovers are gone. */
  readonly done: Promise<void>;
  /** Resolves when the session id is known, or the run has ended without one. */
  readonly sessionKnown: Promise<void>;
  protected readonly resolveDone: () => void;
  protected readonly resolveSession: () => void;
  private readonly listeners = new Set<(message: string) => void>();

  constructor() {
    let resolveDone!: () => void;
    let resolveSession!: () => void;
    this.done = new Promise((resolve) => (resolveDone = resolve));
    this.sessionKnown = new Promise((resolve) => (resolveSession = resolve));
    this.resolveDone = resolveDone;
    this.resolveSession = resolveSession;
  }

  abstract readonly usage: TokenTotals | null;
  abstract start(): Promise<void>;
  abstract stop(reason: StopReason, detail: string): Promise<void>;

  /** What the run publishes beyond the state every run has (the app-server's live numbers, approvals, typed error). */
  published(): Partial<RunState> {
    return {};
  }

  /** Serves what servers left in the run's directory for it besides a cancel (the app-server's steers). */
  async serveRequests(): Promise<void> {}

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

  /** One progress line: flattened, bounded, kept among the recent ones and told to every listener. */
  protected emit(message: string): void {
    const flat = message.replace(/\s+/g, " ").trim().slice(0, 300);
    this.recentEvents.push({ at: new Date().toISOString(), message: flat });
    if (this.recentEvents.length > RECENT_EVENTS) this.recentEvents.shift();
    for (const listener of this.listeners) listener(flat);
  }
}
