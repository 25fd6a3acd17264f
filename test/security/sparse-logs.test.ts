// A read passes over at most READ_LIMITS.skippedBytes of skipped lines (not JSON, or over the line bound), then
// stops: the rest of the file counts as one skipped line. A sparse file costs nothing on disk (`truncate -s 1T`)
// and reads as NUL bytes: before, every read went through all of it (a 2 GiB one took session_summary 21 s,
// a terabyte hours). The controls raise the budget: the same reads then reach the far end of the file.
import { appendFile, mkdtemp, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SessionEvent } from "../../src/sessions/events.js";
import { eventsBackward, newReadStats, READ_LIMITS, readForward } from "../../src/sessions/rollout-reader.js";
import { scanTurns } from "../../src/sessions/turn-scan.js";

const KB = 1024;
const MB = 1024 * KB;
const saved = { ...READ_LIMITS };
afterEach(() => Object.assign(READ_LIMITS, saved));

const line = (type: string, message: string) =>
  `${JSON.stringify({ timestamp: "2026-01-28T10:00:00.000Z", type: "event_msg", payload: { type, message } })}\n`;
const FIRST = line("user_message", "first");
const LAST = line("agent_message", "last");

/** The first line, `holes` bytes of a sparse hole (NUL bytes, no newline), then the last line. */
async function sparseRollout(holes: number): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), "ccm-sparse-")), "rollout-x.jsonl");
  await writeFile(path, FIRST);
  await truncate(path, FIRST.length + holes);
  await appendFile(path, `\n${LAST}`);
  return path;
}

const texts = (events: SessionEvent[]) =>
  events.map((event) => (event as { text?: string; message?: string }).text ?? (event as { message?: string }).message);

async function forward(path: string) {
  const stats = newReadStats();
  const events: SessionEvent[] = [];
  const end = await readForward(path, stats, (event) => events.push(event));
  return { texts: texts(events), skipped: stats.skipped, end: end.end };
}

async function backward(path: string) {
  const stats = newReadStats();
  const events: SessionEvent[] = [];
  for await (const line of eventsBackward(path, stats)) events.push(...line.events);
  return { texts: texts(events), skipped: stats.skipped };
}

describe("a read's budget of skipped bytes", () => {
  it("stops a forward read inside a sparse hole, and the control reads through it", async () => {
    Object.assign(READ_LIMITS, { lineBytes: 64 * KB, skippedBytes: 1 * MB });
    const path = await sparseRollout(16 * MB);
    const size = FIRST.length + 16 * MB + 1 + LAST.length;
    expect(await forward(path)).toEqual({ texts: ["first"], skipped: 1, end: size });
    READ_LIMITS.skippedBytes = Number.POSITIVE_INFINITY;
    expect(await forward(path)).toEqual({ texts: ["first", "last"], skipped: 1, end: size });
  });

  it("stops a backward read inside a sparse hole, and the control reads through it", async () => {
    Object.assign(READ_LIMITS, { lineBytes: 64 * KB, skippedBytes: 1 * MB });
    const path = await sparseRollout(16 * MB);
    expect(await backward(path)).toEqual({ texts: ["last"], skipped: 1 });
    READ_LIMITS.skippedBytes = Number.POSITIVE_INFINITY;
    expect(await backward(path)).toEqual({ texts: ["last", "first"], skipped: 1 });
  });

  it("counts short garbage lines too: 4 MiB of them stop the read, and the control reads on", async () => {
    READ_LIMITS.skippedBytes = 1 * MB;
    const path = join(await mkdtemp(join(tmpdir(), "ccm-garbage-")), "rollout-x.jsonl");
    await writeFile(path, FIRST + `${"\u0000".repeat(1023)}\n`.repeat(4096) + LAST);
    const stopped = await forward(path);
    expect([stopped.texts, stopped.skipped < 4096]).toEqual([["first"], true]);
    expect((await backward(path)).texts).toEqual(["last"]);
    READ_LIMITS.skippedBytes = Number.POSITIVE_INFINITY;
    expect(await forward(path)).toMatchObject({ texts: ["first", "last"], skipped: 4096 });
    expect((await backward(path)).texts).toEqual(["last", "first"]);
  });

  it("has the turn scan (first answers on long logs) give up inside a sparse hole, and the control scans through it", async () => {
    Object.assign(READ_LIMITS, { lineBytes: 64 * KB, skippedBytes: 1 * MB });
    const path = await sparseRollout(16 * MB);
    // given up: the caller folds the file, which stops at the same budget
    expect(await scanTurns(path)).toBeUndefined();
    READ_LIMITS.skippedBytes = Number.POSITIVE_INFINITY;
    expect((await scanTurns(path))?.size).toBe(FIRST.length + 16 * MB + 1 + LAST.length);
  });

  it("has the turn scan count short garbage lines it reads too, and the control scans on", async () => {
    READ_LIMITS.skippedBytes = 1 * MB;
    const path = join(await mkdtemp(join(tmpdir(), "ccm-garbage-")), "rollout-x.jsonl");
    await writeFile(path, FIRST + `${"\u0000".repeat(1023)}\n`.repeat(4096) + LAST);
    expect(await scanTurns(path)).toBeUndefined();
    READ_LIMITS.skippedBytes = Number.POSITIVE_INFINITY;
    expect((await scanTurns(path))?.model.turns.length).toBe(1);
  });

  it("has the turn scan count garbage lines it passes over by their heads (a call's), as the reader counts them", async () => {
    // the scan classes a line by its first bytes and passes a call over unparsed (while items do not matter); a
    // call's head then NULs (a sparse hole reads as NULs: free on disk) was never counted, so the scan read on
    // without bound where the reader (which parses calls) counts each as skipped and stops
    READ_LIMITS.skippedBytes = 1 * MB;
    const head = JSON.stringify({ timestamp: "2026-01-28T10:00:00.000Z", type: "response_item" }).slice(0, -1);
    const call = `${head},"payload":{"type":"function_call","name":"shell","call_id":"c1","arguments":"`;
    const path = join(await mkdtemp(join(tmpdir(), "ccm-garbage-calls-")), "rollout-x.jsonl");
    await writeFile(path, FIRST + `${call}${"\u0000".repeat(1023 - call.length)}\n`.repeat(4096) + LAST);
    expect((await forward(path)).texts).toEqual(["first"]);
    expect(await scanTurns(path)).toBeUndefined();
    READ_LIMITS.skippedBytes = Number.POSITIVE_INFINITY;
    expect(await forward(path)).toMatchObject({ texts: ["first", "last"], skipped: 4096 });
    expect((await scanTurns(path))?.size).toBe(FIRST.length + 4096 * 1024 + LAST.length);
  });
});
