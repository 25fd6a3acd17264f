// A collector's key in the endpoint's query (`?api_key=…`, as some vendors take it) reaches the collector but
// is not printed: the summary (text and --json) names the endpoint with the query's values hidden. Before, the
// key was printed to the terminal and to any CI log.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shownUrl } from "../../src/commands/export.js";
import { makeHome, writeSession, runCli } from "../support/report-homes.js";

let home: string;
let receiver: Server;
let base: string;
const asked: string[] = [];

beforeAll(async () => {
  home = await makeHome();
  await writeSession(home, {
    id: "0199eeee-0000-7000-8000-000000000061",
    start: "2026-11-12T08:00:00.000Z",
    turns: [{ prompt: "build", total: { input: 100, cached: 0, output: 10, reasoning: 0 } }],
  });
  receiver = createServer((request, response) => {
    asked.push(request.url ?? "");
    request.resume();
    request.on("end", () => response.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => receiver.close(() => resolve())));

const exported = (to: string, json: boolean) => runCli(home, ["export", "--otlp", to, ...(json ? ["--json"] : [])]);

describe("export --otlp with a key in the query", () => {
  it("sends the key and prints the endpoint without it", async () => {
    const text = await exported(`${base}/v1/traces?api_key=s3cr3t-key&region=eu`, false);
    expect(text.stdout.trim()).toBe(`Sent 1 session (2 spans) to ${base}/v1/traces?api_key=hidden&region=hidden.`);
    const json = await exported(`${base}/v1/traces?api_key=s3cr3t-key`, true);
    expect(JSON.parse(json.stdout).url).toBe(`${base}/v1/traces?api_key=hidden`);
    expect(`${text.stdout}${text.stderr}${json.stdout}${json.stderr}`).not.toContain("s3cr3t");
    // the collector was asked with the key, both times
    expect(asked).toEqual(["/v1/traces?api_key=s3cr3t-key&region=eu", "/v1/traces?api_key=s3cr3t-key"]);
  });

  it("leaves an endpoint without a query as it is (the control: only the query is hidden)", () => {
    expect(shownUrl("http://127.0.0.1:4318/v1/traces")).toBe("http://127.0.0.1:4318/v1/traces");
    expect(shownUrl("https://otel.example/v1/traces?k=a&k=b")).toBe("https://otel.example/v1/traces?k=hidden");
  });
});
