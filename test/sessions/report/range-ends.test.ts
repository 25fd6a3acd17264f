// A session resumed on a later day (`codex exec resume` appends to its old log), reported over a range that
// ends before its last turn, or grouped by model. What the rows count must agree with their keys:
// - its end within the range is how it stood when its next day's turns began (DayPart.ended: the log up to
//   then, diagnosed), so grouped by category it is in the row it counts, and a failure after `until` is not
//   listed, while one before it is;
// - grouped by model, each day's usage is in the row of the model that day ran, priced at that model.
// Before: the row keyed "auth_error" had `categories: {}`, total.categories left the session out, a session
// that failed and was then resumed to success showed no failure `until` the resume, and a day's usage was
// filed (and priced) under the session's last model.
import { appendFile, utimes } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { sessionsReport } from "../../../src/sessions/index.js";
import { home as resumedHome, parent as resumedParent } from "../../support/resumed-home.js";
import { linesOf, makeHome, pathOf, writeSession, type SessionSpec, reportOf } from "../../support/report-homes.js";

type Group = "day" | "category" | "model";
type Report = Awaited<ReturnType<typeof sessionsReport>>;

const report = (dir: string, groupBy: Group, filters: { since?: string; until?: string } = {}) =>
  reportOf(dir, { groupBy, ...filters });
const rows = (result: Report) =>
  [...result.rows, result.total].map((row) => [row.key, row.sessions, row.turns, row.categories, row.tokens.total]);
const priced = (result: Report) =>
  [...result.rows, result.total].map((row) => [
    row.key,
    row.sessions,
    row.turns,
    row.categories,
    row.tokens.total,
    row.cost.estimate_usd,
  ]);
const failures = (result: Report) =>
  result.recurring_failures.map((failure) => [
    failure.category,
    failure.count,
    failure.first_seen,
    failure.last_seen,
    failure.session_ids,
  ]);

const ERROR = "unexpected status 401 Unauthorized: Missing bearer or basic authentication in header";

/** `first` on its start day, then `resumed`'s turns appended to its log on a later day (as Codex 0.171 resumes). */
async function resumedOn(first: SessionSpec, resumed: SessionSpec): Promise<string> {
  const dir = await makeHome();
  await writeSession(dir, first);
  const path = pathOf(dir, first);
  const more = linesOf(resumed).filter((line) => (line as { type: string }).type !== "session_meta");
  await appendFile(path, more.map((line) => `${JSON.stringify(line)}\n`).join(""));
  const end = (Date.parse(resumed.start) + 60_000) / 1000;
  await utimes(path, end, end);
  return dir;
}

describe("grouped by category, until before the failing resume", () => {
  it("keys the session by how it stood then, and counts it there", async () => {
    const dir = await resumedHome();
    // the whole range: the resumed session failed (its 401 of 2026-11-17), its fork completed
    const all = await report(dir, "category");
    expect(rows(all)).toEqual([
      ["auth_error", 1, 2, { auth_error: 1 }, 2700],
      ["completed", 1, 1, { completed: 1 }, 550],
      ["total", 2, 3, { auth_error: 1, completed: 1 }, 3250],
    ]);
    // until 2026-11-15: its turn of 2026-11-13 had completed, and the 401 lies outside the range
    const until = await report(dir, "category", { until: "2026-11-15" });
    expect(rows(until)).toEqual([
      ["completed", 2, 2, { completed: 2 }, 1650],
      ["total", 2, 2, { completed: 2 }, 1650],
    ]);
    expect(failures(until)).toEqual([]);
    // since the resume: the failure, in its own row
    const since = await report(dir, "category", { since: "2026-11-16" });
    expect(rows(since)).toEqual([
      ["auth_error", 1, 1, { auth_error: 1 }, 1600],
      ["total", 1, 1, { auth_error: 1 }, 1600],
    ]);
    expect(failures(since)).toEqual([
      ["auth_error", 1, "2026-11-17T09:00:25.000Z", "2026-11-17T09:00:25.000Z", [resumedParent.id]],
    ]);
  });
});

describe("a session that failed, then was resumed to success on a later day", () => {
  const failed: SessionSpec = {
    id: "0199abab-0000-7000-8000-000000000081",
    start: "2026-11-13T08:00:00.000Z",
    turns: [{ prompt: "start", error: ERROR, total: { input: 1000, cached: 0, output: 100, reasoning: 0 } }],
  };
  const fixed: SessionSpec = {
    ...failed,
    start: "2026-11-17T09:00:00.000Z",
    turns: [{ prompt: "again", total: { input: 2500, cached: 0, output: 200, reasoning: 0 } }],
  };

  it("completed in the whole range; failed until the resume, its 401 then a recurring failure", async () => {
    const dir = await resumedOn(failed, fixed);
    const all = await report(dir, "day");
    expect(rows(all)).toEqual([
      ["2026-11-17", 1, 1, { completed: 1 }, 1600],
      ["2026-11-13", 1, 1, {}, 1100],
      ["total", 1, 2, { completed: 1 }, 2700],
    ]);
    expect(failures(all)).toEqual([]);
    const until = await report(dir, "day", { until: "2026-11-15" });
    expect(rows(until)).toEqual([
      ["2026-11-13", 1, 1, { auth_error: 1 }, 1100],
      ["total", 1, 1, { auth_error: 1 }, 1100],
    ]);
    // failed at its last event of 2026-11-13 (the turn's end, 15 s after the start)
    expect(failures(until)).toEqual([
      ["auth_error", 1, "2026-11-13T08:00:15.000Z", "2026-11-13T08:00:15.000Z", [failed.id]],
    ]);
    expect(rows(await report(dir, "category", { until: "2026-11-15" }))).toEqual([
      ["auth_error", 1, 1, { auth_error: 1 }, 1100],
      ["total", 1, 1, { auth_error: 1 }, 1100],
    ]);
  });
});

describe("grouped by model, a session whose days ran different models", () => {
  // 2026-11-13 on gpt-5.1-codex-mini ($0.25 / $2 per million), resumed 2026-11-17 on gpt-5.1-codex ($1.25 / $10)
  const first: SessionSpec = {
    id: "0199abab-0000-7000-8000-0000000000b1",
    start: "2026-11-13T08:00:00.000Z",
    model: "gpt-5.1-codex-mini",
    turns: [{ prompt: "big", total: { input: 1_000_000, cached: 0, output: 100_000, reasoning: 0 } }],
  };
  const resumed: SessionSpec = {
    ...first,
    start: "2026-11-17T09:00:00.000Z",
    turns: [
      {
        prompt: "small",
        model: "gpt-5.1-codex",
        total: { input: 1_010_000, cached: 0, output: 101_000, reasoning: 0 },
      },
    ],
  };

  it("puts each day's usage in its model's row, at its price: the rows add up to the total", async () => {
    const dir = await resumedOn(first, resumed);
    // mini: 1,000,000 × 0.25 + 100,000 × 2 = $0.45; codex: 10,000 × 1.25 + 1,000 × 10 = $0.0225
    expect(priced(await report(dir, "model"))).toEqual([
      ["gpt-5.1-codex", 1, 1, { completed: 1 }, 11_000, 0.0225],
      ["gpt-5.1-codex-mini", 1, 1, {}, 1_100_000, 0.45],
      ["total", 1, 2, { completed: 1 }, 1_111_000, 0.4725],
    ]);
    // until the resume: the mini's day only, and how the session stood then
    expect(priced(await report(dir, "model", { until: "2026-11-15" }))).toEqual([
      ["gpt-5.1-codex-mini", 1, 1, { completed: 1 }, 1_100_000, 0.45],
      ["total", 1, 1, { completed: 1 }, 1_100_000, 0.45],
    ]);
  });
});
