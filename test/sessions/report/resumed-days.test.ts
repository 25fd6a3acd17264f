// A session resumed in a later week: `codex exec resume` appends the new turns to the log in the date folder
// of the day the session started (one session_meta, as the real CLI 0.171 writes: test/fixtures/codex-home).
// Its turns, tokens and failure belong to the days they ran; since/until keep the turns in range.
// Before (the session filed whole under its start): "since 2026-11-16" found nothing, and "until" and the
// groups by day and week counted the resumed turn's 1,600 tokens and its 401 on 2026-11-13.
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { serialize } from "node:v8";
import { describe, expect, it } from "vitest";
import { writeChecked } from "../../../src/sessions/checked-files.js";
import { codeFingerprint } from "../../../src/sessions/fold-files.js";
import { DigestFiles } from "../../../src/sessions/report/digest-files.js";
import { sessionsReport, SessionStore } from "../../../src/sessions/index.js";
import { reportOf } from "../../support/report-homes.js";

type SessionsReport = Awaited<ReturnType<typeof sessionsReport>>;
import { home, parent, resumeIn } from "../../support/resumed-home.js";

type Group = "day" | "week";
async function report(
  dir: string,
  groupBy: Group,
  filters: { since?: string; until?: string } = {},
  store = new SessionStore(dir),
  watch = false,
) {
  return reportOf(store, { groupBy, ...filters }, { watch });
}

const rows = (result: SessionsReport) =>
  [...result.rows, result.total].map((row) => [
    row.key,
    row.sessions,
    row.turns,
    row.categories,
    row.tokens.total,
    row.wall_ms,
  ]);
const failures = (result: SessionsReport) =>
  result.recurring_failures.map((failure) => [
    failure.count,
    failure.first_seen,
    failure.last_seen,
    failure.session_ids,
  ]);

describe("a session resumed in a later week", () => {
  it("is in the days and weeks its turns ran, its failure on the day of its last turn", async () => {
    const dir = await home();
    expect(rows(await report(dir, "day"))).toEqual([
      ["2026-11-17", 1, 1, { auth_error: 1 }, 1600, 20_000],
      ["2026-11-14", 1, 1, { completed: 1 }, 550, 10_000],
      ["2026-11-13", 1, 1, {}, 1100, 10_000],
      ["total", 2, 3, { auth_error: 1, completed: 1 }, 3250, 40_000],
    ]);
    const byWeek = await report(dir, "week");
    expect(rows(byWeek)).toEqual([
      ["2026-11-16", 1, 1, { auth_error: 1 }, 1600, 20_000],
      ["2026-11-09", 2, 2, { completed: 1 }, 1650, 20_000],
      ["total", 2, 3, { auth_error: 1, completed: 1 }, 3250, 40_000],
    ]);
    expect(failures(byWeek)).toEqual([[1, "2026-11-17T09:00:25.000Z", "2026-11-17T09:00:25.000Z", [parent.id]]]);
  });

  it("since keeps its turns in range only, found in an older date folder by its log's mtime", async () => {
    const dir = await home();
    for (const since of ["2026-11-16", "4d"]) {
      const result = await report(dir, "week", { since });
      expect(rows(result)).toEqual([
        ["2026-11-16", 1, 1, { auth_error: 1 }, 1600, 20_000],
        ["total", 1, 1, { auth_error: 1 }, 1600, 20_000],
      ]);
      expect(failures(result)).toEqual([[1, "2026-11-17T09:00:25.000Z", "2026-11-17T09:00:25.000Z", [parent.id]]]);
      // the fork's folder (2026-11-14, its log last written then) is not read: only the resumed log's
      expect(result.scanned_files).toBe(1);
    }
  });

  it("until leaves out its later turns and their failure: it is counted as it stood then", async () => {
    const dir = await home();
    const result = await report(dir, "day", { until: "2026-11-15" });
    // its turn of 2026-11-13 had completed (range-ends.test.ts); before, `categories` left it out
    expect(rows(result)).toEqual([
      ["2026-11-14", 1, 1, { completed: 1 }, 550, 10_000],
      ["2026-11-13", 1, 1, { completed: 1 }, 1100, 10_000],
      ["total", 2, 2, { completed: 2 }, 1650, 20_000],
    ]);
    expect(failures(result)).toEqual([]);
  });

  it("a server's repeated report sees the old log change (watched-days.ts)", async () => {
    const dir = await home(false);
    const store = new SessionStore(dir);
    const totals = async () => rows(await report(dir, "week", { since: "2026-11-16" }, store, true)).at(-1);
    expect(await totals()).toEqual(["total", 0, 0, {}, 0, 0]);
    // the older folder's stats are kept and trusted from here on
    expect(await totals()).toEqual(["total", 0, 0, {}, 0, 0]);
    await resumeIn(dir);
    expect(await totals()).toEqual(["total", 1, 1, { auth_error: 1 }, 1600, 20_000]);
  });
});

describe("digests saved before days were kept", () => {
  // Under tsx (tests, `npm run dev`) the code fingerprint hashes src/sessions/*.ts only, not report/: the
  // format number is what tells a digest without `days` (it would read as a session of one day).
  // format 2: a session resumed on more than 32 days had its latest days merged (resumed-cap.test.ts)
  it("are not read (formats 1 to 3), even stamped with this code", async () => {
    const dir = await home();
    const files = new DigestFiles(join(dirname(dir), "report"));
    const key = JSON.stringify([dir, "2026-11-13", false]);
    await mkdir(files.dir, { recursive: true });
    const entry = { stamp: { ino: 1, size: 1, mtimeMs: 1, edge: "" }, digest: { sessionId: parent.id, turns: 2 } };
    for (const format of [1, 2, 3]) {
      const old = { format, code: codeFingerprint(), key, entries: [["/x.jsonl", entry]] };
      await writeChecked(files.fileOf(key), [serialize(old)], "sync");
      expect((await new DigestFiles(files.dir).load(key)).size).toBe(0);
    }
    // this format is read back
    await new DigestFiles(files.dir).save(key, new Map([["/x.jsonl", entry as never]]));
    expect((await new DigestFiles(files.dir).load(key)).size).toBe(1);
  });
});
