// One request over 10 MiB (a manipulated agent's huge argument) must not end the server. The SDK's stdio
// transport closes itself when its buffer passes 10 MiB, and the server then exited, silently (the control
// shows the transport closing; against the old build the server's process exits). Now the line is passed
// over as it streams, the request it carried gets an error naming the bound, and the next request is answered.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { PassThrough } from "node:stream";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { describe, expect, it } from "vitest";
import { boundedStdin, requestIdIn, type MessageId } from "../../src/shared/bounded-stdio.js";
import { CLI } from "../support/stdio-server.js";

const MiB = 1024 * 1024;
const call = (id: MessageId, args: object, idLast = false) => {
  const body = { method: "tools/call", params: { name: "session_summary", arguments: args } };
  return `${JSON.stringify(idLast ? { jsonrpc: "2.0", ...body, id } : { jsonrpc: "2.0", id, ...body })}\n`;
};

/** Feeds `text` to boundedStdin in 64 KB chunks; what comes out, and the ids of the lines passed over. */
async function through(
  text: string,
  max = MiB,
): Promise<{ lines: string[]; dropped: Array<MessageId | null | undefined> }> {
  const input = new PassThrough();
  const dropped: Array<MessageId | null | undefined> = [];
  const output = boundedStdin(input, (id) => dropped.push(id), max);
  const chunks: Buffer[] = [];
  output.on("data", (chunk: Buffer) => chunks.push(chunk));
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += 65_536) input.write(bytes.subarray(at, at + 65_536));
  input.end();
  await new Promise((resolve) => output.on("end", resolve));
  return { lines: Buffer.concat(chunks).toString().split("\n").filter(Boolean), dropped };
}

describe("stdin within a bound", () => {
  it("passes lines on as they came, and passes over one longer than the bound, naming its id", async () => {
    const small = call(1, { session_id: "last" });
    const { lines, dropped } = await through(
      small +
        call(2, { session_id: "x".repeat(2 * MiB) }) +
        call("b", { session_id: "y".repeat(2 * MiB) }, true) +
        small,
    );
    expect([lines, dropped]).toEqual([
      [small.trim(), small.trim()],
      [2, "b"],
    ]);
  });

  it("an endless line is dropped as it streams, and a nested id is not taken for the request's", async () => {
    const { lines, dropped } = await through(
      `{"jsonrpc":"2.0","method":"x","params":{"id":7,"pad":"${"z".repeat(3 * MiB)}"}}\n${"q".repeat(3 * MiB)}`,
    );
    // the second ends with the input, as a line: passed over too
    expect([lines, dropped]).toEqual([[], [undefined, undefined]]);
  });

  it.each([
    ['{"jsonrpc":"2.0","id":12,"method"', "", 12],
    ['{"id":"a-1","jsonrpc"', "", "a-1"],
    ["", ',"params":{"x":1},"id":5}', 5],
    ["", '"params":{"id":5}}', undefined],
    ['{"method":"x","params":{"id":3', "", undefined],
  ])("reads the id of %j … %j as %j", (head, tail, id) => {
    expect(requestIdIn(head, tail)).toBe(id);
  });

  it("control: the SDK's transport given the same line closes, and reads nothing after it", async () => {
    const input = new PassThrough();
    const transport = new StdioServerTransport(input, new PassThrough());
    const received: unknown[] = [];
    let closed = false;
    transport.onmessage = (message) => received.push(message);
    transport.onclose = () => (closed = true);
    await transport.start();
    input.write(call(2, { session_id: "x".repeat(11 * MiB) }));
    input.write(call(3, { session_id: "last" }));
    await new Promise((resolve) => setImmediate(resolve));
    expect([closed, received]).toEqual([true, []]);
  });

  it("the built server answers an 11 MiB request with an error naming the bound, then the next one", async () => {
    const home = await mkdtemp(join(tmpdir(), "ccm-oversized-"));
    await mkdir(join(home, "sessions"));
    const child = spawn(process.execPath, [CLI, "--read-only", "--state-dir", join(home, "state")], {
      env: { ...process.env, CODEX_HOME: home, CODEX_CONTROL_LOG: "error" },
    });
    const answers: Array<{ id?: number; error?: { message: string }; result?: { isError?: boolean } }> = [];
    const stdout: string[] = [];
    createInterface({ input: child.stdout }).on("line", (line) => {
      stdout.push(line);
      answers.push(JSON.parse(line) as (typeof answers)[number]);
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const answered = (count: number) =>
      Promise.race([
        exited,
        new Promise<void>((resolve) => {
          const poll = setInterval(() => answers.length >= count && (clearInterval(poll), resolve()), 20);
        }),
      ]);
    child.stdin.on("error", () => undefined);
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } } })}\n`,
    );
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
    child.stdin.write(call(2, { session_id: "x".repeat(11 * MiB) }));
    child.stdin.write(call(3, { session_id: "last" }));
    await answered(3);
    child.kill();
    expect(
      answers.slice(1).map((answer) => [answer.id, answer.error?.message.slice(0, 38), answer.result?.isError]),
    ).toEqual([
      [2, "The request is longer than 10 MiB and ", undefined],
      [3, undefined, true],
    ]);
  });
});
