// A line on stdin that is not JSON, or JSON but no JSON-RPC message: the SDK's stdio transport only calls its
// onerror and answers nothing, so a host that sent one (a torn write, a batch) waited for ever. The built server
// (dist/cli.js), spoken to in raw lines, now answers each as JSON-RPC 2.0 says (-32700 Parse error or -32600
// Invalid Request, id null where the line has no valid id) and goes on serving. The control feeds the same
// lines to the SDK's transport alone: nothing is answered.
import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { createInterface } from "node:readline";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { JSONRPCMessageSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { unreadable } from "../../../src/shared/bounded-stdio.js";
import { isolatedEnv } from "../../support/isolated-env.js";
import { CLI } from "../../support/stdio-server.js";

const ping = (id: number) => JSON.stringify({ jsonrpc: "2.0", id, method: "ping" });
/** Each hostile line, and the error it is answered with (code, id). */
const LINES: Array<[string, number, string | number | null]> = [
  ["not json", -32700, null],
  ['{"jsonrpc":"2.0","id":2,"method":"ping"', -32700, null], // torn
  ["[1,2]", -32600, null], // a batch
  ['{"foo":1}', -32600, null],
  ['{"jsonrpc":"2.0","id":7,"method":"ping","params":"x"}', -32600, 7],
  ['{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}', -32600, null],
  // the SDK's schemas are strict and check params' _meta: it drops these too (the control shows it)
  ['{"jsonrpc":"2.0","id":8,"method":"ping","extra":1}', -32600, 8],
  ['{"jsonrpc":"2.0","id":10,"method":"ping","params":{"_meta":5}}', -32600, 10],
  ['{"jsonrpc":"2.0","method":"notifications/initialized","id":null}', -32600, null],
];

describe("lines that are no JSON-RPC message", () => {
  it("are each answered with its JSON-RPC error, and the server goes on serving", async () => {
    const root = await mkdtemp(join(tmpdir(), "ccm-unreadable-"));
    const env = {
      ...isolatedEnv(root),
      CODEX_HOME: join(root, "codex"),
      CODEX_CONTROL_STATE_DIR: join(root, "state"),
      CODEX_CONTROL_LOG: "error",
    };
    const child = spawn(process.execPath, [CLI], { env });
    try {
      const answers: Array<{ id?: unknown; error?: { code: number }; result?: unknown }> = [];
      const lines = createInterface({ input: child.stdout });
      const done = new Promise<void>((resolve) =>
        lines.on("line", (line) => {
          const answer = JSON.parse(line) as (typeof answers)[number];
          answers.push(answer);
          // the errors are written as their lines are read, before the ping that follows them is answered
          if (answer.id === 9) resolve();
        }),
      );
      for (const [line] of LINES) child.stdin.write(`${line}\n`);
      child.stdin.write(`\n${ping(9)}\n`); // a blank line is passed over
      await done;
      const errors = answers.filter((answer) => answer.error).map((answer) => [answer.error?.code, answer.id]);
      expect(errors).toEqual(LINES.map(([, code, id]) => [code, id]));
      expect(answers.find((answer) => answer.result)).toEqual({ jsonrpc: "2.0", id: 9, result: {} });
    } finally {
      child.kill();
    }
  });

  it("control: the SDK's transport alone answers none of them (it calls onerror)", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const written: string[] = [];
    output.on("data", (chunk: Buffer) => written.push(chunk.toString()));
    const transport = new StdioServerTransport(input, output);
    const errors: unknown[] = [];
    const received: unknown[] = [];
    transport.onerror = (error) => errors.push(error);
    transport.onmessage = (message) => received.push(message);
    await transport.start();
    input.write(`${LINES.map(([line]) => line).join("\n")}\n${ping(9)}\n`);
    await new Promise((resolve) => setImmediate(resolve));
    expect([errors.length, received, written]).toEqual([LINES.length, [JSON.parse(ping(9))], []]);
    await transport.close();
  });

  it("messages the SDK takes are passed on; a malformed response is not answered (responses never are)", () => {
    const messages = [
      ping(1),
      '{"jsonrpc":"2.0","method":"notifications/initialized"}',
      '{"jsonrpc":"2.0","id":"a","result":{}}',
      '{"jsonrpc":"2.0","id":3,"error":{"code":-1,"message":"no"}}',
      '{"jsonrpc":"2.0","error":{"code":-32700,"message":"no"}}',
    ];
    expect(messages.map((line) => unreadable(line))).toEqual(messages.map(() => undefined));
    expect(unreadable('{"jsonrpc":"2.0","id":3,"result":5}')).toMatchObject({ id: undefined, code: -32600 });
    // a notification JSON-RPC 2.0 allows (params by position) is never answered, nor one the SDK's schema drops;
    // one that is no Request object at all (params a string) is answered with id null, as the spec's example
    const takes = (message: unknown) => JSONRPCMessageSchema.safeParse(message).success;
    const notifications = [
      '{"jsonrpc":"2.0","method":"notifications/x","params":[1]}',
      '{"jsonrpc":"2.0","method":"notifications/initialized","extra":1}',
      '{"jsonrpc":"2.0","method":"notifications/x","params":"bar"}',
    ];
    expect(notifications.map((line) => (unreadable(line, takes) as { id?: unknown } | undefined)?.id)).toEqual([
      undefined,
      undefined,
      null,
    ]);
    expect(unreadable(" \r")).toBe("blank");
  });
});
