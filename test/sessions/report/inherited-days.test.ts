// Two forks of a parent whose log is gone, trimmed to their counters (steipete/CodexBar's
// missing-parent-siblings shape): each file copies the parent's counters (its history, not marked as such:
// lineage.ts needsParentCounters), then counts its own on the next day. Its own usage is known at report
// time only, and the report put all of it on its last day: the prefix the first fork is charged with, spent
// on 2026-11-10, was counted on 2026-11-11 (ccusage's daily report: on the day each counter grew). Now each
// day has its counters' growth, the inherited history taken off the earliest days.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SessionStore } from "../../../src/sessions/index.js";
import { ownDays } from "../../../src/sessions/report/inherited-days.js";
import type { DayPart } from "../../../src/sessions/report/model-usage.js";
import { makeHome, reportOf } from "../../support/report-homes.js";

const PARENT = "0199acae-0000-7000-8000-0000000000e0";
const FIRST = "0199acae-0000-7000-8000-0000000000e1";
const SECOND = "0199acae-0000-7000-8000-0000000000e2";
const line = (timestamp: string, type: string, payload: object) => JSON.stringify({ timestamp, type, payload });
const usage = (input: number, output: number) => ({
  input_tokens: input,
  cached_input_tokens: input / 2,
  output_tokens: output,
  reasoning_output_tokens: 0,
  total_tokens: input + output,
});
const counter = (timestamp: string, [input, output]: number[], [lastIn, lastOut]: number[]) =>
  line(timestamp, "event_msg", {
    type: "token_count",
    info: {
      total_token_usage: usage(input as number, output as number),
      last_token_usage: usage(lastIn as number, lastOut as number),
      model_context_window: 258400,
    },
    rate_limits: null,
  });

/** A fork of PARENT begun at `start`: the parent's two counters (copied, at `copiedAt`), then its own. */
function fork(id: string, start: string, copiedAt: string, own: string[]): string {
  return [
    line(start, "session_meta", { id, forked_from_id: PARENT, timestamp: start, cwd: "/srv/proj" }),
    line(start, "turn_context", { cwd: "/srv/proj", model: "gpt-5.1-codex" }),
    counter(copiedAt.replace("00:00", "00:01"), [1000, 10], [1000, 10]),
    counter(copiedAt.replace("00:00", "00:02"), [2000, 20], [1000, 10]),
    ...own,
  ].join("\n");
}

async function siblingsHome(): Promise<string> {
  const home = await makeHome();
  const dir = join(home, "sessions", "2026", "11", "10");
  await mkdir(dir, { recursive: true });
  const start = "2026-11-10T15:00:00.000Z";
  const first = fork(FIRST, start, "2026-11-10T15:00:00.000Z", [
    counter("2026-11-11T09:00:00.000Z", [2600, 30], [600, 10]),
    counter("2026-11-11T09:10:00.000Z", [3000, 40], [400, 10]),
  ]);
  const second = fork(SECOND, start, "2026-11-10T17:00:00.000Z", [
    counter("2026-11-11T10:00:00.000Z", [2100, 21], [100, 1]),
  ]);
  await writeFile(join(dir, `rollout-2026-11-10T15-00-00-${FIRST}.jsonl`), `${first}\n`);
  await writeFile(join(dir, `rollout-2026-11-10T15-00-00-${SECOND}.jsonl`), `${second}\n`);
  return home;
}

const rows = (result: Awaited<ReturnType<typeof reportOf>>) =>
  result.rows.map((row) => [row.key, row.sessions, row.tokens.input, row.tokens.cached_input, row.tokens.output]);

describe("forks of a missing parent, trimmed to their counters", () => {
  it("count each day's growth, the inherited prefix once on the day it was spent", async () => {
    const home = await siblingsHome();
    const byDay = [
      // the first fork's 1,000 and the second's own 100
      ["2026-11-11", 2, 1100, 550, 21],
      // the parent's prefix, charged to the first fork; the second's copy of it taken off
      ["2026-11-10", 2, 2000, 1000, 20],
    ];
    const report = await reportOf(home);
    expect(rows(report)).toEqual(byDay);
    expect([report.total.tokens.input, report.total.tokens.output]).toEqual([3100, 41]);
    // a server's saved digests, asked twice: the same (a saved digest's parts are not changed)
    const server = new SessionStore(home);
    expect(rows(await reportOf(server, {}, { watch: true }))).toEqual(byDay);
    expect(rows(await reportOf(server, {}, { watch: true }))).toEqual(byDay);
    expect(rows(await reportOf(server, { since: "2026-11-11" }, { watch: true }))).toEqual([byDay[0]]);
  });
});

describe("ownDays", () => {
  const tokens = (input: number) => ({ input, cached_input: 0, output: 0, reasoning_output: 0, total: input });
  const part = (day: string, input: number): DayPart => ({
    day,
    at: `${day}T10:00:00.000Z`,
    model: "gpt-5.1-codex",
    turns: 0,
    wallMs: 0,
    usage: [{ model: "gpt-5.1-codex", tokens: tokens(input), longPrompts: null, turns: 0, wallMs: 0 }],
    ended: null,
  });
  const inputs = (days: DayPart[] | null) => days?.map((day) => day.usage?.[0]?.tokens.input ?? null);

  it("takes the inherited part off the earliest days, never below zero, and leaves the saved parts as they were", () => {
    const days = [part("2026-11-10", 300), part("2026-11-11", 200), part("2026-11-12", 500)];
    expect(inputs(ownDays(days, tokens(1000), tokens(600)))).toEqual([0, 100, 500]);
    expect(inputs(days)).toEqual([300, 200, 500]);
  });

  it("puts all of it on the last day when the counters cannot hold it (own above them)", () => {
    const days = [part("2026-11-10", 300), part("2026-11-11", 200)];
    expect(inputs(ownDays(days, tokens(500), tokens(700)))).toEqual([null, null]);
    expect(inputs(ownDays(days, tokens(500), null))).toEqual([null, null]);
  });
});

describe("a fork whose first turn is on a later day than its start", () => {
  // forked before midnight, its first turn after: the copied counters come before any turn, on a day without
  // one. They were put on its last day, so the history taken off its earliest days took its own first day's
  // usage (0 on 2026-11-11, 1,000 on 2026-11-12); they are its first part's, where the history is taken off
  it("keeps each day's own usage", async () => {
    const home = await makeHome();
    const parentDir = join(home, "sessions", "2026", "11", "09");
    const childDir = join(home, "sessions", "2026", "11", "10");
    await mkdir(parentDir, { recursive: true });
    await mkdir(childDir, { recursive: true });
    const parentStart = "2026-11-09T10:00:00.000Z";
    const parent = [
      line(parentStart, "session_meta", { id: PARENT, timestamp: parentStart, cwd: "/srv/proj" }),
      line(parentStart, "turn_context", { cwd: "/srv/proj", model: "gpt-5.1-codex" }),
      counter("2026-11-09T10:01:00.000Z", [1000, 10], [1000, 10]),
      counter("2026-11-09T10:02:00.000Z", [2000, 20], [1000, 10]),
    ].join("\n");
    const task = (at: string, type: string, turn: string) => line(at, "event_msg", { type, turn_id: turn });
    const child = fork(FIRST, "2026-11-10T23:00:00.000Z", "2026-11-10T23:00:00.000Z", [
      task("2026-11-11T08:59:00.000Z", "task_started", "t1"),
      counter("2026-11-11T09:00:00.000Z", [2600, 30], [600, 10]),
      task("2026-11-11T09:01:00.000Z", "task_complete", "t1"),
      task("2026-11-12T09:00:00.000Z", "task_started", "t2"),
      counter("2026-11-12T09:10:00.000Z", [3000, 40], [400, 10]),
      task("2026-11-12T09:11:00.000Z", "task_complete", "t2"),
    ]);
    await writeFile(join(parentDir, `rollout-2026-11-09T10-00-00-${PARENT}.jsonl`), `${parent}\n`);
    await writeFile(join(childDir, `rollout-2026-11-10T23-00-00-${FIRST}.jsonl`), `${child}\n`);
    const report = await reportOf(home);
    expect(rows(report)).toEqual([
      ["2026-11-12", 1, 400, 200, 10],
      ["2026-11-11", 1, 600, 300, 10],
      ["2026-11-09", 1, 2000, 1000, 20],
    ]);
    expect(rows(await reportOf(home, { since: "2026-11-12" }))).toEqual([["2026-11-12", 1, 400, 200, 10]]);
  });
});

describe("a child's day with two models", () => {
  // the copied counters (before its first turn) were put under its last model, and its history was taken off
  // its first turn's model first, field by field: gpt-5.1-codex showed 0 input and 490 cached input on
  // 2026-11-10. Each model's entry is its counters' growth (jq: 600/590/10 and 400/100/10 that day)
  it("keeps each model's own usage on that day", async () => {
    const home = await makeHome();
    const parentDir = join(home, "sessions", "2026", "11", "09");
    const childDir = join(home, "sessions", "2026", "11", "10");
    await mkdir(parentDir, { recursive: true });
    await mkdir(childDir, { recursive: true });
    const tokens = ([input, cached, output]: number[]) => ({
      input_tokens: input,
      cached_input_tokens: cached,
      output_tokens: output,
      reasoning_output_tokens: 0,
      total_tokens: (input as number) + (output as number),
    });
    const count = (at: string, total: number[], last: number[]) =>
      line(at, "event_msg", {
        type: "token_count",
        info: { total_token_usage: tokens(total), last_token_usage: tokens(last), model_context_window: 258400 },
        rate_limits: null,
      });
    const context = (at: string, model: string) => line(at, "turn_context", { cwd: "/srv/proj", model });
    const turn = (day: string, hour: string, id: string, model: string, total: number[], last: number[]) => [
      line(`${day}T${hour}:00:00.000Z`, "event_msg", { type: "task_started", turn_id: id }),
      context(`${day}T${hour}:00:00.000Z`, model),
      count(`${day}T${hour}:01:00.000Z`, total, last),
      line(`${day}T${hour}:02:00.000Z`, "event_msg", { type: "task_complete", turn_id: id }),
    ];
    const history = (day: string) => [
      context(`${day}T09:00:00.000Z`, "gpt-5.1-codex"),
      count(`${day}T09:00:01.000Z`, [1000, 50, 10], [1000, 50, 10]),
      count(`${day}T09:00:02.000Z`, [2000, 100, 20], [1000, 50, 10]),
    ];
    const parent = [
      line("2026-11-09T09:00:00.000Z", "session_meta", { id: PARENT, timestamp: "2026-11-09T09:00:00.000Z" }),
      ...history("2026-11-09"),
    ];
    const start = "2026-11-10T09:00:00.000Z";
    const child = [
      line(start, "session_meta", { id: FIRST, forked_from_id: PARENT, timestamp: start, cwd: "/srv/proj" }),
      ...history("2026-11-10"),
      ...turn("2026-11-10", "10", "t1", "gpt-5.1-codex", [2600, 690, 30], [600, 590, 10]),
      ...turn("2026-11-10", "11", "t2", "gpt-5.1-codex-mini", [3000, 790, 40], [400, 100, 10]),
      ...turn("2026-11-11", "11", "t3", "gpt-5.1-codex-mini", [3100, 800, 50], [100, 10, 10]),
    ];
    await writeFile(join(parentDir, `rollout-2026-11-09T09-00-00-${PARENT}.jsonl`), `${parent.join("\n")}\n`);
    await writeFile(join(childDir, `rollout-2026-11-10T09-00-00-${FIRST}.jsonl`), `${child.join("\n")}\n`);
    const byModel = async (day?: string) =>
      rows(await reportOf(home, { groupBy: "model", ...(day && { since: day, until: day }) }));
    expect(await byModel("2026-11-10")).toEqual([
      ["gpt-5.1-codex", 1, 600, 590, 10],
      ["gpt-5.1-codex-mini", 1, 400, 100, 10],
    ]);
    expect(await byModel()).toEqual([
      ["gpt-5.1-codex", 2, 2600, 690, 30],
      ["gpt-5.1-codex-mini", 1, 500, 110, 20],
    ]);
    expect(rows(await reportOf(home))).toEqual([
      ["2026-11-11", 1, 100, 10, 10],
      ["2026-11-10", 1, 1000, 690, 20],
      ["2026-11-09", 1, 2000, 100, 20],
    ]);
  });
});
