// `export --since` sends every session that ran or wrote since, whole: a morning session resumed after since
// (its resumed turn in range, as the report now counts it) and one whose long turn began before since and
// ended after it (no turn started in range, so the report leaves it out: the export asks from since's day).
// Without the export's own day-start request, `--since 14:00` sent 2 of the 3 (the long turn's session not).
import { afterAll, beforeAll, expect, it } from "vitest";
import { traceIdOf } from "../../src/export/otel.js";
import { afternoon, long, morning, sameDayHome } from "../support/same-day-home.js";
import { startSpanReceiver, type SpanReceiver, type OtlpSpan } from "../support/span-receiver.js";
import { cliStdout } from "../support/report-homes.js";

let home: string;
let receiver: SpanReceiver;
let url: string;
const spans: OtlpSpan[] = [];

beforeAll(async () => {
  home = await sameDayHome(true);
  receiver = await startSpanReceiver<OtlpSpan>((got) => spans.push(...got));
  url = receiver.url;
});
afterAll(() => receiver.close());

const run = (args: string[]) => cliStdout(home, args);

/** Span names by session. */
const sent = () => {
  const names = new Map<string, string[]>();
  for (const span of spans) names.set(span.traceId, [...(names.get(span.traceId) ?? []), span.name].sort());
  return names;
};

it("since 14:00 sends the session resumed at 15:00 and the one whose turn ran past 14:00, each whole", async () => {
  spans.length = 0;
  expect(await run(["export", "--otlp", url, "--since", "2026-11-13T14:00:00Z"])).toBe(
    `Sent 3 sessions (7 spans) to ${url}/v1/traces.`,
  );
  expect(sent()).toEqual(
    new Map([
      [traceIdOf(morning.id), ["invoke_agent codex", "turn 1", "turn 2"]],
      [traceIdOf(afternoon.id), ["invoke_agent codex", "turn 1"]],
      [traceIdOf(long.id), ["invoke_agent codex", "turn 1"]],
    ]),
  );
  // since 15:00:30, after every write: nothing
  spans.length = 0;
  expect(await run(["export", "--otlp", url, "--since", "2026-11-13T15:00:30Z"])).toBe(
    `Sent 0 sessions (0 spans) to ${url}/v1/traces.`,
  );
});

it("until 12:00 sends the morning session, whole (its turn 1 ran then)", async () => {
  spans.length = 0;
  expect(await run(["export", "--otlp", url, "--until", "2026-11-13T12:00:00Z"])).toBe(
    `Sent 1 session (3 spans) to ${url}/v1/traces.`,
  );
  expect(sent()).toEqual(new Map([[traceIdOf(morning.id), ["invoke_agent codex", "turn 1", "turn 2"]]]));
});
