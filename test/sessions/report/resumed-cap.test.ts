// A session resumed on more days than a digest keeps apart (32): the earliest days are merged, so that its
// latest days, the ones "what failed this week" asks about, stay exact. Before, days 33 on were merged into the
// 32nd part and told by its time: `since` after the 32nd day found nothing (its 401 of the 40th day included),
// and `until` the 32nd day counted that 401 and the eight later days' tokens.
import { appendFile, utimes } from "node:fs/promises";
import { describe, expect, it } from "vitest";

import { linesOf, makeHome, pathOf, writeSession, type SessionSpec, reportOf } from "../../support/report-homes.js";

const DAY_MS = 86_400_000;
const START = Date.parse("2026-10-01T10:00:00.000Z");
const ID = "0199abab-0000-7000-8000-000000000091";
const DAYS = 40;

/** One turn a day for 40 days (2026-10-01 … 11-09), each 100 input and 10 output tokens; the last fails. */
async function home(): Promise<string> {
  const dir = await makeHome();
  const turn = (day: number): SessionSpec => ({
    // the turn ids are made of the id's first 8 characters: one of its own a day
    id: day === 0 ? ID : `${String(day).padStart(8, "0")}${ID.slice(8)}`,
    start: new Date(START + day * DAY_MS).toISOString(),
    turns: [
      {
        prompt: `day ${day}`,
        total: { input: 100 * (day + 1), cached: 0, output: 10 * (day + 1), reasoning: 0 },
        ...(day === DAYS - 1 && { error: "unexpected status 401 Unauthorized: Missing bearer" }),
      },
    ],
  });
  await writeSession(dir, turn(0));
  const path = pathOf(dir, turn(0));
  for (let day = 1; day < DAYS; day++) {
    const lines = linesOf(turn(day)).filter((line) => (line as { type: string }).type !== "session_meta");
    await appendFile(path, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
  }
  const last = (START + (DAYS - 1) * DAY_MS + 60_000) / 1000;
  await utimes(path, last, last);
  return dir;
}

async function report(dir: string, filters: { since?: string; until?: string } = {}) {
  const result = await reportOf(dir, filters);
  return {
    rows: [...result.rows, result.total].map((row) => [
      row.key,
      row.sessions,
      row.turns,
      row.categories,
      row.tokens.total,
    ]),
    failures: result.recurring_failures.map((failure) => [failure.count, failure.last_seen]),
  };
}

describe("a session resumed on 40 days", () => {
  it("has its 31 latest days apart and the 9 earliest in its first day's row", async () => {
    const { rows, failures } = await report(await home());
    expect(rows).toHaveLength(33);
    expect(rows[0]).toEqual(["2026-11-09", 1, 1, { auth_error: 1 }, 110]);
    expect(rows[30]).toEqual(["2026-10-10", 1, 1, {}, 110]);
    expect(rows[31]).toEqual(["2026-10-01", 1, 9, {}, 990]);
    expect(rows[32]).toEqual(["total", 1, 40, { auth_error: 1 }, 4400]);
    expect(failures).toEqual([[1, "2026-11-09T10:00:15.000Z"]]);
  });

  it("since a day after the 32nd: its turns since, and its failure", async () => {
    const { rows, failures } = await report(await home(), { since: "2026-11-05" });
    expect(rows.at(-1)).toEqual(["total", 1, 5, { auth_error: 1 }, 550]);
    expect(failures).toEqual([[1, "2026-11-09T10:00:15.000Z"]]);
  });

  it("until the 32nd day: its turns until then, without the later failure", async () => {
    const { rows, failures } = await report(await home(), { until: "2026-11-01" });
    // as it stood then: its turn of 2026-11-01 had completed
    expect(rows[0]).toEqual(["2026-11-01", 1, 1, { completed: 1 }, 110]);
    expect(rows.at(-1)).toEqual(["total", 1, 32, { completed: 1 }, 3520]);
    expect(failures).toEqual([]);
  });
});
