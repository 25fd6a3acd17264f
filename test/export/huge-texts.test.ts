// A log whose texts are huge: a tool name, a call id, a turn id and a model of 200,000 characters. They went
// into span names and attributes whole (a 1.2 MB request for 3 spans, which a collector's request limit
// refuses whole); every text the export sends is now at most 1,000 characters and an ellipsis. The ids,
// derived from the whole texts, stay the same.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spanIdOf } from "../../src/export/otel.js";
import { makeHome, runCli } from "../support/report-homes.js";
import { startSpanReceiver, type OtlpSpan, type SpanReceiver } from "../support/span-receiver.js";

const ID = "0199eeee-0000-7000-8000-0000000000d1";
const BIG = "x".repeat(200_000);
const spans: OtlpSpan[] = [];
let home: string;
let receiver: SpanReceiver;

beforeAll(async () => {
  home = await makeHome();
  const dir = join(home, "sessions", "2026", "11", "12");
  await mkdir(dir, { recursive: true });
  const at = "2026-11-12T08:00:00.000Z";
  const line = (type: string, payload: object, timestamp = at) => JSON.stringify({ timestamp, type, payload });
  const lines = [
    line("session_meta", { id: ID, timestamp: at, cwd: "/srv/proj", cli_version: "0.120.0" }),
    line("event_msg", { type: "task_started", turn_id: `t${BIG}` }),
    line("turn_context", { turn_id: `t${BIG}`, cwd: "/srv/proj", model: `m${BIG}` }),
    line("event_msg", { type: "user_message", message: "hi" }),
    line("response_item", { type: "function_call", name: `n${BIG}`, arguments: "{}", call_id: `c${BIG}` }),
    line("response_item", { type: "function_call_output", call_id: `c${BIG}`, output: "ok" }),
    line(
      "event_msg",
      { type: "task_complete", turn_id: `t${BIG}`, last_agent_message: "done" },
      "2026-11-12T08:00:05.000Z",
    ),
  ];
  await writeFile(join(dir, `rollout-2026-11-12T08-00-00-${ID}.jsonl`), `${lines.join("\n")}\n`);
  receiver = await startSpanReceiver<OtlpSpan>((batch) => spans.push(...batch));
});
afterAll(() => receiver.close());

const clipped = (first: string) => `${first}${"x".repeat(999)}…`;
const text = (span: OtlpSpan | undefined, key: string) =>
  span?.attributes.find((attribute) => attribute.key === key)?.value.stringValue;

describe("export --otlp of a log with huge texts", () => {
  it("sends every text bounded, with the ids of the whole texts", async () => {
    const result = await runCli(home, ["export", "--otlp", receiver.url]);
    expect([result.code, result.stdout.trim()]).toEqual([0, `Sent 1 session (3 spans) to ${receiver.url}/v1/traces.`]);
    const call = spans.find((span) => span.spanId === spanIdOf(ID, `call:1:c${BIG}:1`));
    const turn = spans.find((span) => span.spanId === spanIdOf(ID, "turn:1"));
    expect([call?.name, text(call, "gen_ai.tool.name"), text(call, "gen_ai.tool.call.id")]).toEqual([
      `execute_tool ${clipped("n").slice(0, 987)}…`,
      clipped("n"),
      clipped("c"),
    ]);
    expect([text(turn, "codex.turn.id"), text(turn, "gen_ai.request.model")]).toEqual([clipped("t"), clipped("m")]);
    // no text of any span is longer
    expect(
      spans
        .flatMap((span) => [span.name, ...span.attributes.map((a) => a.value.stringValue ?? "")])
        .every((value) => value.length <= 1001),
    ).toBe(true);
  });
});
