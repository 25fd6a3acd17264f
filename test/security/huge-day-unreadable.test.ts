// A report over a date folder of more logs than V8's stack takes arguments, each one it may not read (a folder
// `sudo codex` filled, each log root's and private): the day's unreadable logs were appended to the report's
// with `push(...day)`, one argument each, so past about 125,000 (the default stack) the report failed with
// "Maximum call stack size exceeded" instead of naming them. They are appended one by one (shared/arrays.ts).
// The report runs in a process whose stack is a twelfth of the default (--stack-size), so 12,000 logs are
// past its bound (the control: a spread of them overflows there) and the test does not make 130,000 files.
import { execFileSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const FILES = 12_000;
const id = (n: number) => `0199a1b2-0000-7000-8000-${String(n).padStart(12, "0")}`;

// logs this user may not read (running as root, a chmod cannot show it): their open is refused
const program = (day: string) => `
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
const openSync = fs.openSync;
fs.openSync = (path, ...rest) => {
  if (String(path).startsWith(${JSON.stringify(`${day}/`)}))
    throw Object.assign(new Error("EACCES: permission denied, open " + path), { code: "EACCES" });
  return openSync(path, ...rest);
};
syncBuiltinESMExports();
let spread = "fits";
try { [].push(...new Array(${FILES}).fill(0)); } catch (error) { spread = error.constructor.name; }
const { loadPrices, sessionsReport, SessionStore } = await import(${JSON.stringify(resolve("src/sessions/index.ts"))});
const home = process.env.REPORT_HOME;
const report = await sessionsReport(
  new SessionStore(home),
  { includeArchived: false, groupBy: "day", since: "2026-01-01T00:00:00.000Z" },
  { prices: await loadPrices() },
).catch((error) => ({ error: String(error) }));
process.stdout.write(JSON.stringify({ spread, rows: report.rows?.length, unreadable: report.unreadable_files, error: report.error }));
`;

describe("a report over a date folder of more logs it may not read than the stack takes arguments", () => {
  it("names them unreadable", async () => {
    const home = await mkdtemp(join(tmpdir(), "ccm-huge-unreadable-"));
    const day = join(home, "sessions", "2026", "01", "28");
    await mkdir(day, { recursive: true });
    for (let n = 0; n < FILES; n++) closeSync(openSync(join(day, `rollout-2026-01-28T10-00-00-${id(n)}.jsonl`), "w"));
    const out = execFileSync(
      process.execPath,
      ["--stack-size=80", "--import", "tsx", "--input-type=module", "--eval", program(day)],
      { env: { ...process.env, REPORT_HOME: home }, encoding: "utf8" },
    );
    expect(JSON.parse(out)).toEqual({ spread: "RangeError", rows: 0, unreadable: FILES });
  }, 60_000);
});
