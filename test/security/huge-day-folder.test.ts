// A date folder of 130,000 logs (hostile, or years of scripted runs): each folder's files were appended with
// `push(...files)`, which passes each as an argument, and a spread of about 125,000 overflows V8's stack, so
// list_sessions and `last` failed with "Maximum call stack size exceeded". The control shows the spread itself
// overflowing at that size.
import { closeSync, openSync } from "node:fs";
import { mkdir, mkdtemp, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listSessions, sessionSummary } from "../../src/sessions/index.js";
import { appendAll } from "../../src/shared/arrays.js";

const FILES = 130_000;
const id = (n: number) => `0199a1b2-0000-7000-8000-${String(n).padStart(12, "0")}`;

describe("a date folder of 130,000 logs", () => {
  it("is listed, and `last` found, in it", async () => {
    const home = await mkdtemp(join(tmpdir(), "ccm-huge-day-"));
    const day = join(home, "sessions", "2026", "01", "28");
    await mkdir(day, { recursive: true });
    // empty logs (each listed as unreadable), and one real one, the newest
    for (let n = 0; n < FILES; n++) closeSync(openSync(join(day, `rollout-2026-01-28T10-00-00-${id(n)}.jsonl`), "w"));
    const newest = join(day, `rollout-2026-01-28T10-00-00-${id(FILES)}.jsonl`);
    const at = "2026-01-28T10:00:00.000Z";
    await writeFile(
      newest,
      `${JSON.stringify({ timestamp: at, type: "session_meta", payload: { id: id(FILES), timestamp: at, cwd: "/w" } })}\n`,
    );
    await utimes(newest, 2_000_000_000, 2_000_000_000);
    const { sessions } = await listSessions(home, { limit: 2, includeArchived: false });
    expect(sessions.map((session) => session.session_id)[0]).toBe(id(FILES));
    expect((await sessionSummary(home, "last", { reasoningLimit: 1 })).session_id).toBe(id(FILES));
  }, 120_000);

  it("control: a spread of that many arguments overflows the stack; appendAll does not", () => {
    const items = Array.from({ length: FILES }, (_, n) => n);
    expect(() => [].push(...(items as never[]))).toThrow(RangeError);
    const all: number[] = [];
    appendAll(all, items);
    expect(all.length).toBe(FILES);
  });
});
