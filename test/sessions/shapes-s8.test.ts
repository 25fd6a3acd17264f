// Log shapes of Codex 0.171 (made with the real CLI against the fake model, paths scrubbed to /home/user) that
// the debug tools answered wrongly: each fixture in test/fixtures/shapes/ is named after what it shows.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { longerToolTimeout } from "../../src/sessions/mcp-timeout-step.js";
import { mcpTimeoutOf } from "../../src/sessions/diagnosis-work.js";
import { reviewCommandLine } from "../../src/sessions/resume-command.js";
import { extraWritableDirs, ownRootOptions } from "../../src/sessions/workspace-write-roots.js";
import { connect, testConfig, type Connected } from "../support/mcp.js";
import { shapeHome, shapeIdOf } from "../support/shape-home.js";

const NAMED: Array<[string, number]> = [
  ["sandbox-workspace-write-refused-outside-roots", 19],
  ["mcp-tool-call-timed-out", 20],
  ["review-failed-auth", 21],
  ["resumed-by-newer-cli-answerless-turn", 22],
  ["token-counts-only", 23],
  ["rate-limits-only", 24],
  ["subagent-only-parent-history", 25],
  ["turn-with-token-counts-only", 26],
  ["workspace-write-session-with-added-dir", 27],
];
const idOf = shapeIdOf;
let home: string;
let mcp: Connected;

beforeAll(async () => {
  home = await shapeHome("ccm-shapes-s8-", NAMED, "2026-12-05T12-00");
  // the MCP server the timed-out call used is still configured (see shapes-s9 for one that is not)
  await writeFile(join(home, "config.toml"), '[mcp_servers.tsrv]\ncommand = "node"\n');
  mcp = await connect(testConfig({ codexHome: home }));
});
afterAll(async () => mcp.close());

async function diagnosisOf(name: string): Promise<Record<string, unknown>> {
  const n = NAMED.find(([candidate]) => candidate === name)?.[1] as number;
  const summary = (await mcp.call("session_summary", { session_id: idOf(n) })).structuredContent as Record<
    string,
    unknown
  >;
  return summary.diagnosis as Record<string, unknown>;
}

describe("a sandbox refusal outside the workspace asks for the smallest thing that works", () => {
  it("workspace-write refused a write outside its roots: --add-dir that folder, not full access", async () => {
    const diagnosis = await diagnosisOf("sandbox-workspace-write-refused-outside-roots");
    expect(diagnosis).toMatchObject({
      category: "sandbox_blocked",
      sandbox_denials: [
        {
          command: "touch /home/user/outside/x.txt",
          kind: "write",
          target: "/home/user/outside/x.txt",
          mode: "workspace-write",
        },
      ],
    });
    // pasted with the real CLI 0.171 (the session's own dirs), this resumed the session and the write went through
    const command = `mkdir -p /home/user/outside && CODEX_HOME=${home} codex exec --cd /home/user/proj --sandbox workspace-write --skip-git-repo-check --model mock-model --add-dir /home/user/outside resume ${idOf(19)} 'The folders you wrote to are writable now; do the refused writes again.'`;
    expect(diagnosis.next_command).toBe(command);
    expect(diagnosis.next_step).toBe(
      `Resume in the workspace-write sandbox with --add-dir /home/user/outside (Codex's flag for more writable folders; resume_session cannot pass it, and it widens what Codex may write: the operator's call). By hand: ${command}`,
    );
  });

  it("which folders: each refused folder once, none where it cannot work", () => {
    const policy = { type: "workspace-write", writable_roots: ["/data/shared"], exclude_slash_tmp: true };
    expect(
      extraWritableDirs(["/srv/out/a.txt", "/srv/out/b.txt", "/opt/x/y", "/data/shared/z"], "/home/user/proj", policy),
    ).toEqual(["/srv/out", "/opt/x"]);
    // a write the workspace-write sandbox allows needs no folder
    expect(extraWritableDirs(["/home/user/proj/a.txt", "/srv/out/a.txt"], "/home/user/proj", undefined)).toEqual([
      "/srv/out",
    ]);
    // no path named; a protected .git; a file in /; a control character; too many folders
    expect(extraWritableDirs([null], "/home/user/proj", undefined)).toBeNull();
    expect(extraWritableDirs(["/home/user/proj/.git/config"], "/home/user/proj", undefined)).toBeNull();
    expect(extraWritableDirs(["/x.txt"], "/home/user/proj", undefined)).toBeNull();
    expect(extraWritableDirs(["/srv/a\nb/c"], "/home/user/proj", undefined)).toBeNull();
    expect(extraWritableDirs(["/srv/a\u202eb/c"], "/home/user/proj", undefined)).toBeNull();
    expect(extraWritableDirs(["/a/1", "/b/1", "/c/1", "/d/1"], "/home/user/proj", undefined)).toBeNull();
  });
});

describe("a workspace-write session that ran with --add-dir", () => {
  it("is resumed with the same --add-dir: 0.171 resumed without it refused a write there", async () => {
    const diagnosis = await diagnosisOf("workspace-write-session-with-added-dir");
    expect([diagnosis.category, diagnosis.next_command]).toEqual([
      "completed",
      `CODEX_HOME=${home} codex exec --cd /home/user/proj --sandbox workspace-write --skip-git-repo-check --model mock-model --add-dir /home/user/outside resume ${idOf(27)} 'Continue where you left off.'`,
    ]);
  });

  it("repeats only a workspace-write policy's absolute, printable roots", () => {
    expect(ownRootOptions({ type: "workspace-write", writable_roots: ["/a", "/a", "rel", "/b\nc", 3, "/d"] })).toEqual([
      "--add-dir",
      "/a",
      "--add-dir",
      "/d",
    ]);
    expect(ownRootOptions({ type: "workspace-write", writable_roots: ["/", "//", "/e"] })).toEqual(["--add-dir", "/e"]);
    expect(ownRootOptions({ type: "read-only", writable_roots: ["/a"] })).toEqual([]);
    expect(ownRootOptions(undefined)).toEqual([]);
  });
});

describe("an MCP tool call Codex gave up on (tool_timeout_sec)", () => {
  it("names the timeout and resumes with a longer one for that server, not 'fix the cause'", async () => {
    const diagnosis = await diagnosisOf("mcp-tool-call-timed-out");
    // pasted with the real CLI 0.171 (the session's own dirs), this resumed the session; the same override let
    // the 20 s tool answer
    const command = `CODEX_HOME=${home} codex exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox --model mock-model -c mcp_servers.tsrv.tool_timeout_sec=60 resume ${idOf(20)} 'The MCP tool call timed out; it has more time now: call it again.'`;
    expect(diagnosis).toMatchObject({
      category: "command_failures",
      retryable: false,
      evidence: [
        "turn 1 completed, but its last command failed",
        'the agent\'s last message: "Done. The tool said: tool call error: tool call failed for `tsrv/slowtool`"',
        'failed: "mcp__tsrv__slowtool" (no exit code) (the MCP server did not answer within its tool_timeout_sec, 3s)',
      ],
      failed_commands: [
        {
          call_id: "call_12",
          command: "mcp__tsrv__slowtool",
          exit_code: null,
          meaning: "the MCP server did not answer within its tool_timeout_sec, 3s",
        },
      ],
      next_command: command,
    });
    expect(diagnosis.next_step).toBe(
      `The MCP tool tsrv/slowtool did not answer within its server's tool_timeout_sec (3s); resume with a longer one (\`-c mcp_servers.tsrv.tool_timeout_sec=60\`, or set it in Codex's config.toml): ${command}`,
    );
  });

  it("last_function_calls shows the timeout's cause, without the backtrace of <unknown> frames Codex appends", async () => {
    const calls = (await mcp.call("last_function_calls", { session_id: idOf(20) })).structuredContent as {
      calls: Array<{ name: string; status: string; output: string }>;
    };
    expect(calls.calls.map((call) => [call.name, call.status, call.output])).toEqual([
      [
        "mcp__tsrv__slowtool",
        "failed",
        "Wall time: 3.0168 seconds\nOutput:\ntool call error: tool call failed for `tsrv/slowtool`\n\nCaused by:\n    timed out awaiting tools/call after 3s\n",
      ],
    ]);
  });

  it("reads the server from the text or the call's name; prints only a name Codex allows", () => {
    const call = (name: string, text: string) => ({
      callId: "c",
      name,
      arguments: {},
      turn: 1,
      result: { kind: "call_result" as const, callId: "c", text, line: 1 },
    });
    const caused = "\n\nCaused by:\n    timed out awaiting tools/call after ";
    expect(mcpTimeoutOf(call("x", `tool call error: tool call failed for \`my-srv/long_job\`${caused}1.5s`))).toEqual({
      server: "my-srv",
      tool: "long_job",
      seconds: 1.5,
    });
    expect(mcpTimeoutOf(call("mcp__db__query", `timed out awaiting tools/call after 500ms`))).toEqual({
      server: "db",
      tool: "query",
      seconds: 0.5,
    });
    // a name that is no config key, a name that splits two ways, a failure that is not a timeout
    expect(mcpTimeoutOf(call("x", `tool call failed for \`a b;rm/t\`${caused}3s`))).toBeUndefined();
    expect(mcpTimeoutOf(call("mcp__a__b__c", "timed out awaiting tools/call after 3s"))?.splits).toHaveLength(2); // mcp-timeout-step.ts picks
    expect(mcpTimeoutOf(call("mcp__db__query", "tool call failed for `db/query`: connection closed"))).toBeUndefined();
    expect([longerToolTimeout(3), longerToolTimeout(60), longerToolTimeout(0.5), longerToolTimeout(100.2)]).toEqual([
      60, 240, 60, 401,
    ]);
  });
});

describe("a review (codex exec review) that did not finish", () => {
  it("is run again with the same target: resuming it with a prompt would ask for ordinary work, not a review", async () => {
    const diagnosis = await diagnosisOf("review-failed-auth");
    // pasted with the real CLI 0.171 once the key was fixed, this ran the review again ("No issues found.")
    const command = `CODEX_HOME=${home} codex exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox --model mock-model review --uncommitted`;
    expect(diagnosis).toMatchObject({ category: "auth_error", next_command: command });
    expect(diagnosis.next_step).toBe(
      `The model provider "mock" rejected the credentials: fix the API key it takes, the variable its env_key names in [model_providers.mock] of config.toml (a table without env_key sends no key: add one, and set that variable; \`CODEX_HOME=${home} codex login\` helps only a provider with requires_openai_auth = true, and there a CODEX_API_KEY in the environment is used before the login), then run: ${command}`,
    );
  });

  it("token_usage says where a review's tokens are, instead of 'Codex writes them from 0.31 on'", async () => {
    const usage = (await mcp.call("token_usage", { session_id: idOf(21) })).structuredContent as Record<
      string,
      unknown
    >;
    expect([usage.total, usage.note]).toEqual([
      null,
      "This session's log holds no token counters of its own. A review's model requests run in a review sub-agent session of their own, whose log counts them (list_sessions: its parent_session_id is this session); they are not in these numbers.",
    ]);
  });

  it("names every target `codex exec review` takes, and only what it can print safely", () => {
    const at = { cwd: "/w", sandbox: "read-only" };
    const line = (target: Parameters<typeof reviewCommandLine>[0]["target"]) => reviewCommandLine({ ...at, target });
    // each checked with the real CLI 0.171: it ran the review of the same target again
    expect(line({ type: "uncommittedChanges" })).toBe("codex exec --cd /w --sandbox read-only review --uncommitted");
    expect(line({ type: "baseBranch", branch: "main" })).toBe(
      "codex exec --cd /w --sandbox read-only review --base main",
    );
    expect(line({ type: "commit", sha: "acbb8874f632979dbe38e0438528a18e4dafd759", title: "two" })).toBe(
      "codex exec --cd /w --sandbox read-only review --commit acbb8874f632979dbe38e0438528a18e4dafd759 --title two",
    );
    expect(line({ type: "custom", instructions: "look at a.txt only" })).toBe(
      "codex exec --cd /w --sandbox read-only review 'look at a.txt only'",
    );
    // a branch or commit git would not write, instructions read as an option or with control characters
    expect(line({ type: "baseBranch", branch: "--upload-pack=x" })).toBeNull();
    expect(line({ type: "baseBranch", branch: "a b" })).toBeNull();
    expect(line({ type: "commit", sha: "HEAD; rm -rf /" })).toBeNull();
    expect(line({ type: "custom", instructions: "--dangerously-bypass-approvals-and-sandbox" })).toBeNull();
    expect(line({ type: "custom", instructions: "a\u001b[2Jb" })).toBeNull();
  });
});

describe("a session an older Codex started and 0.171 resumed", () => {
  // made by editing the meta's cli_version of a 0.171 log to 0.140.0, then `codex exec resume` with 0.171: its
  // second turn's request answered with no output at all
  it("judges the resumed turn by the Codex that wrote it: an answerless end without an error completed", async () => {
    const summary = (await mcp.call("session_summary", { session_id: idOf(22) })).structuredContent as Record<
      string,
      unknown
    >;
    expect(summary.cli_version).toBe("0.140.0");
    expect((summary.turns as Array<{ status: string }>).map((turn) => turn.status)).toEqual(["completed", "completed"]);
    expect(summary.diagnosis).toMatchObject({
      category: "completed",
      evidence: ["turn 2 completed", "the turn ended without a final message from the agent"],
    });
    const list = (await mcp.call("list_sessions", { limit: 10 })).structuredContent as {
      sessions: Array<{ session_id: string; status: string }>;
    };
    expect(list.sessions.find((session) => session.session_id === idOf(22))?.status).toBe("completed");
  });
});

describe("a log with token counts but no turn lines (sanitized fork families publish such files)", () => {
  it("is no session that stopped before its first prompt: its own model requests were counted", async () => {
    const diagnosis = await diagnosisOf("token-counts-only");
    expect(diagnosis).toMatchObject({
      category: "interrupted",
      retryable: true,
      evidence: [
        "the log holds no turn lines (no prompt, no turn start or end), but 3280 tokens of its own model requests (the last counted 2026-12-05T09:00:20.000Z): its turns were not written or were cut from the file, and no end is recorded",
      ],
    });
    expect(diagnosis.next_step).toBe(
      `If no Codex process is still running this session, resume it: CODEX_HOME=${home} codex exec --cd /home/user/proj --skip-git-repo-check resume ${idOf(23)} 'Continue where you left off.'`,
    );
  });

  it("token_usage's text names tokens counted outside any turn as such, not as 'last turn (0)'", async () => {
    const usage = await mcp.call("token_usage", { session_id: idOf(23) });
    const text = (usage.content as Array<{ text: string }>)[0]?.text ?? "";
    expect(text.split("\n").slice(0, 3)).toEqual([
      `Session ${idOf(23)}:`,
      "total 3280 tokens (3200 input, 1500 cached, 80 output, 0 reasoning)",
      "counted outside any turn (the log has no turn lines there): 3280 tokens",
    ]);
  });

  it("a counter with rate limits only is no model request: still empty", async () => {
    const diagnosis = await diagnosisOf("rate-limits-only");
    expect([diagnosis.category, diagnosis.evidence]).toEqual([
      "empty",
      ["the log holds no turn: Codex stopped before the first prompt was recorded"],
    ]);
  });
});

describe("trimmed logs: what the log does hold is named", () => {
  it("a turn whose responses were counted but whose lines are missing: the model did answer", async () => {
    const diagnosis = await diagnosisOf("turn-with-token-counts-only");
    expect([diagnosis.category, diagnosis.evidence]).toEqual([
      "interrupted",
      [
        "turn 1 has no end: the run was killed, crashed, or is still running",
        "the log counts 1540 tokens of model responses in this turn, but no message or tool call of it: the model did answer (its lines were not written, or were cut from the file)",
      ],
    ]);
  });

  it("a sub-agent's summary text names its parent (the structured answer always had it)", async () => {
    const result = await mcp.call("session_summary", { session_id: idOf(25) });
    const text = (result.content as Array<{ text: string }>)[0]?.text ?? "";
    expect(text.split("\n")[2]).toBe(
      "Sub-agent Ada of session 0199bbbb-0000-7000-8000-000000000099 (its session_summary shows the whole task)",
    );
  });

  it("a sub-agent whose file holds only the history it copied from its parent", async () => {
    const diagnosis = await diagnosisOf("subagent-only-parent-history");
    expect([diagnosis.category, diagnosis.evidence]).toEqual([
      "empty",
      [
        "the log holds no turn: Codex stopped before the first prompt was recorded",
        "its 5 line(s) are all the history it copied from 0199bbbb-0000-7000-8000-000000000099: nothing of its own was written after it",
      ],
    ]);
  });

  it("token_usage of that sub-agent says its only counter is its parent's, not that Codex wrote none", async () => {
    const result = await mcp.call("token_usage", { session_id: idOf(25) });
    expect(result.structuredContent).toMatchObject({
      total: null,
      last_turn: null,
      inherited: { parent_session_id: "0199bbbb-0000-7000-8000-000000000099", tokens: { total: 1000 } },
      note: "The only token counters in this log are its parent's, copied in with its history (inherited): none counts a model request of this session's own; no numbers are estimated.",
    });
    const text = (result.content as Array<{ text: string }>)[0]?.text ?? "";
    expect(text.split("\n")[1]).toBe(
      "no token counts: The only token counters in this log are its parent's, copied in with its history (inherited): none counts a model request of this session's own; no numbers are estimated.",
    );
  });
});
