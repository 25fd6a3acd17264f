// Lines of a rollout as bytes become events: the bounds every reader keeps (READ_LIMITS), and the sink that
// splits bytes into lines, passes over what cannot matter and normalizes the rest. Shared by every format's
// reader (rollout-reader.ts, rollout-zstd.ts).
import type { FileHandle } from "node:fs/promises";
import type { SessionEvent } from "./events.js";
import { cannotMatterBytes, lineClassAt } from "./line-filter.js";
import { normalizeLine, type FieldIssues } from "./normalize.js";
import { counterLines } from "./rollout-counters.js";
import { tryParseJson } from "../shared/json.js";

const MB = 1024 * 1024;

/**
 * What one file may cost to read, whatever it holds (docs/security.md, "Bounds on reading"). Internal:
 * tests raise them to show what each bound prevents.
 */
export const READ_LIMITS = {
  /** A longer line (or TypeScript CLI document) is passed over unbuffered and counted as skipped. */
  lineBytes: 32 * MB,
  /** A zstd frame declaring a larger window (the decoder's buffer) is not decoded. */
  zstdWindowBytes: 32 * MB,
  /** Decompressed bytes read from a `.zst`: at most max(floor, ratio × its compressed size). */
  zstdFloorBytes: 64 * MB,
  zstdRatio: 200,
  /**
   * Bytes of skipped lines (not JSON, not a rollout line, or over `lineBytes`) one read passes over before it
   * stops: the rest of the file is counted as one skipped line, unread. A sparse file costs nothing on disk
   * (`truncate -s 1T`) and reads as NUL bytes: before, a read went through all of it (2 GiB took 13 s).
   */
  skippedBytes: 1024 * MB,
};

/** `badFieldLines` and `unknownLines` (optional: a caller's literal may leave it out): see FieldIssues. */
export interface ReadStats extends FieldIssues {
  /** Lines read, blank ones included: the number of the last line read. */
  lines: number;
  /** Lines that were not rollout lines (not JSON, not a known envelope). */
  skipped: number;
}

export function newReadStats(): Required<ReadStats> {
  return { lines: 0, skipped: 0, badFieldLines: 0, unknownLines: 0 };
}

export interface ForwardEnd {
  /** Offset just past the last line read (a torn last line is not read: it is read again next time). */
  end: number;
  /** With `retryTornTail`: the file ends in a line without its newline that is not whole JSON (a writer mid-line, a killed run). */
  tornTail: boolean;
}

/** Forwards: big reads (fewer system calls on a first fold); backwards: an answer is usually in the last few. */
export const CHUNK = 1024 * 1024;
export const BACKWARD_CHUNK = 256 * 1024;

/**
 * Reads a file front to back, each read starting where the last one ended, and reads the next chunk while
 * the caller works on this one: the copy out of the page cache runs on libuv's thread, on the other core,
 * beside the parse (a first answer on 200 MB waited 100–130 ms for its reads, one after the other). A read
 * that does not start where the last ended, or asks for more than was read ahead, reads the file directly.
 */
export class ReadAhead {
  private ahead: { position: number; bytes: Buffer; done: Promise<number> } | undefined;
  private spare: Buffer | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly size: number,
  ) {}

  async read(target: Buffer, offset: number, length: number, position: number): Promise<number> {
    const ahead = this.ahead;
    this.ahead = undefined;
    let got = 0;
    if (ahead !== undefined) {
      const ready = await ahead.done;
      if (ahead.position === position) {
        got = Math.min(ready, length);
        ahead.bytes.copy(target, offset, 0, got);
      }
      this.spare = ahead.bytes;
    }
    if (got < length) got += (await this.handle.read(target, offset + got, length - got, position + got)).bytesRead;
    const next = position + got;
    if (got > 0 && next < this.size) {
      const bytes = this.spare ?? Buffer.allocUnsafe(CHUNK);
      this.spare = undefined;
      const done = this.handle.read(bytes, 0, Math.min(bytes.length, this.size - next), next).then(
        ({ bytesRead }) => bytesRead,
        () => 0, // the direct read that follows meets the error, if it lasts
      );
      this.ahead = { position: next, bytes, done };
    }
    return got;
  }

  /** Waits for a read still under way (before the file is closed). */
  async settle(): Promise<void> {
    await this.ahead?.done;
  }
}

/** Splits bytes into lines and normalizes each, into `emit` or else the next batch; `stats.lines` numbers them. */
export class LineSink {
  private batch: SessionEvent[] = [];

  constructor(
    readonly stats: ReadStats,
    private readonly passOver: boolean,
    private readonly emit?: (event: SessionEvent) => void,
  ) {}

  /** The events gathered since the last call. */
  take(): SessionEvent[] {
    const batch = this.batch;
    this.batch = [];
    return batch;
  }

  add(events: SessionEvent[]): void {
    if (this.emit) for (const event of events) this.emit(event);
    else for (const event of events) this.batch.push(event);
  }

  /** Every line ending in a newline in `[from, to)`; returns the offset after the last newline. */
  lines(buffer: Buffer, from: number, to: number): number {
    let start = from;
    for (let newline = buffer.indexOf(10, start); newline !== -1 && newline < to; newline = buffer.indexOf(10, start)) {
      this.line(buffer, start, newline);
      start = newline + 1;
    }
    return start;
  }

  /** Bytes of the lines this sink counted as skipped, or was told were passed over (see READ_LIMITS.skippedBytes). */
  skippedBytes = 0;

  /** True once the skipped lines passed READ_LIMITS.skippedBytes: the reader stops. */
  get skippedTooMuch(): boolean {
    return this.skippedBytes > READ_LIMITS.skippedBytes;
  }

  /** A line longer than READ_LIMITS.lineBytes: counted, never read. */
  overlong(): void {
    this.stats.lines += 1;
    this.stats.skipped += 1;
  }

  line(buffer: Buffer, start: number, end: number): void {
    const skipped = this.stats.skipped;
    this.read(buffer, start, end);
    if (this.stats.skipped !== skipped) this.skippedBytes += end - start;
  }

  private read(buffer: Buffer, start: number, end: number): void {
    const number = ++this.stats.lines;
    // the line's types read once from its bytes: whether it can be passed over, and whether it is a counter
    const head = lineClassAt(buffer, start, end);
    if (this.passOver && (head !== undefined ? head.passed : cannotMatterBytes(buffer, start, end))) return;
    const counter =
      head !== undefined &&
      (head.lineType === "token_usage_record" || (head.lineType === "event_msg" && head.payloadType === "token_count"));
    const events = normalizeBytes(buffer, start, end, number, this.stats, counter);
    if (events !== undefined) this.add(events);
  }

  /** A last line without its newline: read if it is whole JSON; false when it is torn (then not counted). */
  tail(bytes: Buffer): boolean {
    const text = bytes.toString("utf8");
    if (text.trim() === "") return true;
    const value = tryParseJson(text);
    if (value === undefined) return false;
    const number = ++this.stats.lines;
    const events = normalizeLine(value, number, this.stats);
    if (events === undefined) this.stats.skipped += 1;
    else this.add(events);
    return true;
  }
}

/** One line's events; undefined for a blank line or one counted as skipped. `counter`: see parseLine. */
export function normalizeBytes(
  buffer: Buffer,
  start: number,
  end: number,
  number: number,
  stats: ReadStats,
  counter = false,
): SessionEvent[] | undefined {
  // a line that starts with `{` is not blank: decoded once
  if (buffer[start] !== 0x7b && buffer.toString("utf8", start, end).trim() === "") return undefined;
  const events = normalizeLine(parseLine(buffer, start, end, counter), number, stats);
  if (events === undefined) stats.skipped += 1;
  return events;
}

/**
 * A line's JSON value (undefined: not JSON, or nested too deep). `counter`: its first bytes name a token
 * counter line, which is read from a template where one fits (rollout-counters.ts); other lines are not
 * tried against the templates (most of a fold's lines: the attempts would cost more than they save).
 */
export function parseLine(buffer: Buffer, start: number, end: number, counter: boolean): unknown {
  if (!counter) return tryParseJson(buffer.toString("utf8", start, end));
  const known = counterLines.read(buffer, start, end);
  if (known !== undefined) return known;
  const value = tryParseJson(buffer.toString("utf8", start, end));
  counterLines.learn(buffer, start, end, value);
  return value;
}
