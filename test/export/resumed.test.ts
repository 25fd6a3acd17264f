// A session resumed in a later week is exported by `--since` that takes in only its resumed turn, whole, as
// one trace (its ids derive from the session and its lines: the same trace as an export of everything).
// Before: `--since 2026-11-16` sent nothing (the session was filtered by its start, 2026-11-13).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spanIdOf, traceIdOf } from "../../src/export/otel.js";
import { child, home as makeResumedHome, parent } from "../support/resumed-home.js";
import { startSpanReceiver, type SpanReceiver, type OtlpSpan } from "../support/span-receiver.js";
import { cliStdout } from "../support/report-homes.js";

let home: string;
let receiver: SpanReceiver;
let url: string;
const spans: OtlpSpan[] = [];

beforeAll(async () => {
  home = await makeResumedHome();
  receiver = await startSpanReceiver<OtlpSpan>((got) => spans.push(...got));
  url = receiver.url;
});
afterAll(() => receiver.close());

const run = (args: string[]) => cliStdout(home, args);

const tree = () =>
  spans
    .map((span) => [span.traceId, span.parentSpanId || null, span.spanId, span.name])
    .sort((a, b) => String(a[2]).localeCompare(String(b[2])));

describe("export --since of a session resumed in a later week", () => {
  it("sends it whole, as one trace, the same as without since", async () => {
    spans.length = 0;
    expect(await run(["export", "--otlp", url, "--since", "2026-11-16"])).toBe(
      `Sent 1 session (3 spans) to ${url}/v1/traces.`,
    );
    const p = parent.id;
    const expected = [
      [traceIdOf(p), null, spanIdOf(p, "session"), "invoke_agent codex"],
      [traceIdOf(p), spanIdOf(p, "session"), spanIdOf(p, "turn:1"), "turn 1"],
      [traceIdOf(p), spanIdOf(p, "session"), spanIdOf(p, "turn:2"), "turn 2"],
    ].sort((a, b) => String(a[2]).localeCompare(String(b[2])));
    expect(tree()).toEqual(expected);
    // everything: the child's trace besides, the parent's the very same
    spans.length = 0;
    expect(await run(["export", "--otlp", url])).toBe(`Sent 2 sessions (5 spans) to ${url}/v1/traces.`);
    expect(tree().filter((span) => span[0] === traceIdOf(p))).toEqual(expected);
    expect(new Set(tree().map((span) => span[0]))).toEqual(new Set([traceIdOf(p), traceIdOf(child.id)]));
  });
});
