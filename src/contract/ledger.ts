// The run ledger: an append-only JSONL file (`runs.jsonl` in the state dir) with a `start`, a `session` and
// an `end` record per run. Each record is one append of one line, kept small (tails are capped), so a
// process killed mid-write leaves at most a torn last line, which reading skips. It outlives the server:
// run_status answers for runs of an earlier process, and session_summary cites what the session log alone
// does not hold. Every line is parsed with its schema; a line that does not parse, or is longer than any
// record is, is skipped (and reported) without being held in memory whole.
import { constants } from "node:fs";
import { mkdir, open, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  ledgerRecordSchema,
  readableEndStatus,
  type EndRecord,
  type LedgerRecord,
  type StartRecord,
} from "./schemas.js";
import { reportIgnored, STATE_FILES } from "./state-files.js";

export interface LedgerRun {
  start: StartRecord;
  session_id: string | null;
  end: EndRecord | null;
}

/** Runs remembered from the ledger: a ledger grown (or forged) past this keeps only its newest runs. */
const KEPT_RUNS = 20_000;
const CHUNK = 256 * 1024;
export const MAX_RECORD_BYTES = STATE_FILES.ledger.maxRecordBytes;

export class RunLedger {
  readonly path: string;
  private made: Promise<unknown> | undefined;
  /** What has been parsed so far: up to `offset`, always the end of a whole line. */
  private read = { offset: 0, runs: new Map<string, LedgerRun>() };
  private reading: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {
    this.path = join(dir, STATE_FILES.ledger.name);
  }

  /** Appends one record, never through a link (a link planted at runs.jsonl would append to its target). */
  async append(record: LedgerRecord): Promise<void> {
    this.made ??= mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.made;
    const handle = await open(
      this.path,
      constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW,
      0o600,
    );
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new Error(`${this.path} is not a regular file`);
      // a process killed mid-write leaves a torn last line: the next record starts on a line of its own
      let separator = "";
      if (info.size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, info.size - 1);
        if (last[0] !== 10) separator = "\n";
      }
      await handle.write(`${separator}${boundedLine(record)}\n`);
    } finally {
      await handle.close();
    }
  }

  /**
   * Every run in the file, oldest first. The file only grows, so each call parses just what was appended
   * since the last one (a smaller file is read again).
   */
  async runs(): Promise<LedgerRun[]> {
    return [...(await this.current()).values()];
  }

  /** The runs by id, caught up with the file: one reader at a time, and a lookup copies nothing. */
  private current(): Promise<Map<string, LedgerRun>> {
    const read = this.reading.then(() => this.catchUp());
    this.reading = read.catch(() => undefined);
    return read;
  }

  private async catchUp(): Promise<Map<string, LedgerRun>> {
    const size = await stat(this.path).then(
      (info) => info.size,
      () => 0,
    );
    if (size < this.read.offset) this.read = { offset: 0, runs: new Map() };
    if (size > this.read.offset) {
      const { runs } = this.read;
      this.read.offset = await this.readLines(this.read.offset, (line) => applyRecord(runs, this.parse(line)));
      for (const runId of runs.keys()) {
        if (runs.size <= KEPT_RUNS) break;
        runs.delete(runId);
      }
    }
    return this.read.runs;
  }

  /** Whole lines from `start`, each at most MAX_RECORD_BYTES (longer ones skipped unread); returns where the last whole line ended. */
  private async readLines(start: number, onLine: (line: string) => void): Promise<number> {
    const handle = await open(this.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
      () => undefined,
    );
    if (!handle) return start;
    try {
      if (!(await handle.stat()).isFile()) return start;
      const buffer = Buffer.allocUnsafe(CHUNK);
      let position = start;
      let lineStart = start;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let tooLong = false;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
        if (bytesRead === 0) break;
        let from = 0;
        for (
          let newline = buffer.indexOf(10);
          newline !== -1 && newline < bytesRead;
          newline = buffer.indexOf(10, from)
        ) {
          if (tooLong)
            reportIgnored(
              `${this.path} at byte ${lineStart}`,
              `a line longer than any record (${MAX_RECORD_BYTES} bytes)`,
            );
          else onLine(Buffer.concat([...pending, buffer.subarray(from, newline)]).toString("utf8"));
          pending = [];
          pendingBytes = 0;
          tooLong = false;
          from = newline + 1;
          lineStart = position + from;
        }
        if (from < bytesRead && !tooLong) {
          pendingBytes += bytesRead - from;
          if (pendingBytes > MAX_RECORD_BYTES) {
            tooLong = true;
            pending = [];
          } else {
            pending.push(Buffer.from(buffer.subarray(from, bytesRead)));
          }
        }
        position += bytesRead;
      }
      return lineStart;
    } finally {
      await handle.close();
    }
  }

  private parse(line: string): LedgerRecord | undefined {
    if (line.trim() === "") return undefined;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return undefined; // a torn line, left by a crash mid-write
    }
    // an end in a status of a later version is still an end (else this reader would settle the run again)
    const parsed = ledgerRecordSchema.safeParse(readableEndStatus(value));
    if (!parsed.success) {
      reportIgnored(
        this.path,
        `a record that does not match its schema (${parsed.error.issues[0]?.path.join(".") || "root"}: ${parsed.error.issues[0]?.message ?? "?"})`,
      );
      return undefined;
    }
    return parsed.data;
  }

  async find(runId: string): Promise<LedgerRun | undefined> {
    // by id: a look at each of thousands of unended runs (runningSessions) is not a copy of the list each
    return (await this.current()).get(runId);
  }

  /** The newest run of a session, if this server (or an earlier one with the same state dir) ran it. */
  async findBySession(sessionId: string): Promise<LedgerRun | undefined> {
    return (await this.runs()).findLast((run) => run.session_id === sessionId);
  }
}

/**
 * The record as one JSON line under MAX_RECORD_BYTES: long strings (and long lists) are cut, each noting
 * its original length, with a tighter cut until the line fits.
 */
export function boundedLine(record: LedgerRecord): string {
  let line = JSON.stringify(record);
  for (const keep of [16_384, 4096, 1024, 256, 64]) {
    if (Buffer.byteLength(line) < MAX_RECORD_BYTES) return line;
    line = JSON.stringify(record, (_key, value: unknown) => {
      if (typeof value === "string" && value.length > keep)
        return `${value.slice(0, keep)}… [truncated: ${value.length} chars]`;
      if (Array.isArray(value) && value.length > 64)
        return [...value.slice(0, 64), `… [truncated: ${value.length} items]`];
      return value;
    });
  }
  return line;
}

/** Whether the run was started with `--skip-git-repo-check`: a field since this version, read from argv in older records. */
export function skippedGitCheck(start: StartRecord): boolean {
  return start.skip_git_repo_check ?? start.argv.includes("--skip-git-repo-check");
}

function applyRecord(runs: Map<string, LedgerRun>, record: LedgerRecord | undefined): void {
  if (!record) return;
  if (record.type === "start") {
    // a second start for a known run is forged or replayed: the first one stands
    if (!runs.has(record.run_id)) runs.set(record.run_id, { start: record, session_id: record.resume_of, end: null });
    return;
  }
  const run = runs.get(record.run_id);
  if (!run || run.end) return;
  if (record.type === "session") run.session_id = record.session_id;
  else {
    run.end = record;
    run.session_id = record.session_id ?? run.session_id;
  }
}
