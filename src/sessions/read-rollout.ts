// Streams a rollout file as normalized events. Every line stands alone: a line that is not JSON (garbage,
// a torn last line of a killed run) or not a rollout line is counted in `stats.skipped` and passed over.
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import type { SessionEvent } from "./events.js";
import { normalizeLine } from "./normalize.js";
import { isCompressed, zstdLines } from "./read-lines.js";
import { isRecord, tryParseJson } from "./tool-output.js";

export interface ReadStats {
  lines: number;
  skipped: number;
  /** Lines kept, less a field of the wrong type or range (see normalize.ts FieldIssues). */
  badFieldLines: number;
}

export async function* rolloutEvents(path: string, stats: ReadStats): AsyncGenerator<SessionEvent> {
  if (path.endsWith(".json")) {
    yield* typescriptCliEvents(await readFile(path, "utf8"), stats);
    return;
  }
  const lines = isCompressed(path) ? zstdLines(path) : createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber += 1;
    if (text.trim() === "") continue;
    stats.lines += 1;
    const events = normalizeLine(tryParseJson(text), lineNumber, stats);
    if (events === undefined) {
      stats.skipped += 1;
      continue;
    }
    yield* events;
  }
}

/** Gen A (TypeScript CLI, 2025-04/05): one JSON document `{session:{id,timestamp}, items:[ResponseItem…]}`. */
function* typescriptCliEvents(text: string, stats: ReadStats): Generator<SessionEvent> {
  stats.lines += 1;
  const document = tryParseJson(text);
  if (!isRecord(document) || !isRecord(document.session) || !Array.isArray(document.items)) {
    stats.skipped += 1;
    return;
  }
  yield* normalizeLine(document.session, 0, stats) ?? [];
  for (const item of document.items) {
    const events = normalizeLine(item, 0, stats);
    if (events === undefined) stats.skipped += 1;
    else yield* events;
  }
}
