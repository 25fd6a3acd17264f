// The one way a rollout is read: a reader per file format, each offering its normalized events forwards
// (from a byte offset, where the format allows), backwards, and from its head or tail. Every line stands
// alone: a line that is not JSON (garbage, a torn last line of a killed run) or not a rollout line is
// counted in `skipped` and passed over; a line of a type the normalizer tables do not know in `unknownLines`.
//
// Lines are split and pre-filtered on raw bytes (line-filter.ts): a line of a type the normalizer ignores
// is passed over without being decoded or parsed, which is most of a long log's bytes.
//
// Formats: JSONL (`rollout-….jsonl`, every Rust CLI), the TypeScript CLI's single JSON document
// (`rollout-….json`, 2025-04/05), zstd-compressed JSONL (`rollout-….jsonl.zst`, cold storage since 0.140).
// Only JSONL grows in place and can be read from an offset; the others are read whole.
import type { SessionEvent } from "./events.js";
import { normalizeLine } from "./normalize.js";
import { cannotMatterBytes } from "./line-filter.js";
import {
  CHUNK,
  LineSink,
  newReadStats,
  normalizeBytes,
  READ_LIMITS,
  ReadAhead,
  type ForwardEnd,
  type ReadStats,
} from "./rollout-lines.js";
import { zstdEdge, zstdForward } from "./rollout-zstd.js";
import { isRecord, tryParseJson } from "../shared/json.js";
import { openRollout } from "./rollout-open.js";
import { jsonlBackward } from "./rollout-backward.js";

export { READ_LIMITS, newReadStats, type ForwardEnd, type ReadStats } from "./rollout-lines.js";

export const ROLLOUT_FORMATS = ["jsonl", "document", "zstd"] as const;
export type RolloutFormat = (typeof ROLLOUT_FORMATS)[number];

export function rolloutFormat(path: string): RolloutFormat {
  if (path.endsWith(".json")) return "document";
  if (path.endsWith(".zst")) return "zstd";
  return "jsonl";
}

/** Only JSONL grows in place and can be read from a line's offset (the others are rewritten whole). */
export function readsFromOffset(path: string): boolean {
  return rolloutFormat(path) === "jsonl";
}

export interface ForwardOptions {
  /** Offset of a line's start to read from (JSONL only; `stats.lines` is then the number of lines before it). */
  from?: number;
  /** Pass over lines of ignored types by their first bytes, unparsed (default true). */
  passOver?: boolean;
  /**
   * Leave a torn last line (no newline, not whole JSON) unread and uncounted, to be read once it is whole
   * (an incremental fold); by default it is read and counted as skipped.
   */
  retryTornTail?: boolean;
}

/** Normalized events in file order. A JSONL file's last line without a newline is read if it is whole JSON. */
export async function readForward(
  path: string,
  stats: ReadStats,
  onEvent: (event: SessionEvent) => void,
  options: ForwardOptions = {},
): Promise<ForwardEnd> {
  const end: ForwardEnd = { end: options.from ?? 0, tornTail: false };
  // events go straight to `onEvent` (the batches stay empty): they die young, and the heap stays small
  for await (const batch of forwardBatches(path, stats, options, end, onEvent))
    for (const event of batch) onEvent(event);
  return end;
}

/** The same, as an iterator over the whole file: stop early with `break` (the rest is not read). */
export async function* rolloutEvents(
  path: string,
  stats: ReadStats,
  options: Omit<ForwardOptions, "from"> = {},
): AsyncGenerator<SessionEvent> {
  for await (const batch of forwardBatches(path, stats, options, { end: 0, tornTail: false })) yield* batch;
}

/** Events a chunk at a time (bounded memory whatever the file's size); `progress` says where reading ended. */
async function* forwardBatches(
  path: string,
  stats: ReadStats,
  options: ForwardOptions,
  progress: ForwardEnd,
  emit?: (event: SessionEvent) => void,
): AsyncGenerator<SessionEvent[]> {
  const sink = new LineSink(stats, options.passOver ?? true, emit);
  switch (rolloutFormat(path)) {
    case "document": {
      // one JSON document: a line, as far as the bound goes. The size is the open file's, and no more than it
      // is read: a stat before the open, and a read to the end, let a file swapped in between or growing as it
      // is read (a writer that never stops) be read without bound.
      const { handle, size } = await openRollout(path);
      let text: string;
      try {
        if (size > READ_LIMITS.lineBytes) {
          stats.lines += 1;
          stats.skipped += 1;
          return;
        }
        const bytes = Buffer.alloc(size);
        const { bytesRead } = await handle.read(bytes, 0, size, 0);
        text = bytes.toString("utf8", 0, bytesRead);
      } finally {
        await handle.close();
      }
      documentEvents(text, stats, sink);
      progress.end = Buffer.byteLength(text);
      yield sink.take();
      return;
    }
    case "zstd":
      yield* zstdForward(path, sink, progress);
      return;
    case "jsonl":
      yield* jsonlForward(path, options.from ?? 0, options.retryTornTail ?? false, sink, progress);
      return;
  }
}

/** One line's events read backwards, and the byte offset its line starts at (0 where formats are read whole). */
export interface LineEvents {
  events: SessionEvent[];
  start: number;
}

/**
 * Each line's events (in file order within the line), last line first: stop early with `break`. Lines of
 * ignored types are passed over unparsed. `end`: read only the bytes before it. Formats that cannot be read
 * backwards are read whole first.
 */
export async function* eventsBackward(
  path: string,
  stats: ReadStats = newReadStats(),
  end?: number,
): AsyncGenerator<LineEvents> {
  if (rolloutFormat(path) !== "jsonl") {
    const byLine: SessionEvent[][] = [];
    let lastLine = -1;
    await readForward(path, stats, (event) => {
      if (event.line !== lastLine || byLine.length === 0) byLine.push([]);
      lastLine = event.line;
      byLine.at(-1)?.push(event);
    });
    for (let i = byLine.length - 1; i >= 0; i--) yield { events: byLine[i] ?? [], start: 0 };
    return;
  }
  // bytes of the lines skipped: past READ_LIMITS.skippedBytes, the lines before them are not read
  let skippedBytes = 0;
  for await (const { bytes, start, overlong } of jsonlBackward(path, end)) {
    if (overlong) {
      stats.skipped += 1;
      continue;
    }
    if (cannotMatterBytes(bytes, 0, bytes.length)) continue;
    // line numbers are not known reading backwards: 0, as for the TypeScript CLI's document
    const skipped = stats.skipped;
    const events = normalizeBytes(bytes, 0, bytes.length, 0, stats);
    if (events !== undefined && events.length > 0) yield { events, start };
    if (stats.skipped !== skipped && (skippedBytes += bytes.length) > READ_LIMITS.skippedBytes && start > 0) {
      stats.skipped += 1;
      return;
    }
  }
}

export interface EdgeEvents {
  events: SessionEvent[];
  /** The read covered the whole file. */
  whole: boolean;
}

/**
 * Events of the whole lines in the first or last `maxBytes` of a file (the line the cut goes through is
 * left out). Lines are numbered from the head's or the tail's first line. Formats that cannot be read from
 * an edge are read whole.
 */
export async function edgeEvents(
  path: string,
  end: "head" | "tail",
  maxBytes: number,
  stats: ReadStats = newReadStats(),
): Promise<EdgeEvents> {
  const format = rolloutFormat(path);
  if (format === "document") {
    const events: SessionEvent[] = [];
    await readForward(path, stats, (event) => void events.push(event));
    return { events, whole: true };
  }
  const { buffer, whole } =
    format === "zstd" ? await zstdEdge(path, end, maxBytes) : await jsonlEdge(path, end, maxBytes);
  let from = 0;
  let to = buffer.length;
  if (!whole && end === "head") to = buffer.lastIndexOf(10, to - 1) + 1;
  if (!whole && end === "tail") from = buffer.indexOf(10) + 1 || buffer.length;
  const sink = new LineSink(stats, true);
  sink.lines(buffer, from, to);
  // a last line without its newline, when the chunk reaches the end of the file
  if (to < buffer.length && (whole || end === "tail")) sink.tail(buffer.subarray(to));
  return { events: sink.take(), whole };
}

/** The first or last `maxBytes` of a JSONL file. */
async function jsonlEdge(
  path: string,
  end: "head" | "tail",
  maxBytes: number,
): Promise<{ buffer: Buffer; whole: boolean }> {
  const { handle, size } = await openRollout(path);
  try {
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, end === "head" ? 0 : size - length);
    return { buffer: buffer.subarray(0, bytesRead), whole: length >= size };
  } finally {
    await handle.close();
  }
}

async function* jsonlForward(
  path: string,
  from: number,
  retryTornTail: boolean,
  sink: LineSink,
  progress: ForwardEnd,
): AsyncGenerator<SessionEvent[]> {
  const { handle, size } = await openRollout(path);
  let reader: ReadAhead | undefined;
  try {
    reader = new ReadAhead(handle, size);
    const cap = READ_LIMITS.lineBytes;
    let buffer: Buffer = Buffer.allocUnsafe(Math.min(CHUNK, cap));
    let position = from;
    // bytes of a line that began in an earlier chunk sit at the start of `buffer`
    let carried = 0;
    // inside a line longer than the cap (it began at `progress.end`): its bytes are dropped as they are read
    let overlong = false;
    while (position + carried < size) {
      if (carried === buffer.length) {
        if (carried >= cap) {
          overlong = true;
          sink.skippedBytes += carried;
          position += carried;
          carried = 0;
        } else {
          // a line longer than the buffer: grow it (a multi-megabyte line is read in one piece, up to the cap)
          const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, cap));
          buffer.copy(bigger, 0, 0, carried);
          buffer = bigger;
        }
      }
      const bytesRead = await reader.read(
        buffer,
        carried,
        Math.min(buffer.length - carried, size - position - carried),
        position + carried,
      );
      if (bytesRead === 0) break;
      const filled = carried + bytesRead;
      let begin = 0;
      if (overlong) {
        const newline = buffer.indexOf(10);
        if (newline === -1 || newline >= filled) {
          position += filled;
          sink.skippedBytes += filled;
          if (sink.skippedTooMuch) return skipTheRest(sink, progress, size);
          continue;
        }
        overlong = false;
        sink.overlong();
        sink.skippedBytes += newline;
        begin = newline + 1;
      }
      const next = sink.lines(buffer, begin, filled);
      position += next;
      progress.end = position;
      carried = filled - next;
      if (carried > 0 && next > 0) buffer.copy(buffer, 0, next, filled);
      if (buffer.length > CHUNK && carried < CHUNK) buffer = shrink(buffer, carried);
      yield sink.take();
      if (sink.skippedTooMuch && position + carried < size) return skipTheRest(sink, progress, size);
    }
    if (overlong) {
      // the file ends inside the long line: a writer mid-line, or a line that never ends
      if (retryTornTail) progress.tornTail = true;
      else {
        sink.overlong();
        progress.end = size;
      }
      return;
    }
    if (carried === 0) return;
    const tail = Buffer.from(buffer.subarray(0, carried));
    if (sink.tail(tail)) progress.end = position + carried;
    else if (retryTornTail) progress.tornTail = true;
    else {
      sink.stats.lines += 1;
      sink.stats.skipped += 1;
      progress.end = position + carried;
    }
    yield sink.take();
  } finally {
    await reader?.settle();
    await handle.close();
  }
}

/** A read that passed over READ_LIMITS.skippedBytes stops: the rest of the file counts as one skipped line. */
function skipTheRest(sink: LineSink, progress: ForwardEnd, size: number): void {
  sink.overlong();
  progress.end = size;
}

function shrink(buffer: Buffer, keep: number): Buffer {
  const smaller = Buffer.allocUnsafe(CHUNK);
  buffer.copy(smaller, 0, 0, keep);
  return smaller;
}

/** Gen A (TypeScript CLI, 2025-04/05): one JSON document `{session:{id,timestamp}, items:[ResponseItem…]}`. */
function documentEvents(text: string, stats: ReadStats, sink: LineSink): void {
  stats.lines += 1;
  const document = tryParseJson(text);
  if (!isRecord(document) || !isRecord(document.session) || !Array.isArray(document.items)) {
    stats.skipped += 1;
    return;
  }
  sink.add(normalizeLine(document.session, 0, stats) ?? []);
  for (const item of document.items) {
    const events = normalizeLine(item, 0, stats);
    if (events === undefined) stats.skipped += 1;
    else sink.add(events);
  }
}
