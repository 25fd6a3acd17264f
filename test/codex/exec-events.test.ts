// The `--json` stream parser on what the real CLIs printed (test/fixtures/exec-json), every generation.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseExecLine, type ExecEvent } from "../../src/codex/exec-events.js";
import { boundedLines } from "../../src/shared/bounded-lines.js";
import { ALL_FIXTURES, FIXTURES, fixture, type Scenario } from "../support/fixtures.js";

function eventsOf(version: string, scenario: Scenario, step = 0): ExecEvent[] {
  const file = fixture(version, scenario).exec_json[step] ?? "";
  return readFileSync(join(FIXTURES, file), "utf8").split("\n").flatMap(parseExecLine);
}
const kinds = (events: ExecEvent[]) => events.map((event) => event.kind);

describe("parseExecLine on real streams", () => {
  it("0.169.0: thread.started, items, turn.completed with usage", () => {
    const events = eventsOf("0.169.0", "command");
    expect(events[0]).toEqual({ kind: "session", sessionId: fixture("0.169.0", "command").session_id });
    expect(kinds(events)).toEqual([
      "session",
      "warning",
      "turn_started",
      "reasoning",
      "command_started",
      "command_finished",
      "agent_message",
      "turn_completed",
    ]);
    expect(events).toContainEqual({ kind: "command_started", command: "echo hi; exit 3" });
    expect(events).toContainEqual({
      kind: "command_finished",
      command: "echo hi; exit 3",
      exitCode: 3,
      status: "failed",
    });
    expect(events.at(-1)).toEqual({
      kind: "turn_completed",
      usage: { input: 2700, cached_input: 675, output: 100, reasoning_output: 50, total: 2800 },
    });
  });

  it("0.169.0: a model error is an error and turn.failed with the provider's message", () => {
    const message = '{"error":{"message":"fake: invalid request","type":"invalid_request_error"}}';
    expect(eventsOf("0.169.0", "model-error").filter((e) => e.kind === "error" || e.kind === "turn_failed")).toEqual([
      { kind: "error", message },
      { kind: "turn_failed", message },
    ]);
  });

  it("0.63.0: usage without reasoning or total is completed from input + output", () => {
    expect(eventsOf("0.63.0", "command").at(-1)).toEqual({
      kind: "turn_completed",
      usage: { input: 2700, cached_input: 675, output: 100, reasoning_output: 0, total: 2800 },
    });
  });

  it("0.39.0 legacy: no session id, exec_command_* and cumulative token_count", () => {
    const events = eventsOf("0.39.0", "command");
    expect(kinds(events)).not.toContain("session");
    expect(events).toContainEqual({ kind: "command_started", command: "echo hi; exit 3" });
    expect(events).toContainEqual({ kind: "command_finished", exitCode: 3 });
    expect(events).toContainEqual({ kind: "agent_message", text: "Done. The tool said: hi" });
    expect(events.filter((e) => e.kind === "usage").at(-1)).toEqual({
      kind: "usage",
      usage: { input: 2700, cached_input: 675, output: 100, reasoning_output: 50, total: 2800 },
    });
  });

  it("0.39.0 legacy: a patch names its files at the start and its success at the end", () => {
    const events = eventsOf("0.39.0", "resumed", 1).filter((e) => e.kind === "patch_begin" || e.kind === "patch_end");
    expect(events).toEqual([
      { kind: "patch_begin", callId: "call_8", paths: ["/home/user/proj/hello.txt"] },
      { kind: "patch_end", callId: "call_8", success: true },
    ]);
  });

  it("0.20.0 legacy: flat per-response token counts", () => {
    expect(eventsOf("0.20.0", "command").filter((e) => e.kind === "usage")).toEqual([
      { kind: "usage", usage: { input: 1200, cached_input: 300, output: 60, reasoning_output: 30, total: 1260 } },
      { kind: "usage", usage: { input: 1500, cached_input: 375, output: 40, reasoning_output: 20, total: 1540 } },
    ]);
  });

  it("every real stream parses without noise, and every current one names its session", () => {
    for (const entry of ALL_FIXTURES) {
      entry.exec_json.forEach((file, step) => {
        const events = readFileSync(join(FIXTURES, file), "utf8").split("\n").flatMap(parseExecLine);
        expect([file, events.filter((e) => e.kind === "noise")]).toEqual([file, []]);
        const session = events.find((e) => e.kind === "session");
        if (["0.20.0", "0.39.0"].includes(entry.version)) expect(session).toBeUndefined();
        else expect([file, step, session]).toEqual([file, step, { kind: "session", sessionId: entry.session_id }]);
      });
    }
  });
});

describe("parseExecLine on shapes the fixtures lack", () => {
  it("0.42 experimental stream, MCP and file changes, garbage", () => {
    expect(parseExecLine('{"type":"session.created","session_id":"s-1"}')).toEqual([
      { kind: "session", sessionId: "s-1" },
    ]);
    expect(
      parseExecLine('{"type":"item.completed","item":{"id":"item_1","item_type":"assistant_message","text":"hi"}}'),
    ).toEqual([{ kind: "agent_message", text: "hi" }]);
    expect(
      parseExecLine(
        '{"type":"item.started","item":{"id":"i","type":"mcp_tool_call","server":"gh","tool":"search","status":"in_progress"}}',
      ),
    ).toEqual([{ kind: "tool_call", name: "gh.search", status: "in_progress" }]);
    expect(
      parseExecLine(
        '{"type":"item.completed","item":{"id":"i","type":"file_change","changes":[{"path":"/w/a.ts","kind":"update"}],"status":"completed"}}',
      ),
    ).toEqual([{ kind: "file_change", paths: ["/w/a.ts"] }]);
    expect(parseExecLine('{"id":"1","msg":{"type":"turn_aborted","reason":"interrupted"}}')).toEqual([
      { kind: "turn_aborted", reason: "interrupted" },
    ]);
    expect(parseExecLine("Reading additional input from stdin...")).toEqual([
      { kind: "noise", text: "Reading additional input from stdin..." },
    ]);
    expect(parseExecLine("")).toEqual([]);
    expect(
      parseExecLine(
        '{"type":"item.started","item":{"type":"command_execution","command":"/bin/bash -lc \\"echo \'q\\\\\\"uote\'\\""}}',
      ),
    ).toEqual([{ kind: "command_started", command: "echo 'q\"uote'" }]);
  });
});

describe("boundedLines", () => {
  it("splits chunks into lines, keeps a line that spans chunks, drops an overlong one, flushes the last", () => {
    const lines: string[] = [];
    const split = boundedLines(10, (line) => lines.push(line));
    split.push(Buffer.from("one\ntw"));
    split.push(Buffer.from("o\nxxxxxxxx"));
    split.push(Buffer.from("xxxxxxxxxxxx"));
    split.push(Buffer.from("xx\nthree\nfo"));
    split.push(Buffer.from("ur"));
    split.end();
    expect(lines).toEqual(["one", "two", "three", "four"]);
  });
});
