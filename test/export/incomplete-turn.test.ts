// A turn with no end (the log stops in it, or a later turn starts) in a session no run is writing is a turn
// that ended in an error: its span has status ERROR with error.type `incomplete`, as the session's diagnosis
// says. Before: error.type `incomplete` on a span whose status was left unset (an error named, none recorded).
// Its error.type is the diagnosis category (test/export/turn-category.test.ts): `interrupted`, the session's
// for a last turn, and the one the session had as the next turn began for an earlier one; its status,
// `incomplete`, is codex.turn.status.
import { afterAll, beforeAll, expect, it } from "vitest";
import { spanIdOf } from "../../src/export/otel.js";
import { makeHome, writeSession, type SessionSpec, runCli } from "../support/report-homes.js";
import { startSpanReceiver, type SpanReceiver, type OtlpSpan } from "../support/span-receiver.js";

const cutThenGoneOn: SessionSpec = {
  id: "0199eeee-0000-7000-8000-000000000061",
  start: "2026-11-12T08:00:00.000Z",
  turns: [
    { prompt: "first", unfinished: true, calls: [["make", 0]] },
    { prompt: "second", total: { input: 100, cached: 0, output: 10, reasoning: 0 } },
  ],
};
const killed: SessionSpec = {
  id: "0199eeee-0000-7000-8000-000000000062",
  start: "2026-11-12T09:00:00.000Z",
  turns: [{ prompt: "only", unfinished: true }],
};

let home: string;
let receiver: SpanReceiver;
let url: string;
const spans: OtlpSpan[] = [];

beforeAll(async () => {
  home = await makeHome();
  await writeSession(home, cutThenGoneOn);
  await writeSession(home, killed);
  receiver = await startSpanReceiver<OtlpSpan>((got) => spans.push(...got));
  url = receiver.url;
});
afterAll(() => receiver.close());

it("marks a turn with no end as an error, with error.type interrupted, and nothing else that completed", async () => {
  expect((await runCli(home, ["export", "--otlp", url])).code).toBe(0);
  const errorType = (span: OtlpSpan) => span.attributes.find((a) => a.key === "error.type")?.value.stringValue;
  const errors = spans
    .filter((span) => span.status?.code === 2 || errorType(span) !== undefined)
    .map((span) => [span.spanId, span.status?.code, errorType(span), span.status?.message])
    .sort();
  expect(errors).toEqual(
    [
      [
        spanIdOf(cutThenGoneOn.id, "turn:1"),
        2,
        "interrupted",
        "turn 1 has no end: the run was killed, crashed or interrupted",
      ],
      [
        spanIdOf(killed.id, "turn:1"),
        2,
        "interrupted",
        "turn 1 has no end: the run was killed, crashed or interrupted",
      ],
      [
        spanIdOf(killed.id, "session"),
        2,
        "interrupted",
        "turn 1 has no end: the run was killed, crashed, or is still running",
      ],
    ].sort(),
  );
});
