// A call is `interrupted` only where Codex itself cut it off with its turn: its whole output is Codex's own
// words (codex-rs tools/parallel.rs abort_message: "Wall time: {secs:.1} seconds\naborted by user" for a shell,
// "aborted by user after {secs:.1}s" for any other tool). A command or an MCP tool whose own output says
// "aborted by user" failed on its own: it stays `failed` (it read `interrupted`, hidden from the failed calls).
import { describe, expect, it } from "vitest";
import { normalizeLine } from "../../src/sessions/normalize.js";
import { foldEvents } from "../../src/sessions/session-model.js";
import { callStatus } from "../../src/sessions/statuses.js";

const AT = "2025-12-01T10:00:00.000Z";

async function statusOf(name: string, output: unknown, version = "0.171.0") {
  const lines = [
    {
      type: "session_meta",
      payload: { id: "01a24a35-5745-7502-837f-ba27aece56ef", timestamp: AT, cwd: "/p", cli_version: version },
    },
    { type: "event_msg", payload: { type: "task_started", turn_id: "t1" } },
    { type: "response_item", payload: { type: "function_call", name, arguments: "{}", call_id: "c1" } },
    { type: "response_item", payload: { type: "function_call_output", call_id: "c1", output } },
    { type: "event_msg", payload: { type: "task_complete", turn_id: "t1", last_agent_message: "done" } },
  ].map((line) => ({ timestamp: AT, ...line }));
  const session = await foldEvents(
    lines.flatMap((line, index) => normalizeLine(line, index + 1)).filter((event) => event !== undefined),
  );
  return session.calls.map(callStatus);
}

describe("the words 'aborted by user' in a tool's own output", () => {
  it("a shell command that printed them and exited 1 (the shell tool's JSON output) failed", async () => {
    const output = JSON.stringify({ output: "aborted by user\n", metadata: { exit_code: 1, duration_seconds: 0.1 } });
    expect(await statusOf("shell", output, "0.46.0")).toEqual(["failed"]);
  });

  it("an MCP tool that answered them (≤0.100's content array as a string; an error result) failed", async () => {
    expect(
      await statusOf("mcp__srv__ask", JSON.stringify([{ type: "text", text: "aborted by user" }]), "0.90.0"),
    ).toEqual(["failed"]);
    expect(await statusOf("ask", { content: [{ type: "text", text: "aborted by user" }], isError: true })).toEqual([
      "failed",
    ]);
  });

  it("control: Codex's own cut-off, a shell's and any other tool's, is interrupted", async () => {
    expect(await statusOf("exec_command", "Wall time: 1.6 seconds\naborted by user")).toEqual(["interrupted"]);
    expect(await statusOf("ask", "aborted by user after 2.8s")).toEqual(["interrupted"]);
  });
});
