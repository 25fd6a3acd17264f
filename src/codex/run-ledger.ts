// The run ledger: an append-only JSONL file (`runs.jsonl` in the server's state dir) with a `start`, a
// `session` and an `end` record per run. Each record is one `appendFile` of one line, kept small (tails are
// capped), so a server killed mid-write leaves at most a torn last line, which reading skips. It outlives
// the server: run_status answers for runs of an earlier process, and session_summary cites what the
// session log alone does not hold (Codex does not write every error into the rollout in exec mode).
import { appendFile, mkdir, open, stat } from "node:fs/promises";
import { join } from "node:path";
import { readForward } from "../shared/lines.js";
import type { RunMode } from "./argv.js";
import type { ProcessId } from "./liveness.js";
import type { RunStatus, TokenTotals } from "../sessions/index.js";

export type { RunStatus } from "../sessions/index.js";

export interface StartRecord {
  type: "start";
  run_id: string;
  at: string;
  argv: string[];
  cwd: string;
  mode: RunMode;
  pgid: number | null;
  /** The server process that started the run. */
  server_pid: number;
  /** The run's supervisor, which follows it to its end (absent in records of earlier versions: the server followed it). */
  supervisor?: ProcessId;
  codex_version: string;
  prompt_preview: string;
  resume_of: string | null;
}

export interface SessionRecord {
  type: "session";
  run_id: string;
  at: string;
  session_id: string;
}

export interface EndRecord {
  type: "end";
  run_id: string;
  at: string;
  status: Exclude<RunStatus, "running">;
  session_id: string | null;
  exit_code: number | null;
  signal: string | null;
  duration_ms: number;
  error: string | null;
  /** Errors Codex printed in its `--json` stream, newest last. */
  errors: string[];
  stderr_tail: string;
  final_message: string | null;
  usage: TokenTotals | null;
}

export type LedgerRecord = StartRecord | SessionRecord | EndRecord;

export interface LedgerRun {
  start: StartRecord;
  session_id: string | null;
  end: EndRecord | null;
}

const FILE = "runs.jsonl";

export class RunLedger {
  readonly path: string;
  private made: Promise<unknown> | undefined;
  /** What has been parsed so far: up to `offset`, always the end of a whole line. */
  private read = { offset: 0, runs: new Map<string, LedgerRun>() };
  private reading: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {
    this.path = join(dir, FILE);
  }

  async append(record: LedgerRecord): Promise<void> {
    this.made ??= mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.made;
    const separator = await this.separator();
    await appendFile(this.path, `${separator}${boundedLine(record)}\n`, { mode: 0o600 });
  }

  /**
   * A process killed mid-write (this one's predecessor, or another server sharing the state dir) leaves a
   * torn last line; the next record then starts on a new line instead of being glued to it. Records are
   * few (three per run), so the file's last byte is checked every time.
   */
  private async separator(): Promise<string> {
    const handle = await open(this.path, "r").catch(() => undefined);
    if (!handle) return "";
    try {
      const { size } = await handle.stat();
      if (size === 0) return "";
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      return last[0] === 10 ? "" : "\n";
    } finally {
      await handle.close();
    }
  }

  /**
   * Every run in the file, oldest first. Lines that are not whole records are skipped. The file only
   * grows, so each call parses just what was appended since the last one (a smaller file is read again).
   */
  runs(): Promise<LedgerRun[]> {
    const read = this.reading.then(() => this.catchUp());
    this.reading = read.catch(() => undefined);
    return read;
  }

  private async catchUp(): Promise<LedgerRun[]> {
    const size = await stat(this.path).then(
      (info) => info.size,
      () => 0,
    );
    if (size < this.read.offset) this.read = { offset: 0, runs: new Map() };
    if (size > this.read.offset) {
      const { runs } = this.read;
      const { end } = await readForward(this.path, this.read.offset, ({ text }) => applyRecord(runs, parseRecord(text)));
      this.read.offset = end;
    }
    return [...this.read.runs.values()];
  }

  async find(runId: string): Promise<LedgerRun | undefined> {
    return (await this.runs()).find((run) => run.start.run_id === runId);
  }

  /** The newest run of a session, if this server (or an earlier one with the same state dir) ran it. */
  async findBySession(sessionId: string): Promise<LedgerRun | undefined> {
    return (await this.runs()).findLast((run) => run.session_id === sessionId);
  }
}

/** A ledger line never reaches this size: a caller's 3 MB config value must not make a 3 MB line. */
export const MAX_RECORD_BYTES = 64 * 1024;

/**
 * The record as one JSON line under MAX_RECORD_BYTES: long strings (and long lists) are cut, each noting
 * its original length, with a tighter cut until the line fits.
 */
export function boundedLine(record: LedgerRecord): string {
  let line = JSON.stringify(record);
  for (const keep of [16_384, 4096, 1024, 256, 64]) {
    if (Buffer.byteLength(line) < MAX_RECORD_BYTES) return line;
    line = JSON.stringify(record, (_key, value: unknown) => {
      if (typeof value === "string" && value.length > keep) return `${value.slice(0, keep)}… [truncated: ${value.length} chars]`;
      if (Array.isArray(value) && value.length > 64) return [...value.slice(0, 64), `… [truncated: ${value.length} items]`];
      return value;
    });
  }
  return line;
}

function applyRecord(runs: Map<string, LedgerRun>, record: LedgerRecord | undefined): void {
  if (!record) return;
  if (record.type === "start") {
    runs.set(record.run_id, { start: record, session_id: record.resume_of, end: null });
    return;
  }
  const run = runs.get(record.run_id);
  if (!run) return;
  if (record.type === "session") run.session_id = record.session_id;
  else {
    run.end = record;
    run.session_id = record.session_id ?? run.session_id;
  }
}

function parseRecord(line: string): LedgerRecord | undefined {
  if (line.trim() === "") return undefined;
  try {
    const value = JSON.parse(line) as Partial<LedgerRecord>;
    if (typeof value.run_id !== "string") return undefined;
    if (value.type === "start" || value.type === "session" || value.type === "end") return value as LedgerRecord;
  } catch {
    // a torn last line
  }
  return undefined;
}
