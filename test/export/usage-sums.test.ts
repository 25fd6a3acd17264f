// The export's token attributes add up to the report's: a trace's spans below the root carry the session's
// usage between them. Two sessions did not: a fork whose parent's log is absent (Codex 0.169's paginated
// fork restates the parent's counter before its first turn: the report counts the session's last counter,
// the turns only their growth) and a session with a counter but no turn (its usage was on the root alone,
// no span below it). What no turn carries is now a span of its own, `usage outside turns`.
// A session of more than 100 turns: token_usage names the newest 100, the export takes every turn's.
// Before: the fork's turn spans summed 3,000 input tokens against the root's and the report's 4,000, and the
// turnless session had no span below its root; the 102-turn session's turns 1 and 2 carried no usage.
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spanIdOf, traceIdOf } from "../../src/export/otel.js";
import { startSpanReceiver, type SpanReceiver, type OtlpSpan } from "../support/span-receiver.js";
import {
  cliStdout,
  linesOf,
  makeHome,
  pathOf,
  reportOf,
  writeSession,
  type SessionSpec,
  type Tokens,
} from "../support/report-homes.js";

let receiver: SpanReceiver;
const spans: OtlpSpan[] = [];
beforeAll(async () => {
  receiver = await startSpanReceiver<OtlpSpan>((got) => spans.push(...got));
});
afterAll(() => receiver.close());

const PARENT = "0199acac-0000-7000-8000-0000000000a1";
const tokens = (input: number): Tokens => ({ input, cached: 0, output: input / 10, reasoning: 0 });
const counter = (at: string, total: Tokens) => ({
  timestamp: at,
  type: "event_msg",
  payload: {
    type: "token_count",
    info: {
      total_token_usage: {
        input_tokens: total.input,
        cached_input_tokens: total.cached,
        output_tokens: total.output,
        reasoning_output_tokens: total.reasoning,
        total_tokens: total.input + total.output,
      },
      last_token_usage: null,
      model_context_window: 200000,
    },
    rate_limits: null,
  },
});

// forked (0.169, paginated) from a session whose log is not in the home, at its 1,000 input tokens
const fork: SessionSpec = {
  id: "0199acac-0000-7000-8000-0000000000a4",
  start: "2026-11-13T12:00:00.000Z",
  turns: [
    { prompt: "g1", total: tokens(3000) },
    { prompt: "g2", total: tokens(4000) },
  ],
};
// a counter and no turn
const turnless: SessionSpec = {
  id: "0199acac-0000-7000-8000-0000000000a3",
  start: "2026-11-13T11:00:00.000Z",
  turns: [],
};

async function writeFork(home: string): Promise<void> {
  const lines = linesOf(fork) as Array<{ type: string; payload: Record<string, unknown> }>;
  Object.assign(lines[0]?.payload ?? {}, {
    cli_version: "0.169.0",
    forked_from_id: PARENT,
    history_mode: "paginated",
    history_base: { thread_id: PARENT, end_ordinal_exclusive: 43, end_byte_offset: 9000 },
  });
  // the parent's counter restated before the first turn
  lines.splice(1, 0, counter("2026-11-13T12:00:00.500Z", tokens(1000)));
  const path = pathOf(home, fork);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, lines.map((line, i) => `${JSON.stringify({ ...line, ordinal: 43 + i })}\n`).join(""));
}

const input = (span: OtlpSpan) =>
  Number(span.attributes.find((a) => a.key === "gen_ai.usage.input_tokens")?.value.intValue ?? 0);

describe("export of sessions whose usage is not all in their turns", () => {
  it("sends spans whose input tokens add up to the root's and the report's", async () => {
    const home = await makeHome();
    await writeFork(home);
    const path = await writeSession(home, turnless);
    await appendFile(path, `${JSON.stringify(counter("2026-11-13T11:00:03.000Z", tokens(700)))}\n`);
    const report = await reportOf(home, { groupBy: "category" });
    expect(report.total.tokens.input).toBe(4700);
    spans.length = 0;
    expect(await cliStdout(home, ["export", "--otlp", receiver.url])).toBe(
      `Sent 2 sessions (6 spans) to ${receiver.url}/v1/traces.`,
    );
    const byTrace = (id: string) =>
      spans
        .filter((span) => span.traceId === traceIdOf(id))
        .map((span) => [span.parentSpanId ? "child" : "root", span.name, input(span)])
        .sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    expect(byTrace(fork.id)).toEqual([
      ["root", "invoke_agent codex", 4000],
      ["child", "turn 1", 2000],
      ["child", "turn 2", 1000],
      // the parent's 1,000 before the fork, which the absent parent's log would have told apart
      ["child", "usage outside turns", 1000],
    ]);
    expect(byTrace(turnless.id)).toEqual([
      ["root", "invoke_agent codex", 700],
      ["child", "usage outside turns", 700],
    ]);
    const usage = spans.find((span) => span.spanId === spanIdOf(fork.id, "usage"));
    // from the session's start to its first turn's
    expect([usage?.startTimeUnixNano, usage?.endTimeUnixNano]).toEqual([
      `${Date.parse("2026-11-13T12:00:00.000Z")}000000`,
      `${Date.parse("2026-11-13T12:00:05.000Z")}000000`,
    ]);
  });

  it("gives each turn of a session of more than 100 turns its own usage, none left outside", async () => {
    const home = await makeHome();
    const long: SessionSpec = {
      id: "0199acac-0000-7000-8000-0000000000a5",
      start: "2026-11-13T13:00:00.000Z",
      turns: Array.from({ length: 102 }, (_, i) => ({ prompt: `t${i + 1}`, total: tokens(1000 * (i + 1)) })),
    };
    await writeSession(home, long);
    spans.length = 0;
    expect(await cliStdout(home, ["export", "--otlp", receiver.url])).toBe(
      `Sent 1 session (103 spans) to ${receiver.url}/v1/traces.`,
    );
    const turns = spans.filter((span) => span.name.startsWith("turn "));
    expect([turns.length, new Set(turns.map(input))]).toEqual([102, new Set([1000])]);
    expect(spans.filter((span) => !span.parentSpanId).map(input)).toEqual([102_000]);
  });
});
