// Cache writes (`cache_write_input_tokens`, Codex 0.171) where the answer counts some: in token_usage's and
// session_summary's text (not only their structured answer) and in the OTel export, as the GenAI conventions'
// `gen_ai.usage.cache_creation.input_tokens` on the session's and each turn's span. A log that counts none
// shows and sends none. Before: the text said only "cached", and the export sent cache reads alone.
import { readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spanIdOf } from "../../src/export/otel.js";
import { connect, testConfig, type Connected } from "../support/mcp.js";
import { SHAPES, shapeHome, shapeIdOf } from "../support/shape-home.js";
import { runCli } from "../support/report-homes.js";
import { type OtlpSpan } from "../support/span-receiver.js";

const WRITES = shapeIdOf(71);
const NONE = shapeIdOf(72);

let home: string;
let mcp: Connected;
let receiver: Server;
let url: string;
const spans: OtlpSpan[] = [];

/** Fixture 91 (two responses in one turn) with 100 then 200 tokens written to the cache, or none. */
async function writeLog(id: string, written: [number, number], name: string): Promise<void> {
  const lines = (await readFile(join(SHAPES, "sandbox-relative-write-in-call-workdir.jsonl"), "utf8"))
    .replaceAll(shapeIdOf(91), id)
    .split("\n")
    .filter((line) => line !== "")
    .map((text) => {
      const line = JSON.parse(text) as { ordinal: number; payload: Record<string, unknown> };
      const set = (usage: unknown, value: number) =>
        ((usage as Record<string, number>).cache_write_input_tokens = value);
      const [first, second] = written;
      const payload = line.payload as Record<string, Record<string, unknown>>;
      if (line.ordinal === 12)
        for (const key of ["usage", "turn_token_usage", "thread_token_usage"]) set(payload[key], first);
      if (line.ordinal === 14)
        for (const key of ["total_token_usage", "last_token_usage"]) set(payload.info?.[key], first);
      if (line.ordinal === 17) {
        set(payload.usage, second);
        set(payload.turn_token_usage, first + second);
        set(payload.thread_token_usage, first + second);
      }
      if (line.ordinal === 18) {
        set(payload.info?.total_token_usage, first + second);
        set(payload.info?.last_token_usage, second);
      }
      return JSON.stringify(line);
    });
  await writeFile(join(home, "sessions", "2026", "12", "05", `${name}-${id}.jsonl`), `${lines.join("\n")}\n`);
}

beforeAll(async () => {
  home = await shapeHome("ccm-cache-writes-", [], "2026-12-05T15-00");
  await writeLog(WRITES, [100, 200], "rollout-2026-12-05T15-00-00");
  await writeLog(NONE, [0, 0], "rollout-2026-12-05T15-00-01");
  mcp = await connect(testConfig({ codexHome: home, codexBin: join(home, "no-such-codex") }));
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
      };
      spans.push(...body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await mcp.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

const textOf = (result: { content?: unknown }) =>
  (result.content as Array<{ text?: string }> | undefined)?.[0]?.text ?? "";

describe("the text mirror", () => {
  it("token_usage: the cache writes after cached, as the structured answer counts them", async () => {
    const result = await mcp.call("token_usage", { session_id: WRITES });
    expect((result.structuredContent as { total: { cache_write_input?: number } }).total.cache_write_input).toBe(300);
    expect(textOf(result).split("\n")[1]).toBe(
      "total 2800 tokens (2700 input, 675 cached, 300 cache writes, 100 output, 50 reasoning)",
    );
    expect(textOf(await mcp.call("token_usage", { session_id: NONE })).split("\n")[1]).toBe(
      "total 2800 tokens (2700 input, 675 cached, 100 output, 50 reasoning)",
    );
  });

  it("session_summary: the same in its Tokens line", async () => {
    const line = (text: string) => text.split("\n").find((candidate) => candidate.startsWith("Tokens: "));
    expect(line(textOf(await mcp.call("session_summary", { session_id: WRITES })))).toBe(
      "Tokens: 2800 total (2700 input, 675 cached, 300 cache writes, 100 output)",
    );
    expect(line(textOf(await mcp.call("session_summary", { session_id: NONE })))).toBe(
      "Tokens: 2800 total (2700 input, 675 cached, 100 output)",
    );
  });
});

describe("the OTel export", () => {
  it("sends gen_ai.usage.cache_creation.input_tokens on the session's and the turn's span, only where counted", async () => {
    expect((await runCli(home, ["export", "--otlp", url])).code).toBe(0);
    const written = (id: string, key: string) => {
      const span = spans.find((candidate) => candidate.spanId === spanIdOf(id, key));
      const attribute = span?.attributes.find((a) => a.key === "gen_ai.usage.cache_creation.input_tokens");
      return span === undefined ? "no span" : attribute === undefined ? "none" : Number(attribute.value.intValue);
    };
    expect([written(WRITES, "session"), written(WRITES, "turn:1")]).toEqual([300, 300]);
    expect([written(NONE, "session"), written(NONE, "turn:1")]).toEqual(["none", "none"]);
  });
});
