// Line shapes from ../shared/codex-formats.md that the fixture runs do not produce (other tools, older
// rate-limit shapes, extended persistence), one line at a time.
import { describe, expect, it } from "vitest";
import { normalizeLine } from "../../src/sessions/normalize.js";
import { parseToolOutput, commandText, patchPaths } from "../../src/sessions/tool-output.js";

const T = "2026-01-28T10:00:00.000Z";
const line = (type: string, payload: object) => ({ timestamp: T, type, payload });

describe("normalizeLine", () => {
  it("local_shell_call: the command from action.command or action.exec.command", () => {
    expect(
      normalizeLine(
        line("response_item", {
          type: "local_shell_call",
          call_id: "c1",
          status: "completed",
          action: { type: "exec", command: ["bash", "-lc", "ls -la"] },
        }),
        3,
      ),
    ).toEqual([
      {
        line: 3,
        timestamp: T,
        kind: "call",
        callId: "c1",
        name: "local_shell",
        arguments: { type: "exec", command: ["bash", "-lc", "ls -la"] },
        command: "ls -la",
      },
    ]);
    const [event] =
      normalizeLine(
        { type: "local_shell_call", id: "c2", action: { exec: { command: ["git", "status", "--short"] } } },
        1,
      ) ?? [];
    expect(event).toMatchObject({ kind: "call", callId: "c2", command: "git status --short" });
  });

  it("shell_command and exec_command calls get one display command", () => {
    const [shellCommand] =
      normalizeLine(
        line("response_item", {
          type: "function_call",
          name: "shell_command",
          arguments: '{"command":"echo hi; exit 4"}',
          call_id: "c3",
        }),
        1,
      ) ?? [];
    expect(shellCommand).toMatchObject({
      name: "shell_command",
      command: "echo hi; exit 4",
      arguments: { command: "echo hi; exit 4" },
    });
    const [exec] =
      normalizeLine(
        line("response_item", {
          type: "function_call",
          name: "exec_command",
          arguments: '{"cmd":"npm test","workdir":"/w"}',
          call_id: "c4",
        }),
        1,
      ) ?? [];
    expect(exec).toMatchObject({ command: "npm test", arguments: { cmd: "npm test", workdir: "/w" } });
  });

  it("MCP names: server__tool, mcp__server__tool, and name + namespace (with or without trailing __)", () => {
    const name = (payload: object) =>
      (
        normalizeLine(
          line("response_item", { type: "function_call", call_id: "c", arguments: "{}", ...payload }),
          1,
        )?.[0] as { name?: string }
      ).name;
    expect(name({ name: "echosrv__echo" })).toBe("echosrv__echo");
    expect(name({ name: "mcp__echosrv__echo" })).toBe("mcp__echosrv__echo");
    expect(name({ name: "echo", namespace: "mcp__echosrv" })).toBe("mcp__echosrv__echo");
    expect(name({ name: "echo", namespace: "mcp__rmcp__" })).toBe("mcp__rmcp__echo");
  });

  it("arguments that are not JSON are kept raw", () => {
    const [event] =
      normalizeLine(
        line("response_item", { type: "function_call", name: "shell", arguments: '{"command":["ba', call_id: "c" }),
        1,
      ) ?? [];
    expect(event).toMatchObject({ arguments: '{"command":["ba' });
  });

  it("apply_patch as a JSON function call names the files it touches", () => {
    const input = "*** Begin Patch\n*** Update File: src/a.ts\n@@\n-x\n+y\n*** Delete File: old.txt\n*** End Patch\n";
    const [event] =
      normalizeLine(
        line("response_item", {
          type: "function_call",
          name: "apply_patch",
          arguments: JSON.stringify({ input }),
          call_id: "p",
        }),
        1,
      ) ?? [];
    expect(event).toMatchObject({ patchPaths: ["src/a.ts", "old.txt"] });
  });

  it("token_count: info null, 0.40 flat percents, 0.41 resets_in_seconds, 0.48 resets_at", () => {
    expect(normalizeLine(line("event_msg", { type: "token_count", info: null }), 1)).toEqual([
      { line: 1, timestamp: T, kind: "token_count" },
    ]);
    const [flat] =
      normalizeLine(
        line("event_msg", {
          type: "token_count",
          info: null,
          rate_limits: {
            primary_used_percent: 20,
            secondary_used_percent: 5,
            primary_window_minutes: 300,
            secondary_window_minutes: 10080,
          },
        }),
        1,
      ) ?? [];
    expect(flat).toMatchObject({
      rateLimits: {
        primary: { used_percent: 20, window_minutes: 300, resets_at: null },
        secondary: { used_percent: 5, window_minutes: 10080, resets_at: null },
        plan_type: null,
      },
    });
    const [relative] =
      normalizeLine(
        line("event_msg", {
          type: "token_count",
          info: null,
          rate_limits: {
            primary: { used_percent: 12.5, window_minutes: 300, resets_in_seconds: 3600 },
            secondary: null,
          },
        }),
        1,
      ) ?? [];
    expect(relative).toMatchObject({
      rateLimits: { primary: { resets_at: "2026-01-28T11:00:00.000Z" }, secondary: null },
    });
    const [absolute] =
      normalizeLine(
        line("event_msg", {
          type: "token_count",
          info: { total_token_usage: { input_tokens: 10, output_tokens: 5 }, model_context_window: 1000 },
          rate_limits: {
            primary: { used_percent: 100.0, window_minutes: 300, resets_at: 1769601600 },
            plan_type: "plus",
          },
        }),
        1,
      ) ?? [];
    expect(absolute).toMatchObject({
      total: { input: 10, cached_input: 0, output: 5, reasoning_output: 0, total: 15 },
      modelContextWindow: 1000,
      rateLimits: { primary: { used_percent: 100, resets_at: "2026-01-28T12:00:00.000Z" }, plan_type: "plus" },
    });
  });

  it("turn_context: sandbox tagged `mode` (≤0.58) or `type` (0.59+), approval as string or object", () => {
    expect(
      normalizeLine(
        line("turn_context", {
          cwd: "/w",
          approval_policy: "never",
          sandbox_policy: { mode: "workspace-write" },
          model: "gpt-5",
        }),
        1,
      )?.[0],
    ).toMatchObject({ sandbox: "workspace-write", approval: "never", model: "gpt-5" });
    expect(
      normalizeLine(
        line("turn_context", {
          cwd: "/w",
          approval_policy: { granular: {} },
          sandbox_policy: { type: "read-only" },
          turn_id: "t1",
        }),
        1,
      )?.[0],
    ).toMatchObject({ sandbox: "read-only", approval: "granular", turnId: "t1" });
  });

  it("extended persistence: exec_command_end, patch_apply_end, error with an object codex_error_info", () => {
    expect(
      normalizeLine(
        line("event_msg", {
          type: "exec_command_end",
          call_id: "c",
          exit_code: 2,
          duration: { secs: 1, nanos: 500_000_000 },
        }),
        1,
      )?.[0],
    ).toMatchObject({ kind: "call_result", callId: "c", exitCode: 2, durationMs: 1500 });
    expect(
      normalizeLine(
        line("event_msg", { type: "patch_apply_end", call_id: "p", success: true, changes: { "a.txt": { add: {} } } }),
        1,
      ),
    ).toEqual([{ line: 1, timestamp: T, kind: "files_changed", paths: ["a.txt"] }]);
    expect(
      normalizeLine(
        line("event_msg", {
          type: "error",
          message: "unexpected status 502",
          codex_error_info: { http_connection_failed: { http_status_code: 502 } },
        }),
        1,
      )?.[0],
    ).toMatchObject({ kind: "error", info: "http_connection_failed" });
  });

  it("item_completed: FileChange and McpToolCall", () => {
    expect(
      normalizeLine(
        line("event_msg", {
          type: "item_completed",
          item: { type: "FileChange", id: "f", changes: [{ path: "x.ts", kind: "update" }], status: "completed" },
        }),
        1,
      ),
    ).toEqual([
      // the patch is also its call's result (a code-mode script's patch has no call line of its own)
      { line: 1, timestamp: T, kind: "call_result", callId: "f", status: "completed", name: "apply_patch" },
      { line: 1, timestamp: T, kind: "files_changed", paths: ["x.ts"] },
    ]);
    // a failed patch changed nothing, and its call failed
    expect(
      normalizeLine(
        line("event_msg", {
          type: "item_completed",
          item: { type: "FileChange", id: "g", changes: { "/w/x.ts": {} }, status: "failed", stderr: "no room" },
        }),
        1,
      ),
    ).toEqual([
      {
        line: 1,
        timestamp: T,
        kind: "call_result",
        callId: "g",
        status: "failed",
        name: "apply_patch",
        text: "no room",
      },
    ]);
    expect(
      normalizeLine(
        line("event_msg", {
          type: "item_completed",
          item: {
            type: "McpToolCall",
            id: "m",
            status: "completed",
            result: { content: [], isError: true },
            duration: { secs: 0, nanos: 2_000_000 },
          },
        }),
        1,
      )?.[0],
    ).toMatchObject({ kind: "call_result", callId: "m", status: "failed", durationMs: 2 });
  });

  it("turn_started/turn_complete spellings and harness texts that are not prompts", () => {
    expect(normalizeLine(line("event_msg", { type: "turn_started", turn_id: "t" }), 1)?.[0]).toMatchObject({
      kind: "turn_started",
      turnId: "t",
    });
    expect(
      normalizeLine(line("event_msg", { type: "turn_complete", turn_id: "t", last_agent_message: "ok" }), 1)?.[0],
    ).toMatchObject({ kind: "turn_ended", outcome: "completed", lastAgentMessage: "ok" });
    expect(
      normalizeLine(
        {
          type: "message",
          role: "user",
          content: [{ type: "input_text", text: "<environment_context>\n<cwd>/w</cwd>" }],
        },
        1,
      ),
    ).toEqual([]);
    expect(
      normalizeLine(
        { type: "message", role: "user", content: [{ type: "input_text", text: "# AGENTS.md instructions for /w" }] },
        1,
      ),
    ).toEqual([]);
  });

  it("unknown top-level types are not rollout lines; known bookkeeping is silently empty", () => {
    expect(normalizeLine(line("some_future_type", {}), 1)).toBeUndefined();
    expect(normalizeLine({ hello: "world" }, 1)).toBeUndefined();
    expect(normalizeLine("text", 1)).toBeUndefined();
    expect(normalizeLine(line("world_state", { full: true }), 1)).toEqual([]);
    expect(normalizeLine({ record_type: "state" }, 1)).toEqual([]);
    expect(normalizeLine(line("event_msg", { type: "some_new_event" }), 1)).toEqual([]);
  });
});

describe("parseToolOutput", () => {
  it("shell JSON metadata, shell_command and unified exec headers, sandbox denials", () => {
    expect(parseToolOutput('{"output":"hi\\n","metadata":{"exit_code":3,"duration_seconds":0.25}}')).toEqual({
      text: "hi\n",
      exitCode: 3,
      durationMs: 250,
    });
    expect(parseToolOutput("Exit code: 4\nWall time: 0.2 seconds\nOutput:\nhi\n")).toEqual({
      text: "Exit code: 4\nWall time: 0.2 seconds\nOutput:\nhi\n",
      exitCode: 4,
      durationMs: 200,
    });
    expect(
      parseToolOutput("Chunk ID: ab\nWall time: 1.0000 seconds\nProcess running with session ID 7\nOutput:\n"),
    ).toMatchObject({ running: true, durationMs: 1000 });
    expect(
      parseToolOutput("failed in sandbox LinuxSeccomp with execution error: denied, exit code: 3, stdout: "),
    ).toMatchObject({ exitCode: 3 });
  });

  it("MCP results as a JSON string of content, as content items, or as a result object", () => {
    expect(parseToolOutput('[{"text":"echo: hi","type":"text"}]')).toEqual({ text: "echo: hi" });
    expect(
      parseToolOutput([
        { type: "input_text", text: "Wall time: 0.0053 seconds\nOutput:" },
        { type: "input_text", text: "echo: hi" },
      ]),
    ).toEqual({ text: "Wall time: 0.0053 seconds\nOutput:\necho: hi", durationMs: 5 });
    expect(parseToolOutput({ content: [{ type: "text", text: "boom" }], isError: true })).toEqual({
      text: "boom",
      isError: true,
    });
  });
});

describe("commandText and patchPaths", () => {
  it("drops only the shell wrapper and quotes other argv parts for display", () => {
    expect(commandText({ command: ["/bin/bash", "-lc", "echo hi"] })).toBe("echo hi");
    expect(commandText({ command: ["rg", "-n", "two words"] })).toBe("rg -n 'two words'");
    expect(commandText({ cmd: "make test" })).toBe("make test");
    expect(commandText({ path: "x" })).toBeUndefined();
  });

  it("names added, updated, deleted and moved files once each", () => {
    expect(
      patchPaths(
        "*** Begin Patch\n*** Add File: a\n+x\n*** Update File: b\n*** Move to: c\n*** Update File: b\n*** End Patch",
      ),
    ).toEqual(["a", "b", "c"]);
  });
});

describe("lines of 0.145–0.169 multi-agent and code-mode sessions", () => {
  it("session_meta: kind, parent and where the own history starts, from each marker", () => {
    const meta = (payload: object) =>
      normalizeLine(line("session_meta", { id: "c", timestamp: T, ...payload }), 1)?.[0];
    expect(
      meta({
        source: { subagent: { thread_spawn: { parent_thread_id: "p", depth: 1, agent_nickname: "Ada" } } },
        subagent_history_start_ordinal: 9,
      }),
    ).toMatchObject({
      sessionKind: "subagent",
      parentId: "p",
      agentNickname: "Ada",
      historyStartOrdinal: 9,
    });
    expect(
      meta({ forked_from_id: "p", history_base: { thread_id: "p", end_ordinal_exclusive: 21, end_byte_offset: 100 } }),
    ).toMatchObject({ sessionKind: "fork", parentId: "p", historyByReference: true, historyEndOrdinal: 21 });
    expect(meta({ parent_thread_id: "p", source: { subagent: { other: "guardian" } } })).toMatchObject({
      sessionKind: "subagent",
      parentId: "p",
    });
    expect(meta({ source: "exec", forked_from_id: null })).toMatchObject({
      sessionKind: "session",
      parentId: undefined,
    });
  });

  it("an agent_message item is a message from another agent; inter_agent_communication_metadata is known", () => {
    expect(
      normalizeLine(
        line("response_item", {
          type: "agent_message",
          author: "/main",
          recipient: "/main/a",
          content: [
            { type: "input_text", text: "do it" },
            { type: "encrypted_content", encrypted_content: "x" },
          ],
        }),
        1,
      ),
    ).toEqual([{ line: 1, timestamp: T, kind: "user_message", text: "do it", fromAgent: true }]);
    expect(normalizeLine(line("inter_agent_communication_metadata", { trigger_turn: true }), 1)).toEqual([]);
  });

  it("a tool output stored as one content object keeps its text", () => {
    expect(parseToolOutput({ type: "input_text", text: "a.txt\n", detail: null })).toEqual({ text: "a.txt\n" });
  });

  it("a field of the wrong type is dropped and its line counted; the rest of the line is kept", () => {
    const issues = { badFieldLines: 0 };
    const events = normalizeLine(
      {
        timestamp: 17,
        ordinal: -1,
        type: "event_msg",
        payload: { type: "exec_command_end", call_id: "c", exit_code: "1", duration: { secs: 2, nanos: 0 } },
      },
      4,
      issues,
    );
    expect(events).toEqual([
      { line: 4, kind: "call_result", callId: "c", exitCode: undefined, durationMs: 2000, status: undefined },
    ]);
    expect(issues.badFieldLines).toBe(1);
  });
});
