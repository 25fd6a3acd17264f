// A report over a date folder of 130,000 logs it may not read (a folder `sudo codex` filled, each log root's
// and private): the day's unreadable logs were appended to the report's with `push(...day)`, one argument
// each, and a spread of about 125,000 overflows V8's stack, so the report failed with "Maximum call stack size
// exceeded" instead of naming them. They are appended one by one (shared/arrays.ts).
import { closeSync, openSync } from "node:fs";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { loadPrices, sessionsReport, SessionStore } from "../../src/sessions/index.js";

// logs this user may not read (running as root, a chmod cannot show it): their open is refused
const refused = vi.hoisted(() => ({ dir: "" }));
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const openSync = ((path: string, ...rest: unknown[]) => {
    if (refused.dir !== "" && path.startsWith(refused.dir))
      throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: "EACCES" });
    return (fs.openSync as (...args: unknown[]) => number)(path, ...rest);
  }) as typeof fs.openSync;
  return { ...fs, default: { ...fs, openSync }, openSync };
});

const FILES = 130_000;
const id = (n: number) => `0199a1b2-0000-7000-8000-${String(n).padStart(12, "0")}`;

describe("a report over a date folder of 130,000 logs it may not read", () => {
  it("names them unreadable", async () => {
    const home = await mkdtemp(join(tmpdir(), "ccm-huge-unreadable-"));
    const day = join(home, "sessions", "2026", "01", "28");
    await mkdir(day, { recursive: true });
    for (let n = 0; n < FILES; n++) closeSync(openSync(join(day, `rollout-2026-01-28T10-00-00-${id(n)}.jsonl`), "w"));
    refused.dir = `${day}/`;
    const report = await sessionsReport(
      new SessionStore(home),
      { includeArchived: false, groupBy: "day", since: "2026-01-01T00:00:00.000Z" },
      { prices: await loadPrices() },
    );
    expect([report.rows.length, report.unreadable_files]).toEqual([0, FILES]);
  }, 120_000);
});
