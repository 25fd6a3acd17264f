// The edges of the stdin bound, against the SDK's own transport behind it: its buffer refuses a chunk of
// more than 10 MiB *with* the newline, so a line of exactly 10 MiB passed on closed the transport (the server
// then stopped reading, silently: the defect the bound is there for). A line is now passed on only when it
// fits the transport with its newline; a longer one is answered. The end of input ends a last line without
// its newline (`printf '%s' "$request" | codex-control-mcp`): the transport reads only lines with one, and
// left it unanswered; it is now passed on (or, over the bound, answered with the error).
import { execFile } from "node:child_process";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { describe, expect, it } from "vitest";
import { boundedStdin, MAX_MESSAGE_BYTES, type MessageId } from "../../src/shared/bounded-stdio.js";
import { CLI } from "../support/stdio-server.js";

/** A tools/call line of exactly `bytes` bytes (without its newline), its id last as the SDK's client writes it. */
function callOf(id: number, bytes: number, ending = ""): string {
  const shell = (pad: string) =>
    `{"jsonrpc":"2.0","method":"tools/call","params":{"name":"session_summary","arguments":{"session_id":"${pad}"}},"id":${id}}${ending}`;
  return shell("x".repeat(bytes - shell("").length));
}

/** boundedStdin in front of the SDK's transport, fed `text` in `chunk`-byte pieces. */
async function serve(text: string, chunk = 65_536) {
  const input = new PassThrough();
  const dropped: Array<MessageId | null | undefined> = [];
  const transport = new StdioServerTransport(
    boundedStdin(input, (id) => dropped.push(id)),
    new PassThrough(),
  );
  const received: unknown[] = [];
  let closed = false;
  transport.onmessage = (message) => received.push((message as { id?: MessageId }).id);
  transport.onclose = () => (closed = true);
  await transport.start();
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += chunk) input.write(bytes.subarray(at, at + chunk));
  input.end();
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { closed, received, dropped };
}

describe("stdin bound, at its edge", () => {
  it.each([
    ["LF", ""],
    ["CRLF", "\r"],
  ])("a %s line of exactly 10 MiB is answered as over the bound, and the next line is read", async (_, ending) => {
    const line = callOf(2, MAX_MESSAGE_BYTES, ending);
    expect(Buffer.byteLength(line)).toBe(MAX_MESSAGE_BYTES);
    expect(await serve(`${line}\n${callOf(3, 200)}\n`)).toEqual({ closed: false, received: [3], dropped: [2] });
  });

  it("a line one byte shorter (10 MiB with its newline) is read, in one chunk or many", async () => {
    const text = `${callOf(2, MAX_MESSAGE_BYTES - 1)}\n${callOf(3, 200)}\n`;
    expect(await serve(text)).toEqual({ closed: false, received: [2, 3], dropped: [] });
    expect(await serve(text, MAX_MESSAGE_BYTES + 5)).toEqual({ closed: false, received: [2, 3], dropped: [] });
  });

  it("the end of input ends a last line without its newline, read or answered as over the bound", async () => {
    expect(await serve(`${callOf(2, 200)}\n${callOf(3, 200)}`)).toEqual({
      closed: false,
      received: [2, 3],
      dropped: [],
    });
    expect(await serve(`${callOf(2, 200)}\n${callOf(3, MAX_MESSAGE_BYTES + 10)}`)).toEqual({
      closed: false,
      received: [2],
      dropped: [3],
    });
    // nothing but blanks after the last newline: nothing to read
    expect(await serve(`${callOf(2, 200)}\n  `)).toEqual({ closed: false, received: [2], dropped: [] });
  });

  it("the built server answers a piped request whose line has no newline before the end of input", async () => {
    const home = await mkdtemp(join(tmpdir(), "ccm-lastline-"));
    await mkdir(join(home, "sessions"));
    const initialize =
      '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"printf","version":"0"}}}';
    const list = '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_sessions","arguments":{}}}';
    const { stdout } = await promisify(execFile)(
      "sh",
      ["-c", `printf '%s\\n%s' '${initialize}' '${list}' | "${process.execPath}" "${CLI}" --read-only`],
      {
        env: {
          ...process.env,
          CODEX_HOME: home,
          CODEX_CONTROL_STATE_DIR: join(home, "state"),
          CODEX_CONTROL_LOG: "error",
        },
        timeout: 60_000,
      },
    );
    const answers = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { id: number; result: { content?: Array<{ text: string }> } });
    expect(answers.map((answer) => [answer.id, answer.result.content?.[0]?.text.slice(0, 17)])).toEqual([
      [1, undefined],
      [2, "No sessions found"],
    ]);
  });
});
