// Codex 0.104 (the Desktop app's) resumes a session by writing its context again (developer and user
// messages) a few milliseconds before the new turn's task_started. A resume begun just before midnight, its
// task_started just after, ran on the next day: its day, its wall time and its span start at task_started.
// (A log whose context messages the reader does not know as Codex's own, e.g. one redacted as published
// logs are, had the turn begin at the first of them.)
// Before: the turn was counted on 2026-11-13 (2 turns, 3,000 input tokens, 20,005 ms there, nothing on the
// 14th), and its span began at 23:59:59.997.
import { appendFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spanIdOf } from "../../../src/export/otel.js";
import { SessionStore } from "../../../src/sessions/index.js";
import { newReadStats, rolloutEvents } from "../../../src/sessions/rollout-reader.js";
import { foldEvents } from "../../../src/sessions/session-model.js";
import { startSpanReceiver, type SpanReceiver, type OtlpSpan } from "../../support/span-receiver.js";
import { cliStdout, makeHome, pathOf, reportOf, writeSession, type SessionSpec } from "../../support/report-homes.js";

const session: SessionSpec = {
  id: "0199acac-0000-7000-8000-0000000000c1",
  start: "2026-11-13T22:00:00.000Z",
  turns: [{ prompt: "first", total: { input: 1000, cached: 0, output: 100, reasoning: 0 } }],
};
const TURN = "0199acad-0000-7000-8000-0000000000c2";
const line = (timestamp: string, type: string, payload: object) => JSON.stringify({ timestamp, type, payload });
const message = (role: string, text: string) => ({ type: "message", role, content: [{ type: "input_text", text }] });
// the resume's context 6 ms before its task_started, across midnight (UTC)
const resume = [
  line("2026-11-13T23:59:59.996Z", "response_item", message("developer", "[REDACTED_TEXT len=3704 sha=728a705e]")),
  line("2026-11-13T23:59:59.997Z", "response_item", message("user", "[REDACTED_TEXT len=3021 sha=dc9e82a0]")),
  line("2026-11-14T00:00:00.002Z", "event_msg", { type: "task_started", turn_id: TURN, model_context_window: 258400 }),
  line("2026-11-14T00:00:00.004Z", "response_item", message("user", "again")),
  line("2026-11-14T00:00:00.004Z", "event_msg", { type: "user_message", message: "again", images: [] }),
  line("2026-11-14T00:00:00.030Z", "turn_context", {
    turn_id: TURN,
    cwd: "/srv/proj",
    model: "gpt-5.1-codex",
    approval_policy: "never",
    sandbox_policy: { type: "workspace-write" },
  }),
  line("2026-11-14T00:00:10.000Z", "event_msg", {
    type: "token_count",
    info: {
      total_token_usage: {
        input_tokens: 3000,
        cached_input_tokens: 0,
        output_tokens: 300,
        reasoning_output_tokens: 0,
        total_tokens: 3300,
      },
      last_token_usage: null,
      model_context_window: 258400,
    },
    rate_limits: null,
  }),
  line("2026-11-14T00:00:10.001Z", "event_msg", { type: "agent_message", message: "done" }),
  line("2026-11-14T00:00:10.002Z", "event_msg", { type: "task_complete", turn_id: TURN, last_agent_message: "done" }),
];

let receiver: SpanReceiver;
const spans: OtlpSpan[] = [];
let home: string;
afterAll(() => receiver.close());
beforeAll(async () => {
  receiver = await startSpanReceiver<OtlpSpan>((got) => spans.push(...got));
  home = await makeHome();
  const path = await writeSession(home, { ...session });
  await appendFile(path, `${resume.join("\n")}\n`);
});

const days = (result: Awaited<ReturnType<typeof reportOf>>) =>
  result.rows.map((row) => [row.key, row.turns, row.tokens.input, row.wall_ms]);

describe("a 0.104 resume whose context is written just before midnight and its turn just after", () => {
  it("counts the turn on the day of its task_started, for its 10 s", async () => {
    expect(days(await reportOf(home))).toEqual([
      ["2026-11-14", 1, 2000, 10000],
      ["2026-11-13", 1, 1000, 10000],
    ]);
    expect(days(await reportOf(home, { since: "2026-11-14" }))).toEqual([["2026-11-14", 1, 2000, 10000]]);
    expect(days(await reportOf(home, { until: "2026-11-14T00:00:00Z" }))).toEqual([["2026-11-13", 1, 1000, 10000]]);
  });

  // the session as it stood before the resume's first line: its first turn completed. Before: the lines the
  // resume wrote before its task_started were folded as a turn with no end, and the session counted
  // "interrupted", a failure ("turn <n> has no end"), on the 13th
  it("ends the day before as the session stood before the resume's first line: completed, no failure", async () => {
    const ends = (result: Awaited<ReturnType<typeof reportOf>>) => [
      result.rows.map((row) => [row.key, row.turns, row.tokens.input]),
      result.recurring_failures,
    ];
    const until = { until: "2026-11-14T00:00:00Z", groupBy: "category" as const };
    const completed = [[["completed", 1, 1000]], []];
    expect(ends(await reportOf(home, until))).toEqual(completed);
    // a server: from the facts it keeps of the session, made on its first report
    const server = new SessionStore(home);
    expect(ends(await reportOf(server, until, { watch: true }))).toEqual(completed);
    expect(ends(await reportOf(server, until, { watch: true }))).toEqual(completed);
  });

  // the fold keeps when the lines that opened the turn came (report/digest.ts PartEnds stops there). Before: the
  // turn's start was overwritten by its task_started, and the digest recovered the earlier time by watching the
  // fold from outside
  it("folds the turn with its start at task_started and its opening at the resume's first user line", async () => {
    const model = await foldEvents(rolloutEvents(pathOf(home, session), newReadStats()));
    expect(model.turns.map((turn) => [turn.startedAt, turn.openedAt])).toEqual([
      ["2026-11-13T22:00:05.000Z", undefined],
      ["2026-11-14T00:00:00.002Z", "2026-11-13T23:59:59.997Z"],
    ]);
  });

  it("exports the turn's span from its task_started to its task_complete", async () => {
    expect(await cliStdout(home, ["export", "--otlp", receiver.url])).toBe(
      `Sent 1 session (3 spans) to ${receiver.url}/v1/traces.`,
    );
    const nanos = (iso: string) => `${Date.parse(iso)}000000`;
    const turn = spans.find((span) => span.spanId === spanIdOf(session.id, "turn:2"));
    expect([turn?.startTimeUnixNano, turn?.endTimeUnixNano]).toEqual([
      nanos("2026-11-14T00:00:00.002Z"),
      nanos("2026-11-14T00:00:10.002Z"),
    ]);
  });
});
