// A server splits a session a since/until falls inside from the facts it keeps for that version of the log
// (digest.ts CutFacts), not by reading and folding the log again for each report: the split must be the one
// the log gives. Every bound between and at every turn of the fixtures (real 0.171 logs, the shapes, homes
// resumed the same day, on other days and on 40 days), alone and in pairs, old path against new.
import { readdirSync, statSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cutDigest, cutFactsOf, digestOf } from "../../../src/sessions/report/digest.js";
import type { RolloutFile } from "../../../src/sessions/locate.js";
import { FIXTURES } from "../../support/fixtures.js";
import { home as resumedHome } from "../../support/resumed-home.js";
import { sameDayHome } from "../../support/same-day-home.js";
import { linesOf, makeHome, pathOf, writeSession, type SessionSpec } from "../../support/report-homes.js";

const DAY_MS = 86_400_000;

function logsUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => /rollout-.*\.jsonl(\.zst)?$/.test(name) || /\.jsonl(\.zst)?$/.test(name))
    .map((name) => join(dir, name));
}

function fileOf(path: string): RolloutFile {
  const info = statSync(path);
  const id = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/.exec(path)?.[1] ?? "unknown";
  return { id, path, archived: false, mtimeMs: info.mtimeMs, size: info.size };
}

/** A session resumed on 40 days, one turn a day, the last failing (as resumed-cap.test.ts). */
async function fortyDays(): Promise<string> {
  const dir = await makeHome();
  const id = "0199abab-0000-7000-8000-000000000191";
  const start = Date.parse("2026-10-01T10:00:00.000Z");
  const turn = (day: number): SessionSpec => ({
    id: day === 0 ? id : `${String(day).padStart(8, "0")}${id.slice(8)}`,
    start: new Date(start + day * DAY_MS).toISOString(),
    turns: [
      {
        prompt: `day ${day}`,
        total: { input: 100 * (day + 1), cached: 0, output: 10 * (day + 1), reasoning: 0 },
        ...(day % 13 === 12 && { error: "unexpected status 401 Unauthorized: Missing bearer" }),
      },
    ],
  });
  await writeSession(dir, turn(0));
  const path = pathOf(dir, turn(0));
  for (let day = 1; day < 40; day++) {
    const lines = linesOf(turn(day)).filter((line) => (line as { type: string }).type !== "session_meta");
    await appendFile(path, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
  }
  return dir;
}

/** Times at, just before and just after each turn's start, between turns, and at the session's edges. */
function boundsOf(starts: number[], first: number, last: number): number[] {
  const times = new Set<number>([first + 1, last, last + 1]);
  starts.forEach((start, index) => {
    for (const at of [start - 1, start, start + 1]) times.add(at);
    const next = starts[index + 1];
    if (next !== undefined) times.add(Math.floor((start + next) / 2));
  });
  return [...times].filter(Number.isFinite).sort((a, b) => a - b);
}

describe("a session split at bounds inside it, from its kept facts", () => {
  it("is split as its log splits it, at every bound and pair of bounds", async () => {
    const logs = [
      ...logsUnder(join(FIXTURES, "codex-home", "sessions")),
      ...logsUnder(join(FIXTURES, "shapes")),
      ...logsUnder(await sameDayHome(true)),
      ...logsUnder(await resumedHome()),
      ...logsUnder(await fortyDays()),
    ];
    let compared = 0;
    let split = 0;
    for (const path of logs) {
      const file = fileOf(path);
      const facts = await cutFactsOf(file);
      if (!facts) throw new Error(`no facts for ${path}`);
      const starts = facts.turns.turns.map((turn) => Date.parse(turn.startedAt ?? ""));
      const first = Date.parse(facts.digest.startedAt ?? "");
      const last = Date.parse(facts.digest.lastEventAt ?? "");
      const bounds = boundsOf(starts, first, last);
      // every pair for a session of a few turns; every 9th bound paired for the 40-day one
      const paired = bounds.length <= 40 ? bounds : bounds.filter((_, index) => index % 9 === 0);
      const cutsList: number[][] = bounds.map((bound) => [bound]);
      for (const since of paired) for (const until of paired) if (since < until) cutsList.push([since, until]);
      for (const cuts of cutsList) {
        const expected = await digestOf(file, cuts);
        const got = cutDigest(facts, cuts);
        expect({ path, cuts, digest: got }).toEqual({ path, cuts, digest: expected });
        compared += 1;
        if ((expected.days?.length ?? 0) >= 2) split += 1;
      }
    }
    // the fixtures did cut sessions into parts, many times over
    expect(logs.length).toBeGreaterThan(70);
    expect(split).toBeGreaterThan(1000);
    expect(compared).toBeGreaterThan(split);
  });
});
