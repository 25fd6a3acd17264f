// A log without task_started (trimmed to session_meta, turn_context and token_count lines, as published logs
// are) has no turn that says when its usage was spent: it was all counted on the session's start day, however
// many days later its counters came. It is now dated by its counters, each day's growth on that day
// (ccusage's rule). Before: one row, 2026-11-10, 3,500 input tokens; `since: 2026-11-11` found none.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SessionStore } from "../../../src/sessions/index.js";
import { makeHome, reportOf } from "../../support/report-homes.js";

const ID = "0199acae-0000-7000-8000-0000000000d1";
const line = (timestamp: string, type: string, payload: object) => JSON.stringify({ timestamp, type, payload });
const counter = (timestamp: string, input: number, output: number) =>
  line(timestamp, "event_msg", {
    type: "token_count",
    info: {
      total_token_usage: {
        input_tokens: input,
        cached_input_tokens: 0,
        output_tokens: output,
        reasoning_output_tokens: 0,
        total_tokens: input + output,
      },
      last_token_usage: null,
      model_context_window: 258400,
    },
    rate_limits: null,
  });

async function trimmedHome(): Promise<string> {
  const home = await makeHome();
  const dir = join(home, "sessions", "2026", "11", "10");
  await mkdir(dir, { recursive: true });
  const start = "2026-11-10T10:00:00.000Z";
  const lines = [
    line(start, "session_meta", { id: ID, timestamp: start, cwd: "/srv/proj", cli_version: "0.171.0" }),
    line(start, "turn_context", { cwd: "/srv/proj", model: "gpt-5.1-codex" }),
    counter("2026-11-10T10:01:00.000Z", 1000, 10),
    counter("2026-11-10T18:00:00.000Z", 1200, 20),
    counter("2026-11-12T09:00:00.000Z", 3000, 20),
    counter("2026-11-12T09:30:00.000Z", 3500, 50),
  ];
  await writeFile(join(dir, `rollout-2026-11-10T10-00-00-${ID}.jsonl`), `${lines.join("\n")}\n`);
  return home;
}

const rows = (result: Awaited<ReturnType<typeof reportOf>>) =>
  result.rows.map((row) => [row.key, row.sessions, row.turns, row.tokens.input, row.tokens.output]);

describe("a trimmed log whose counters came on two days", () => {
  it("is counted on each counter's day, one-shot and in a server", async () => {
    const home = await trimmedHome();
    const byDay = [
      ["2026-11-12", 1, 0, 2300, 30],
      ["2026-11-10", 1, 1, 1200, 20],
    ];
    expect(rows(await reportOf(home))).toEqual(byDay);
    expect(rows(await reportOf(home, { since: "2026-11-11" }))).toEqual([byDay[0]]);
    expect(rows(await reportOf(home, { until: "2026-11-11" }))).toEqual([byDay[1]]);
    const server = new SessionStore(home);
    // a bound inside the session: split from the facts a server keeps of it
    const since = { since: "2026-11-10T12:00:00Z" };
    expect(rows(await reportOf(server, since, { watch: true }))).toEqual([byDay[0]]);
    expect(rows(await reportOf(server, since, { watch: true }))).toEqual([byDay[0]]);
  });
});

// A digest splits a session into at most 32 days (model-usage.ts MAX_DAYS: its size, and a diagnosis per part),
// the earliest merged into the first; a trimmed log's counter days went past it (one part a day, up to 400,
// 150 KB of saved digests for one log). Before: 40 rows.
describe("a trimmed log whose counters came on 40 days", () => {
  it("is split into 32 days, its 9 earliest counted on the first, its total unchanged", async () => {
    const home = await makeHome();
    const dir = join(home, "sessions", "2026", "10", "01");
    await mkdir(dir, { recursive: true });
    const start = "2026-10-01T10:00:00.000Z";
    const lines = [
      line(start, "session_meta", { id: ID, timestamp: start, cwd: "/srv/proj", cli_version: "0.171.0" }),
      line(start, "turn_context", { cwd: "/srv/proj", model: "gpt-5.1-codex" }),
    ];
    for (let day = 0; day < 40; day++) {
      const at = new Date(Date.parse(start) + day * 86_400_000 + 60_000).toISOString();
      lines.push(counter(at, (day + 1) * 1000, day + 1));
    }
    await writeFile(join(dir, `rollout-2026-10-01T10-00-00-${ID}.jsonl`), `${lines.join("\n")}\n`);
    const report = await reportOf(home, { since: "2026-09-01" }, { now: "2026-11-20T00:00:00.000Z" });
    const found = rows(report);
    expect(found.length).toBe(32);
    expect(found.at(-1)).toEqual(["2026-10-01", 1, 1, 9000, 9]);
    expect(found.at(-2)).toEqual(["2026-10-10", 1, 0, 1000, 1]);
    expect(found[0]).toEqual(["2026-11-09", 1, 0, 1000, 1]);
    expect([report.total.tokens.input, report.total.tokens.output]).toEqual([40_000, 40]);
  });
});
