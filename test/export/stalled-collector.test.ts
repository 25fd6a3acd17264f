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
function exportTo(target: string): Promise<{ code: number | string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, "export", "--otlp", target],
      {
        env: { PATH: process.env.PATH ?? "", CODEX_HOME: home, CODEX_CONTROL_STATE_DIR: join(dirname(home), "state") },
        timeout: 60_000,
        killSignal: "SIGKILL",
      },
      (error, stdout) => {
        const failed = error as { code?: number; signal?: string } | null;
        resolve({ code: failed ? (failed.signal ?? failed.code ?? -1) : 0, stdout });
      },
    );
  });
}

describe("export --otlp to a collector that never finishes its answer", () => {
  it("fails the batch, closes the connection and exits 1", async () => {
    const result = await exportTo(url);
    expect([result.code, result.stdout.trim()]).toEqual([
      1,
      `Sent 0 of 2 spans (0 sessions) to ${url}/v1/traces; 2 spans failed: the collector did not finish its answer within 15 s: is it overloaded, or behind a proxy that holds the response? Try again later. 2 sessions not sent (stopped at the first refused one: 1 not tried).`,
    ]);
    // the receiver's side of the connection is closed too
    expect(open.size).toBe(0);
  }, 90_000);
});
