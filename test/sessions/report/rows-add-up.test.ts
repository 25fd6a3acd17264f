// Review of the rows by day part and by model (s9): under every grouping and range, with a session that
// switched models within a day, one resumed on a later day under another model (and switching again that
// day), and a fork, the rows add up to the total — turns, each token count, wall time, categories, priced
// and unpriced sessions, cost (to the rounding of each row) — and a session is counted once in the total.
// A server's warm report (kept day tallies) answers what a cold one answers, before and after a resume is
// appended to an old log.
import { appendFile, mkdtemp, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPrices, sessionsReport, SessionStore } from "../../../src/sessions/index.js";
import { REPORT_GROUPS } from "../../../src/sessions/report/view.js";
import { linesOf, makeHome, pathOf, writeSession, type SessionSpec } from "../../support/report-homes.js";

const MINI = "gpt-5.1-codex-mini";
const CODEX = "gpt-5.1-codex";
const ERROR = "unexpected status 401 Unauthorized: Missing bearer or basic authentication in header";
type Report = Awaited<ReturnType<typeof sessionsReport>>;
type Row = Report["total"];

const switched: SessionSpec = {
  id: "0199dede-0000-7000-8000-000000000001",
  start: "2026-11-16T09:00:00Z",
  cwd: "/srv/a",
  turns: [
    { prompt: "a", model: MINI, total: { input: 1000, cached: 100, output: 100, reasoning: 10 }, seconds: 10 },
    { prompt: "b", model: CODEX, total: { input: 3000, cached: 300, output: 300, reasoning: 30 }, seconds: 20 },
  ],
};
const first: SessionSpec = {
  id: "0199dede-0000-7000-8000-000000000002",
  start: "2026-11-13T11:00:00Z",
  cwd: "/srv/b",
  model: CODEX,
  turns: [{ prompt: "d", total: { input: 2000, cached: 0, output: 200, reasoning: 0 }, seconds: 30 }],
};
const later: SessionSpec = {
  ...first,
  start: "2026-11-18T08:00:00Z",
  turns: [
    { prompt: "e", model: CODEX, total: { input: 2600, cached: 50, output: 260, reasoning: 5 }, seconds: 15 },
    { prompt: "f", model: MINI, total: { input: 3600, cached: 60, output: 360, reasoning: 6 }, error: ERROR },
  ],
};
const fork: SessionSpec = {
  id: "0199dede-0000-7000-8000-000000000003",
  start: "2026-11-17T10:00:00Z",
  forkOf: { parent: switched },
  model: "house-model", // unpriced
  turns: [{ prompt: "g", total: { input: 4500, cached: 0, output: 450, reasoning: 0 } }],
};

async function resume(dir: string): Promise<void> {
  const path = pathOf(dir, first);
  const more = linesOf(later).filter((line) => (line as { type: string }).type !== "session_meta");
  await appendFile(path, more.map((line) => `${JSON.stringify(line)}\n`).join(""));
  const end = (Date.parse(later.start) + 120_000) / 1000;
  await utimes(path, end, end);
}

const RANGES = [{}, { until: "2026-11-17" }, { since: "2026-11-17" }, { model: MINI }, { model: CODEX }];

function summed(rows: Row[]) {
  const sum = (pick: (row: Row) => number) => rows.reduce((total, row) => total + pick(row), 0);
  const categories: Record<string, number> = {};
  for (const row of rows)
    for (const [category, count] of Object.entries(row.categories))
      categories[category] = (categories[category] ?? 0) + count;
  return {
    turns: sum((row) => row.turns),
    input: sum((row) => row.tokens.input),
    cached: sum((row) => row.tokens.cached_input),
    output: sum((row) => row.tokens.output),
    reasoning: sum((row) => row.tokens.reasoning_output),
    total: sum((row) => row.tokens.total),
    wall: sum((row) => row.wall_ms),
    categories: Object.fromEntries(Object.entries(categories).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

describe("rows add up", () => {
  it("to the total under every grouping and range, each session once in the total", async () => {
    const dir = await makeHome();
    for (const spec of [switched, first, fork]) await writeSession(dir, spec);
    await resume(dir);
    const prices = await loadPrices();
    for (const filters of RANGES) {
      const all = await sessionsReport(
        new SessionStore(dir),
        { includeArchived: false, groupBy: "day", ...filters },
        { prices },
      );
      for (const groupBy of REPORT_GROUPS) {
        const result = await sessionsReport(
          new SessionStore(dir),
          { includeArchived: false, groupBy, ...filters },
          { prices },
        );
        const { total } = result;
        expect([groupBy, filters, summed(result.rows)]).toEqual([groupBy, filters, summed([total])]);
        // every grouping has the same total
        expect([groupBy, filters, total]).toEqual([groupBy, filters, all.total]);
        expect(total.sessions).toBeLessThanOrEqual(result.rows.reduce((n, row) => n + row.sessions, 0));
        const cost = result.rows.reduce((usd, row) => usd + (row.cost.estimate_usd ?? 0), 0);
        expect(Math.abs(cost - (total.cost.estimate_usd ?? 0))).toBeLessThanOrEqual(0.0001 * result.rows.length);
      }
    }
    // the whole range: 3 sessions; the fork's own usage only (its parent's 3,300 counted in the parent)
    const whole = await sessionsReport(new SessionStore(dir), { includeArchived: false, groupBy: "model" }, { prices });
    expect([whole.total.sessions, whole.total.turns, whole.total.tokens.total, whole.total.categories]).toEqual([
      3,
      6,
      3300 + 3960 + 1650,
      { auth_error: 1, completed: 2 },
    ]);
  });

  it("a warm server report answers what a cold one does, before and after a resume is appended", async () => {
    const dir = await makeHome();
    for (const spec of [switched, first, fork]) await writeSession(dir, spec);
    const prices = await loadPrices();
    const store = new SessionStore(dir);
    const stateDir = await mkdtemp(join(tmpdir(), "ccm-rows-state-"));
    const check = async () => {
      for (const filters of RANGES)
        for (const groupBy of REPORT_GROUPS) {
          const request = { includeArchived: false, groupBy, ...filters };
          const cold = await sessionsReport(new SessionStore(dir), request, { prices });
          for (let i = 0; i < 2; i++)
            expect([groupBy, filters, await sessionsReport(store, request, { prices, stateDir, watch: true })]).toEqual(
              [groupBy, filters, { ...cold, recomputed_files: expect.any(Number) as number }],
            );
        }
    };
    await check();
    await resume(dir);
    await check();
  });
});
