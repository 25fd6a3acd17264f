// A collector that answers its headers and then never finishes its body (a proxy holding the response, a
// receiver stuck mid-write, here one byte a second): the SDK's request timeout is its socket's idle timeout,
// which a trickle never trips, and its shutdown waits for every request in flight. The export never ended
// (killed here after 60 s). Now a batch with no answer after 15 s is failed, the connection is closed, and
// the export exits 1 saying so.
import { execFile } from "node:child_process";
import { createServer, type ServerResponse, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHome, writeSession, type SessionSpec } from "../support/report-homes.js";

const sessions: SessionSpec[] = [
  {
    id: "0199eeee-0000-7000-8000-000000000061",
    start: "2026-11-12T08:00:00.000Z",
    turns: [{ prompt: "build", total: { input: 1000, cached: 200, output: 50, reasoning: 10 } }],
  },
  {
    id: "0199eeee-0000-7000-8000-000000000062",
    start: "2026-11-12T09:00:00.000Z",
    turns: [{ prompt: "test", total: { input: 500, cached: 0, output: 20, reasoning: 0 } }],
  },
];

let home: string;
let receiver: Server;
let url: string;
const open = new Set<ServerResponse>();

beforeAll(async () => {
  home = await makeHome();
  for (const spec of sessions) await writeSession(home, spec);
  receiver = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(200, { "content-type": "application/json" });
      open.add(response);
      const drip = setInterval(() => response.write(" "), 1000);
      response.on("close", () => {
        clearInterval(drip);
        open.delete(response);
      });
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const response of open) response.destroy();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "cli.js");

/** The built CLI's export, killed (SIGKILL) if it has not ended after 60 s: its exit code, or the signal. */
function exportTo(
  target: string,
  timeout: Record<string, string> = {},
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, "export", "--otlp", target],
      {
        env: {
          PATH: process.env.PATH ?? "",
          CODEX_HOME: home,
          CODEX_CONTROL_STATE_DIR: join(dirname(home), "state"),
          ...timeout,
        },
        timeout: 60_000,
        killSignal: "SIGKILL",
      },
      (error, stdout, stderr) => {
        const failed = error as { code?: number; signal?: string } | null;
        resolve({ code: failed ? (failed.signal ?? failed.code ?? -1) : 0, stdout, stderr });
      },
    );
  });
}

describe("export --otlp to a collector that never finishes its answer", () => {
  it("fails the batch, closes the connection and exits 1", async () => {
    const result = await exportTo(url);
    expect([result.code, result.stdout.trim()]).toEqual([
      1,
      `Sent 0 of 2 spans (0 sessions) to ${url}/v1/traces; 2 spans failed: the collector did not finish its answer within 15 s: is it overloaded, or behind a proxy that holds the response? Try again later, or give a slow one longer (OTEL_EXPORTER_OTLP_TIMEOUT, in ms; 10000 by default, the answer's deadline 5 s more). 2 sessions not sent (stopped at the first refused one: 1 not tried).`,
    ]);
    // the receiver's side of the connection is closed too
    expect(open.size).toBe(0);
  }, 90_000);
});

// The 15 s cut a slow collector's legitimate answer (a batch of 1,000 spans over a slow link) with no way to
// give it longer: the exporter was given its timeout, so the standard OTEL_EXPORTER_OTLP_TIMEOUT (the OTel
// spec's per-batch wait) was ignored. The deadline is that timeout and 5 s more (2 s here, above the
// receiver's 1 s between bytes, so the socket's idle timeout does not end it first).
describe("export --otlp with OTEL_EXPORTER_OTLP_TIMEOUT", () => {
  it("takes the timeout the OTel spec names, the traces one first", async () => {
    for (const timeout of <Array<Record<string, string>>>[
      { OTEL_EXPORTER_OTLP_TIMEOUT: "2000" },
      { OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "2000", OTEL_EXPORTER_OTLP_TIMEOUT: "90000" },
    ]) {
      const result = await exportTo(url, timeout);
      expect([result.code, result.stdout.trim().split("; ")[1]?.split(":")[1]]).toEqual([
        1,
        " the collector did not finish its answer within 7 s",
      ]);
    }
  }, 90_000);

  it("refuses a timeout that is not a number of milliseconds, naming the form", async () => {
    for (const value of ["10s", "0", "-5", "1e3", "600001"]) {
      const result = await exportTo(url, { OTEL_EXPORTER_OTLP_TIMEOUT: value });
      expect([result.code, result.stderr.split("\n")[0]]).toEqual([
        2,
        `codex-control-mcp: OTEL_EXPORTER_OTLP_TIMEOUT "${value}" is not a timeout: give the milliseconds to wait for each batch, 1 to 600000 (10000 by default).`,
      ]);
    }
  }, 90_000);
});
