// `codex-control-mcp export --otlp`: the built CLI sends traces to a loopback OTLP/HTTP receiver, which
// decodes what arrives (the JSON encoding of OTLP, as the exporter sends it) into the span tree checked here.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spanIdOf, traceIdOf } from "../../src/export/otel.js";
import { makeHome, runCli, writeSession, type SessionSpec } from "../support/report-homes.js";
import { type OtlpSpan } from "../support/span-receiver.js";

const worked: SessionSpec = {
  id: "0199eeee-0000-7000-8000-000000000041",
  start: "2026-11-12T08:00:00.000Z",
  model: "gpt-5.1-codex",
  turns: [
    {
      prompt: "build",
      // the session switches models after its first turn: each turn's span names its own
      model: "gpt-5.1-codex-mini",
      total: { input: 1000, cached: 200, output: 50, reasoning: 10 },
      calls: [
        ["ls", 0],
        ["make test", 2],
      ],
    },
    { prompt: "again", total: { input: 2500, cached: 700, output: 80, reasoning: 30 } },
  ],
};
const failed: SessionSpec = {
  id: "0199eeee-0000-7000-8000-000000000042",
  start: "2026-11-12T09:00:00.000Z",
  turns: [
    { prompt: "deploy", error: "unexpected status 401 Unauthorized: Missing bearer or basic authentication in header" },
  ],
};

interface Received {
  contentType: string | undefined;
  spans: OtlpSpan[];
}

let home: string;
let receiver: Server;
let url: string;
let status = 200;
const batches: Received[] = [];

beforeAll(async () => {
  home = await makeHome();
  await writeSession(home, worked);
  await writeSession(home, failed);
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (request.url === "/v1/traces" && request.method === "POST") {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
        };
        batches.push({
          contentType: request.headers["content-type"],
          spans: body.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans)),
        });
      }
      response.writeHead(status, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => receiver.close(() => resolve())));

const run = (args: string[]) => runCli(home, args);

function attributes(span: OtlpSpan): Record<string, string | number | boolean> {
  return Object.fromEntries(
    span.attributes.map(({ key, value }) => [
      key,
      value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.boolValue as boolean)),
    ]),
  );
}

describe("export --otlp", () => {
  it("sends one trace per session: a span per turn, a child span per tool call, GenAI attributes", async () => {
    batches.length = 0;
    const result = await run(["export", "--otlp", url]);
    expect([result.code, result.stdout.trim()]).toEqual([0, `Sent 2 sessions (7 spans) to ${url}/v1/traces.`]);
    expect(batches.every((batch) => batch.contentType === "application/json")).toBe(true);
    const spans = batches.flatMap((batch) => batch.spans);
    const tree = spans.map((span) => [span.traceId, span.parentSpanId || null, span.spanId, span.name]);
    const w = worked.id;
    const f = failed.id;
    expect(tree.sort()).toEqual(
      [
        [traceIdOf(w), null, spanIdOf(w, "session"), "invoke_agent codex"],
        [traceIdOf(w), spanIdOf(w, "session"), spanIdOf(w, "turn:1"), "turn 1"],
        [traceIdOf(w), spanIdOf(w, "session"), spanIdOf(w, "turn:2"), "turn 2"],
        [traceIdOf(w), spanIdOf(w, "turn:1"), spanIdOf(w, "call:1:call_0041_1_1:1"), "execute_tool shell_command"],
        [traceIdOf(w), spanIdOf(w, "turn:1"), spanIdOf(w, "call:1:call_0041_1_2:1"), "execute_tool shell_command"],
        [traceIdOf(f), null, spanIdOf(f, "session"), "invoke_agent codex"],
        [traceIdOf(f), spanIdOf(f, "session"), spanIdOf(f, "turn:1"), "turn 1"],
      ].sort(),
    );
    // 7 spans listed: plus nothing else
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const root = byId.get(spanIdOf(w, "session")) as OtlpSpan;
    expect(attributes(root)).toEqual({
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.provider.name": "openai",
      "gen_ai.agent.name": "codex",
      "gen_ai.conversation.id": w,
      "gen_ai.request.model": "gpt-5.1-codex",
      "gen_ai.usage.input_tokens": 2500,
      "gen_ai.usage.output_tokens": 80,
      "gen_ai.usage.cache_read.input_tokens": 700,
      "gen_ai.usage.reasoning.output_tokens": 30,
      "codex.session.kind": "session",
      "codex.cwd": "/srv/proj",
      "codex.cli_version": "0.120.0",
      "codex.turns": 2,
      "codex.diagnosis.category": "completed",
    });
    expect(BigInt(root.startTimeUnixNano)).toBe(BigInt(Date.parse(worked.start)) * 1_000_000n);
    // the second turn's own usage: the growth of the counter over it
    expect(attributes(byId.get(spanIdOf(w, "turn:1")) as OtlpSpan)["gen_ai.request.model"]).toBe("gpt-5.1-codex-mini");
    expect(attributes(byId.get(spanIdOf(w, "turn:2")) as OtlpSpan)).toMatchObject({
      "gen_ai.request.model": "gpt-5.1-codex",
      "gen_ai.usage.input_tokens": 1500,
      "gen_ai.usage.output_tokens": 30,
      "codex.turn.status": "completed",
    });
    const failing = byId.get(spanIdOf(w, "call:1:call_0041_1_2:1")) as OtlpSpan;
    expect(attributes(failing)).toEqual({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "shell_command",
      "gen_ai.tool.call.id": "call_0041_1_2",
      "codex.call.status": "failed",
      "process.exit.code": 2,
      "codex.call.command": "make test",
      "error.type": "exit 2",
    });
    expect(failing.status).toEqual({ code: 2, message: "exit code 2" });
    expect(attributes(byId.get(spanIdOf(w, "call:1:call_0041_1_1:1")) as OtlpSpan)["process.exit.code"]).toBe(0);
    const failedRoot = byId.get(spanIdOf(f, "session")) as OtlpSpan;
    expect(attributes(failedRoot)).toMatchObject({
      "codex.diagnosis.category": "auth_error",
      "error.type": "auth_error",
    });
    expect(failedRoot.status).toEqual({
      code: 2,
      message: "unexpected status 401 Unauthorized: Missing bearer or basic authentication in header",
    });
    // the turn's error.type is the diagnosis category it ended the session in (turn-category.test.ts)
    expect(attributes(byId.get(spanIdOf(f, "turn:1")) as OtlpSpan)).toMatchObject({
      "codex.turn.status": "failed",
      "error.type": "auth_error",
    });
  });

  it("sends the same ids when run again (a backend keeps one copy), and only the sessions --since names", async () => {
    batches.length = 0;
    await run(["export", "--otlp", `${url}/v1/traces`]);
    const first = batches.flatMap((batch) => batch.spans.map((span) => `${span.traceId}/${span.spanId}`)).sort();
    batches.length = 0;
    await run(["export", "--otlp", `${url}/v1/traces`]);
    expect(batches.flatMap((batch) => batch.spans.map((span) => `${span.traceId}/${span.spanId}`)).sort()).toEqual(
      first,
    );
    batches.length = 0;
    const since = await run(["export", "--otlp", url, "--since", "2026-11-12T08:30:00Z"]);
    expect(since.stdout.trim()).toBe(`Sent 1 session (2 spans) to ${url}/v1/traces.`);
    expect(new Set(batches.flatMap((batch) => batch.spans.map((span) => span.traceId)))).toEqual(
      new Set([traceIdOf(failed.id)]),
    );
  });

  it("exits 1 when the collector refuses, 2 on a URL it cannot use", async () => {
    status = 400;
    try {
      const refused = await run(["export", "--otlp", url, "--since", "2026-11-12T08:30:00Z"]);
      expect([refused.code, refused.stdout.trim()]).toEqual([
        1,
        `Sent 0 of 2 spans (0 sessions) to ${url}/v1/traces; 2 spans failed: HTTP 400: Bad Request. 1 session not sent.`,
      ]);
      // the first refusal stops the export (the exporter retries each batch for seconds)
      const stopped = await run(["export", "--otlp", url]);
      expect([stopped.code, stopped.stdout.trim()]).toEqual([
        1,
        `Sent 0 of 5 spans (0 sessions) to ${url}/v1/traces; 5 spans failed: HTTP 400: Bad Request. 2 sessions not sent (stopped at the first refused one: 1 not tried).`,
      ]);
      // a session whose spans were refused is not counted as sent
      const counted = await run(["export", "--otlp", url, "--json"]);
      expect(JSON.parse(counted.stdout)).toMatchObject({ sessions: 0, sessions_not_sent: 2, spans_sent: 0 });
    } finally {
      status = 200;
    }
    const ftp = await run(["export", "--otlp", "ftp://127.0.0.1/x"]);
    expect([ftp.code, ftp.stderr.split("\n")[0]]).toEqual([
      2,
      'codex-control-mcp: --otlp "ftp://127.0.0.1/x" is not http(s): OTLP/HTTP needs http:// or https://.',
    ]);
    // a value's escape sequences and quotes are not printed raw: a terminal would act on them
    const escape = await run(["export", "--otlp", 'http://a\u001b[2Jb" c/']);
    expect([escape.code, escape.stderr.split("\n")[0]]).toEqual([
      2,
      'codex-control-mcp: --otlp "http://a\\u001b[2Jb\\" c/" is not a URL: pass http://HOST:4318 or https://HOST/v1/traces.',
    ]);
    // cut at 200 characters of the value, not of its escaped form (which cut `\u001b` into `\u00`)
    const long = await run(["export", "--otlp", `${"a".repeat(199)}\u001b[2J`]);
    expect([long.code, long.stderr.split("\n")[0]]).toEqual([
      2,
      `codex-control-mcp: --otlp "${"a".repeat(199)}\\u001b…" is not a URL: pass http://HOST:4318 or https://HOST/v1/traces.`,
    ]);
    const none = await run(["export"]);
    expect([none.code, none.stderr.split("\n")[0]]).toEqual([
      2,
      "codex-control-mcp: where to? Pass --otlp http://HOST:4318 (an OTLP/HTTP collector).",
    ]);
  });
});
