// A collector that refuses the export says why in the body (an OTLP Status: `{"code":16,"message":"…"}`): the
// CLI's message carries it, made one printable line, so the operator sees the fix. Before: only "HTTP 401:
// Unauthorized". An HTML error page is left out; control and format characters never reach the terminal.
import { createServer, type Server } from "node:http";
import { createServer as createHttp2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHome, writeSession, runCli } from "../support/report-homes.js";

let home: string;
let receiver: Server;
let url: string;
let answer = { status: 401, type: "application/json", body: "{}" };
let keys: Array<string | string[] | undefined> = [];

beforeAll(async () => {
  home = await makeHome();
  await writeSession(home, {
    id: "0199eeee-0000-7000-8000-000000000051",
    start: "2026-11-12T08:00:00.000Z",
    turns: [{ prompt: "build", total: { input: 100, cached: 0, output: 10, reasoning: 0 } }],
  });
  receiver = createServer((request, response) => {
    keys.push(request.headers["x-api-key"]);
    request.resume();
    request.on("end", () => response.writeHead(answer.status, { "content-type": answer.type }).end(answer.body));
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => receiver.close(() => resolve())));

const run = async (to = url, env: Record<string, string> = {}) => {
  const { code, stdout, stderr } = await runCli(home, ["export", "--otlp", to], env);
  if (code === 0) return { code, said: "" };
  return {
    code,
    said: /spans? failed: (.*)\. 1 session not sent\.$/.exec(stdout.trim())?.[1] ?? stderr.split("\n")[0],
  };
};

describe("export --otlp to a collector that refuses", () => {
  it("says what the collector said, on one clean line", async () => {
    answer = {
      status: 401,
      type: "application/json",
      body: JSON.stringify({ code: 16, message: "missing header\n\u001b[31mx-api-key\u202e" }),
    };
    // the escape character goes, so what is left of the colour sequence is inert text
    expect(await run()).toEqual({ code: 1, said: "HTTP 401: Unauthorized: missing header [31mx-api-key" });
    answer = { status: 413, type: "text/plain", body: "request body over 4 MiB\r\n" };
    expect(await run()).toEqual({ code: 1, said: "HTTP 413: Payload Too Large: request body over 4 MiB" });
    answer = { status: 400, type: "text/plain", body: "x".repeat(400) };
    expect(await run()).toEqual({ code: 1, said: `HTTP 400: Bad Request: ${"x".repeat(300)}…` });
  });

  it("leaves out an HTML page and a Status without a message", async () => {
    answer = { status: 404, type: "text/html", body: "<html><body><h1>404 Not Found</h1></body></html>" };
    expect(await run()).toEqual({ code: 1, said: "HTTP 404: Not Found" });
    answer = { status: 400, type: "application/json", body: JSON.stringify({ code: 3 }) };
    expect(await run()).toEqual({ code: 1, said: "HTTP 400: Bad Request" });
  });

  it("says what a connection that failed means, and the fix", async () => {
    // a port nothing listens on: one just closed
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, "127.0.0.1", resolve));
    const port = (gone.address() as AddressInfo).port;
    await new Promise<void>((resolve) => gone.close(() => resolve()));
    expect(await run(`http://127.0.0.1:${port}`)).toEqual({
      code: 1,
      said: "nothing listens there (ECONNREFUSED): start the collector, or point --otlp at its OTLP/HTTP receiver (port 4318 by default)",
    });
    // an HTTP/2-only server, as an OTLP/gRPC receiver is
    const grpc = createHttp2Server();
    await new Promise<void>((resolve) => grpc.listen(0, "127.0.0.1", resolve));
    try {
      const said = await run(`http://127.0.0.1:${(grpc.address() as AddressInfo).port}`);
      expect([said.code, said.said?.replace(/\(HPE_\w+\)/, "(HPE_…)")]).toEqual([
        1,
        "the other end does not answer HTTP/1.1 (HPE_…): is that an OTLP/gRPC port (4317)? Point --otlp at the OTLP/HTTP receiver (4318)",
      ]);
    } finally {
      await new Promise<void>((resolve) => grpc.close(() => resolve()));
    }
  });

  it("takes a key from OTEL_EXPORTER_OTLP_HEADERS, never from the URL, and says so", async () => {
    answer = { status: 200, type: "application/json", body: "{}" };
    keys = [];
    expect(await run(url, { OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=k%20one" })).toEqual({ code: 0, said: "" });
    expect(keys).toEqual(["k one"]);
    const inUrl = await run(url.replace("http://", "http://user:secret@"));
    expect(inUrl).toEqual({
      code: 2,
      said: "codex-control-mcp: --otlp must not carry credentials in the URL (they would be printed): pass them as headers in OTEL_EXPORTER_OTLP_HEADERS (e.g. authorization=Bearer%20…), which the OpenTelemetry exporter sends and this command never prints.",
    });
  });
});
