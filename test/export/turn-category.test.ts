// A turn that did not complete is sent with the diagnosis category as error.type, where the diagnosis names
// one for it: the session's own for its last turn, and for an earlier turn the one the session had as the
// next turn began (what `report --until` there counts it as). Its status stays in codex.turn.status. A user
// triaging in an OpenTelemetry backend filters by `error.type = auth_error` and finds every turn the 401 hit.
// Before: a failed turn's span said only `failed` (its status), whatever had failed.
import { afterAll, beforeAll, expect, it } from "vitest";
import { spanIdOf } from "../../src/export/otel.js";
import { makeHome, runCli, writeSession, type SessionSpec } from "../support/report-homes.js";
import { startSpanReceiver, type SpanReceiver, type OtlpSpan } from "../support/span-receiver.js";

const AUTH = "unexpected status 401 Unauthorized: Missing bearer or basic authentication in header";
const LIMIT = "exceeded retry limit, last status: 429 Too Many Requests, request id: 7a9e0c1d";
const tokens = (input: number) => ({ input, cached: 0, output: input / 10, reasoning: 0 });
// a 401, then a turn that completed: the session completed, its first turn failed for want of a key
const earlier: SessionSpec = {
  id: "0199eeee-0000-7000-8000-000000000071",
  start: "2026-11-12T08:00:00.000Z",
  turns: [
    { prompt: "first", error: AUTH },
    { prompt: "second", total: tokens(100) },
  ],
};
// a turn that completed, a 429, then a 401 that ends it
const last: SessionSpec = {
  id: "0199eeee-0000-7000-8000-000000000072",
  start: "2026-11-12T09:00:00.000Z",
  turns: [
    { prompt: "first", total: tokens(100) },
    { prompt: "second", error: LIMIT },
    { prompt: "third", error: AUTH },
  ],
};

let home: string;
let receiver: SpanReceiver;
const spans: OtlpSpan[] = [];

beforeAll(async () => {
  home = await makeHome();
  await writeSession(home, earlier);
  await writeSession(home, last);
  receiver = await startSpanReceiver<OtlpSpan>((got) => spans.push(...got));
});
afterAll(() => receiver.close());

it("names the diagnosis category of each turn that failed, as the session stood when it ended", async () => {
  expect((await runCli(home, ["export", "--otlp", receiver.url])).code).toBe(0);
  const attribute = (span: OtlpSpan, key: string) => span.attributes.find((a) => a.key === key)?.value.stringValue;
  const errors = spans
    .filter((span) => span.status?.code === 2)
    .map((span) => [span.spanId, attribute(span, "error.type"), attribute(span, "codex.turn.status") ?? null])
    .sort();
  expect(errors).toEqual(
    [
      [spanIdOf(earlier.id, "turn:1"), "auth_error", "failed"],
      [spanIdOf(last.id, "turn:2"), "rate_limited", "failed"],
      [spanIdOf(last.id, "turn:3"), "auth_error", "failed"],
      [spanIdOf(last.id, "session"), "auth_error", null],
    ].sort(),
  );
});
