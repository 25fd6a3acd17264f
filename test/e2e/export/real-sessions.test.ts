// `export --otlp` of sessions the real Codex CLI wrote (exec, exec resume, a command exiting non-zero, a 401 from
// the model), each span checked against the log itself: one trace per session, a span per turn from its
// task_started to its task_complete, a child per function_call at its time with the exit code its output says,
// error status on the failed call and the failed turn and nowhere else, the GenAI attributes, and token totals
// that are the log's last counter and add up to the report's. Before: gen_ai.provider.name was "openai" for
// every session, though these ran against the provider `mock` (session_meta.model_provider).
import { execFile, spawn } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spanIdOf, traceIdOf } from "../../../src/export/otel.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { startSpanReceiver, type SpanReceiver, type OtlpSpan } from "../../support/span-receiver.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "dist", "cli.js");

interface LogLine {
  timestamp: string;
  type: string;
  payload: Record<string, unknown> & { type?: string };
}

let model: FakeModel;
let home: string;
let workdir: string;
let receiver: SpanReceiver;
let url: string;
const received: OtlpSpan[][] = [];
let worked = "";
let refused = "";

function codex(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PINNED_CODEX, "exec", "--skip-git-repo-check", "--json", ...args], {
      cwd: workdir,
      env: codexEnv(home),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("error", reject);
    child.on("close", () => {
      const id = /"thread_id":"([0-9a-f-]{36})"/.exec(stdout)?.[1];
      if (id) resolve(id);
      else reject(new Error(`no thread id in: ${stdout.slice(0, 500)}`));
    });
  });
}

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "export-real"));
  worked = await codex(["please STEPS: RUN:echo hi ;; RUN:sh -c 'exit 3' ;; SAY:finished"]);
  expect(await codex(["resume", worked, "RUN:echo again"])).toBe(worked);
  refused = await codex(["please STEPS: FAIL:unauthorized"]);
  receiver = await startSpanReceiver<OtlpSpan>((got) => received.at(-1)?.push(...got));
  url = receiver.url;
}, 120_000);
afterAll(async () => {
  await receiver.close();
  await model.close();
});

const cli = (args: string[]) =>
  promisify(execFile)(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? "", CODEX_HOME: home, CODEX_CONTROL_STATE_DIR: join(dirname(home), "state") },
  });

async function exported(): Promise<{ stdout: string; spans: OtlpSpan[] }> {
  received.push([]);
  const { stdout } = await cli(["export", "--otlp", url]);
  return { stdout: stdout.trim(), spans: received.at(-1) ?? [] };
}

async function logOf(id: string): Promise<LogLine[]> {
  const sessions = join(home, "sessions");
  const name = (await readdir(sessions, { recursive: true })).find((file) => file.endsWith(`-${id}.jsonl`)) as string;
  return (await readFile(join(sessions, name), "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogLine);
}

const nanos = (iso: string) => String(BigInt(Date.parse(iso)) * 1_000_000n);
const attributes = (span: OtlpSpan) =>
  Object.fromEntries(
    span.attributes.map(({ key, value }) => [
      key,
      value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined),
    ]),
  );

/** What the log says each span is: from its own lines, not from the reader the exporter uses. */
async function expectedSpans(id: string) {
  const lines = await logOf(id);
  const events = lines.filter((line) => line.type === "event_msg");
  const meta = lines.find((line) => line.type === "session_meta") as LogLine;
  // the session starts when its thread was made (session_meta's own timestamp), a moment before the line
  const spans: Array<{ id: string; parent: string | null; name: string; start: string; end?: string; exit?: number }> =
    [
      {
        id: spanIdOf(id, "session"),
        parent: null,
        name: "invoke_agent codex",
        start: nanos(meta.payload.timestamp as string),
      },
    ];
  let turn = 0;
  for (const line of lines) {
    const type = line.payload.type;
    if (line.type === "event_msg" && type === "task_started") {
      turn += 1;
      const end = events.find(
        (e) =>
          (e.payload.type === "task_complete" || e.payload.type === "turn_aborted") &&
          e.payload.turn_id === line.payload.turn_id,
      );
      spans.push({
        id: spanIdOf(id, `turn:${turn}`),
        parent: spanIdOf(id, "session"),
        name: `turn ${turn}`,
        start: nanos(line.timestamp),
        ...(end && { end: nanos(end.timestamp) }),
      });
    }
    if (line.type === "response_item" && type === "function_call") {
      const callId = line.payload.call_id as string;
      const output = lines.find((l) => l.payload.type === "function_call_output" && l.payload.call_id === callId);
      const exit = /Process exited with code (-?\d+)/.exec(String(output?.payload.output))?.[1];
      spans.push({
        id: spanIdOf(id, `call:${turn}:${callId}:1`),
        parent: spanIdOf(id, `turn:${turn}`),
        name: `execute_tool ${line.payload.name as string}`,
        start: nanos(line.timestamp),
        ...(exit !== undefined && { exit: Number(exit) }),
      });
    }
  }
  const counters = events.filter((e) => e.payload.type === "token_count" && e.payload.info);
  const last = (counters.at(-1)?.payload.info as { total_token_usage: Record<string, number> } | undefined)
    ?.total_token_usage;
  return { spans, last, provider: meta.payload.model_provider };
}

describe("export --otlp of real Codex sessions", () => {
  it("sends each span as the log has it: tree, times, exit codes, error status only where it failed", async () => {
    const { stdout, spans } = await exported();
    expect(stdout).toBe(`Sent 2 sessions (8 spans) to ${url}/v1/traces.`);
    for (const id of [worked, refused]) {
      const want = await expectedSpans(id);
      const got = spans.filter((span) => span.traceId === traceIdOf(id));
      expect(got.map((span) => [span.parentSpanId || null, span.spanId, span.name]).sort()).toEqual(
        want.spans.map((span) => [span.parent, span.id, span.name]).sort(),
      );
      for (const span of want.spans) {
        const sent = got.find((g) => g.spanId === span.id) as OtlpSpan;
        expect([span.name, String(sent.startTimeUnixNano)]).toEqual([span.name, span.start]);
        if (span.end !== undefined) expect(String(sent.endTimeUnixNano)).toBe(span.end);
        if (span.exit !== undefined) expect(attributes(sent)["process.exit.code"]).toBe(span.exit);
      }
      const root = got.find((span) => span.spanId === spanIdOf(id, "session")) as OtlpSpan;
      expect(want.provider).toBe("mock");
      expect(attributes(root)).toMatchObject({
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.provider.name": "mock",
        "gen_ai.request.model": "mock-model",
        "gen_ai.conversation.id": id,
        "codex.cli_version": "0.171.0",
      });
      // the session's tokens: the log's last counter (none for the refused one)
      const tokens = {
        "gen_ai.usage.input_tokens": want.last?.input_tokens,
        "gen_ai.usage.cache_read.input_tokens": want.last?.cached_input_tokens,
        "gen_ai.usage.output_tokens": want.last?.output_tokens,
        "gen_ai.usage.reasoning.output_tokens": want.last?.reasoning_output_tokens,
      };
      expect(Object.fromEntries(Object.keys(tokens).map((key) => [key, attributes(root)[key]]))).toEqual(tokens);
    }
    // error status: the call that exited 3, the turn the 401 failed and its session; nothing else
    const errors = spans
      .filter((span) => span.status?.code === 2)
      .map((span) => [span.spanId, attributes(span)["error.type"], span.status?.message?.slice(0, 28)])
      .sort();
    const exit3 = (await expectedSpans(worked)).spans.find((span) => span.exit === 3) as { id: string };
    expect(errors).toEqual(
      [
        [exit3.id, "exit 3", "exit code 3"],
        [spanIdOf(refused, "turn:1"), "auth_error", "unexpected status 401 Unauth"],
        [spanIdOf(refused, "session"), "auth_error", "unexpected status 401 Unauth"],
      ].sort(),
    );
    expect(attributes(spans.find((span) => span.spanId === spanIdOf(refused, "session")) as OtlpSpan)).toMatchObject({
      "codex.diagnosis.category": "auth_error",
    });
    // the turns' tokens add up to the sessions', and the sessions' to the report's
    const sum = (list: OtlpSpan[], key: string) => list.reduce((n, span) => n + Number(attributes(span)[key] ?? 0), 0);
    const roots = spans.filter((span) => !span.parentSpanId);
    const turns = spans.filter((span) => span.name.startsWith("turn "));
    const { stdout: reportJson } = await cli(["report", "--json"]);
    const total = (JSON.parse(reportJson) as { total: { tokens: Record<string, number> } }).total.tokens;
    for (const [key, field] of [
      ["gen_ai.usage.input_tokens", "input"],
      ["gen_ai.usage.cache_read.input_tokens", "cached_input"],
      ["gen_ai.usage.output_tokens", "output"],
      ["gen_ai.usage.reasoning.output_tokens", "reasoning_output"],
    ] as const) {
      expect([key, sum(roots, key), sum(turns, key)]).toEqual([key, total[field], total[field]]);
    }
  });

  it("sends a session resumed the same day by --since between its turns, whole", async () => {
    // the resumed turn's start: after the session's, on the same UTC day (before, only a later day's resume counted)
    const resumed = (await logOf(worked)).filter((line) => line.payload.type === "task_started")[1] as LogLine;
    received.push([]);
    const { stdout } = await cli(["export", "--otlp", url, "--since", resumed.timestamp]);
    expect(stdout.trim()).toBe(`Sent 2 sessions (8 spans) to ${url}/v1/traces.`);
    expect(new Set(received.at(-1)?.map((span) => span.traceId))).toEqual(
      new Set([traceIdOf(worked), traceIdOf(refused)]),
    );
    // after its last line: not sent
    const last = (await logOf(worked)).at(-1) as LogLine;
    const after = new Date(Date.parse(last.timestamp) + 1).toISOString();
    received.push([]);
    expect((await cli(["export", "--otlp", url, "--since", after])).stdout.trim()).toBe(
      `Sent 1 session (2 spans) to ${url}/v1/traces.`,
    );
    expect(new Set(received.at(-1)?.map((span) => span.traceId))).toEqual(new Set([traceIdOf(refused)]));
  });

  it("sends the very same spans when exported again: no duplicates", async () => {
    const ids = (spans: OtlpSpan[]) => spans.map((span) => `${span.traceId}/${span.spanId}`).sort();
    const first = ids((await exported()).spans);
    expect(new Set(first).size).toBe(first.length);
    expect(ids((await exported()).spans)).toEqual(first);
  });
});
