// `export --since` asks the report from a day before since, and keeps what started or wrote since: a turn
// that began before midnight (UTC) and ended after since, past midnight, changed since (its end, its
// failure) though no turn of it started in since's day. An export every 10 minutes (`--since 10m`) found it
// running at 00:05 (not sent: a run still writing it) and, at 00:15, no longer asked about it.
// Before: the export asked from the start of since's UTC day: that session was never sent.
import { afterAll, beforeAll, expect, it } from "vitest";
import { traceIdOf } from "../../src/export/otel.js";
import { makeHome, runCli, writeSession, type SessionSpec } from "../support/report-homes.js";
import { startSpanReceiver, type SpanReceiver, type OtlpSpan } from "../support/span-receiver.js";

// its turn from 23:58:05 to 00:08:05, failing
const overMidnight: SessionSpec = {
  id: "0199eeee-0000-7000-8000-000000000081",
  start: "2026-11-12T23:58:00.000Z",
  turns: [{ prompt: "long", seconds: 600, error: "unexpected status 401 Unauthorized: Missing bearer" }],
};
// wholly before since: not sent
const before: SessionSpec = {
  id: "0199eeee-0000-7000-8000-000000000082",
  start: "2026-11-12T23:00:00.000Z",
  turns: [{ prompt: "short", total: { input: 100, cached: 0, output: 10, reasoning: 0 } }],
};

let home: string;
let receiver: SpanReceiver;
const spans: OtlpSpan[] = [];

beforeAll(async () => {
  home = await makeHome();
  await writeSession(home, overMidnight);
  await writeSession(home, before);
  receiver = await startSpanReceiver<OtlpSpan>((got) => spans.push(...got));
});
afterAll(() => receiver.close());

it("sends a session whose turn ran from before midnight to after since", async () => {
  const { code, stdout } = await runCli(home, ["export", "--otlp", receiver.url, "--since", "2026-11-13T00:05:00Z"]);
  expect([code, stdout.trim()]).toEqual([0, `Sent 1 session (2 spans) to ${receiver.url}/v1/traces.`]);
  expect([...new Set(spans.map((span) => span.traceId))]).toEqual([traceIdOf(overMidnight.id)]);
});
