// A collector that answers 200 with `partialSuccess.rejectedSpans` (the OTLP spec's partial success) took
// nothing it rejected: those spans, and their session, are not reported sent. The SDK's exporter treats such
// an answer as a success and only logs it; before, the export said "Sent 2 sessions" and exited 0.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHome, writeSession, type SessionSpec, runCli } from "../support/report-homes.js";

const sessions: SessionSpec[] = [
  {
    id: "0199eeee-0000-7000-8000-000000000051",
    start: "2026-11-12T08:00:00.000Z",
    turns: [{ prompt: "build", total: { input: 1000, cached: 200, output: 50, reasoning: 10 }, calls: [["ls", 0]] }],
  },
  {
    id: "0199eeee-0000-7000-8000-000000000052",
    start: "2026-11-12T09:00:00.000Z",
    turns: [{ prompt: "test", total: { input: 500, cached: 0, output: 20, reasoning: 0 } }],
  },
];

let home: string;
let receiver: Server;
let url: string;
/** What the receiver answers to a batch of n spans. */
let answer: (spans: number) => object = () => ({});
/** The HTTP status it answers with. */
let status = 200;

beforeAll(async () => {
  home = await makeHome();
  for (const spec of sessions) await writeSession(home, spec);
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }>;
      };
      const spans = body.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans));
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(answer(spans.length)));
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => receiver.close(() => resolve())));

const run = (args: string[]) => runCli(home, args);

describe("export --otlp to a collector that answers a partial success, or stays busy", () => {
  it("counts the rejected spans as failed, their session as not sent, and exits 1", async () => {
    // the first session's 4 spans (session, turn, call… as sent): 1 rejected, as int64 in JSON (a string)
    answer = () => ({ partialSuccess: { rejectedSpans: "1", errorMessage: "span too old" } });
    const partial = await run(["export", "--otlp", url, "--json"]);
    expect(partial.code).toBe(1);
    expect(JSON.parse(partial.stdout)).toEqual({
      url: `${url}/v1/traces`,
      sessions: 0,
      sessions_not_sent: 2,
      sessions_running: 0,
      unreadable_folders: 0,
      unreadable_files: 0,
      spans_sent: 2,
      spans_failed: 1,
      error: "the collector rejected 1 of 3 spans: span too old",
    });
    // every span rejected: nothing is said sent
    answer = (spans) => ({ partialSuccess: { rejectedSpans: spans, errorMessage: "over quota" } });
    const rejected = await run(["export", "--otlp", url]);
    expect([rejected.code, rejected.stdout.trim()]).toEqual([
      1,
      `Sent 0 of 3 spans (0 sessions) to ${url}/v1/traces; 3 spans failed: the collector rejected 3 of 3 spans: over quota. 2 sessions not sent (stopped at the first refused one: 1 not tried).`,
    ]);
  });

  it("takes a partial success that rejected nothing (a warning only) as sent", async () => {
    answer = () => ({ partialSuccess: { rejectedSpans: 0, errorMessage: "attribute truncated" } });
    const warned = await run(["export", "--otlp", url]);
    expect([warned.code, warned.stdout.trim()]).toEqual([0, `Sent 2 sessions (5 spans) to ${url}/v1/traces.`]);
  });

  it("says what a collector that stays busy (503 to every retry) answered, and sends nothing", async () => {
    status = 503;
    try {
      const busy = await run(["export", "--otlp", url]);
      // before: "… 3 spans failed: Export failed with retryable status." (the SDK drops the status)
      expect([busy.code, busy.stdout.trim()]).toEqual([
        1,
        `Sent 0 of 3 spans (0 sessions) to ${url}/v1/traces; 3 spans failed: the collector answered HTTP 429, 502, 503 or 504 (busy or unavailable) to every retry: try again later. 2 sessions not sent (stopped at the first refused one: 1 not tried).`,
      ]);
    } finally {
      status = 200;
    }
  });
});
