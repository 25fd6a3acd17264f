// What the supervisor needs of a run, whichever engine drives Codex: `codex exec` (codex-process.ts) or
// `codex app-server` (app-server-run.ts).
import type { RunStatus, TokenTotals } from "../sessions/index.js";
import type { RunOutcome, StopReason } from "./outcome.js";
import type { RunEvents } from "./run-events.js";

export interface SupervisedRun {
  readonly startedAt: Date;
  sessionId: string | null;
  endedAt: Date | null;
  outcome: RunOutcome | null;
  /** What Codex said: final message, errors, files changed. */
  readonly events: RunEvents;
  readonly recentEvents: Array<{ at: string; message: string }>;
  stderrTail: string;
  pgid: number | null;
  /** Resolves when Codex has ended and its leftovers are gone. */
  readonly done: Promise<void>;
  /** Resolves when the session id is known, or the run has ended without one. */
  readonly sessionKnown: Promise<void>;
  readonly status: RunStatus;
  readonly durationMs: number;
  readonly usage: TokenTotals | null;
  /** Progress lines as they happen. Returns an unsubscribe function. */
  onProgress(listener: (message: string) => void): () => void;
  start(): Promise<void>;
  stop(reason: StopReason, detail: string): Promise<void>;
}

const RECENT_EVENTS = 20;

/** One progress line: flattened, bounded, kept among the recent ones and told to every listener. */
export function emitProgress(
  recent: Array<{ at: string; message: string }>,
  listeners: Iterable<(message: string) => void>,
  message: string,
): void {
  const flat = message.replace(/\s+/g, " ").trim().slice(0, 300);
  recent.push({ at: new Date().toISOString(), message: flat });
  if (recent.length > RECENT_EVENTS) recent.shift();
  for (const listener of listeners) listener(flat);
}
