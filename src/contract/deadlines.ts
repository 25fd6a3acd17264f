// The time by which a run's supervisor has ended its run, whatever happened: past it, a supervisor that is
// still alive is hung (stopped, its event loop blocked), since each of its own bounds is behind it.
import { LEFTOVERS_GONE_MS } from "../codex/processes.js";

/**
 * How often a run's supervisor touches its lease (its mtime): the deadline below is wall-clock, the supervisor's
 * own timers are monotonic, so a machine that slept wakes past the deadline with a healthy run; one that still
 * beats is not hung.
 */
export const SUPERVISOR_BEAT_MS = 1000;

/** What the supervisor's recording of the end may take beyond its bounds (a loaded machine), and clock drift. */
export const HUNG_MARGIN_MS = 10_000;

/**
 * What a supervisor takes, at most, from freeing its slot (its Codex gone) to its recorded end: reading the last
 * message, publishing, two ledger appends. Past it, one still alive and no longer beating is hung.
 */
export const ENDING_MS = HUNG_MARGIN_MS;

/**
 * How long a supervisor takes, at most, from its start to its run's recorded end: the hard timeout, SIGINT's and
 * SIGTERM's grace periods, the wait for what is left after SIGKILL, and a margin. On its own monotonic clock (a
 * machine's sleep does not count), past it its own timeout has failed: it stops beating (supervisor.ts).
 */
export function supervisorSpanMs({ timeoutMs, killGraceMs }: { timeoutMs: number; killGraceMs: number }): number {
  return timeoutMs + 2 * killGraceMs + LEFTOVERS_GONE_MS + HUNG_MARGIN_MS;
}

/**
 * When the supervisor handed a run at `from` is hung if it is still there: its start (`startMs`, the server's
 * wait for the start record) and its span.
 */
export function hungAfter(
  from: Date,
  { startMs, timeoutMs, killGraceMs }: { startMs: number; timeoutMs: number; killGraceMs: number },
): string {
  return new Date(from.getTime() + startMs + supervisorSpanMs({ timeoutMs, killGraceMs })).toISOString();
}
