// A patch Codex refused before applying it (0.171 apply_patch, codex-rs `core/src/safety.rs`: "patch rejected:
// writing outside of the project; rejected by user approval settings" under workspace-write, "… writing is
// blocked by read-only sandbox; …" under read-only) was read as a completed call and a completed session with
// nothing to repair. Both shapes were written by the real CLI (fake model `STEPS: PATCH:<file>`). It is a failed
// call now, a write the sandbox refused to the patch's files: sandbox_blocked with the same next step a refused
// shell write gets. So is a code-mode script whose patch was rejected (its `exec` fails with "Script error:" and
// those words), which read as a failed command to fix and run again, in the same read-only sandbox.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sessionCalls, sessionSummary, SessionStore } from "../../src/sessions/index.js";
import { shapeHome, shapeIdOf } from "../support/shape-home.js";

const NAMED: Array<[string, number]> = [
  ["apply-patch-rejected-outside-project", 131],
  ["apply-patch-rejected-read-only", 132],
  ["code-mode-patch-rejected-read-only", 133],
];

async function read(name: string) {
  const n = NAMED.find(([candidate]) => candidate === name)?.[1] as number;
  const home = await shapeHome("ccm-patch-rejected-", NAMED, "2026-12-06T04-00");
  const id = shapeIdOf(n);
  const summary = await sessionSummary(home, id, { reasoningLimit: 10 });
  const options = { limit: 10, includeOutput: true, maxOutputChars: 300 };
  // the first question on a log is read from its end; later ones from the fold: both the same
  const fromEnd = await sessionCalls(new SessionStore(home, { quickFromBytes: 0 }), id, options);
  const folded = await sessionCalls(new SessionStore(home, { quickFromBytes: Infinity }), id, options);
  expect(fromEnd.calls).toEqual(folded.calls);
  return { summary, calls: folded.calls.map(({ name, status }) => [name, status]) };
}

const nextStep = (next: string) => next.replace(/ codex exec .*$/, "");

describe("a patch Codex rejected is a write the sandbox refused", () => {
  it("outside the writable roots (workspace-write): a failed call, sandbox_blocked, resume with --add-dir", async () => {
    const { summary, calls } = await read("apply-patch-rejected-outside-project");
    expect(calls).toEqual([["apply_patch", "failed"]]);
    expect(summary.counts.failed_calls).toBe(1);
    expect(summary.files_changed).toEqual([]);
    expect(summary.diagnosis.category).toBe("sandbox_blocked");
    expect(summary.diagnosis.sandbox_denials).toEqual([
      {
        call_id: "call_1",
        command: "apply_patch",
        kind: "write",
        target: "/home/user/outside.txt",
        mode: "workspace-write",
      },
    ]);
    expect(summary.diagnosis.evidence).toContain(
      'blocked: "apply_patch": the sandbox (workspace-write) refused a write to /home/user/outside.txt',
    );
    expect(summary.diagnosis.next_command).toContain(" --add-dir /home/user resume ");
  });

  it("under read-only: a failed call, sandbox_blocked, resume in workspace-write", async () => {
    const { summary, calls } = await read("apply-patch-rejected-read-only");
    expect(calls).toEqual([["apply_patch", "failed"]]);
    expect(summary.diagnosis.category).toBe("sandbox_blocked");
    expect(summary.diagnosis.sandbox_denials).toEqual([
      { call_id: "call_1", command: "apply_patch", kind: "write", target: "/home/user/proj/a.txt", mode: "read-only" },
    ]);
    expect(nextStep(summary.diagnosis.next_step)).toBe(
      'Resume with the workspace-write sandbox (resume_session mode "sandboxed", skip_git_repo_check true):',
    );
  });

  it("a script's patch (code mode) under read-only: its exec failed for the sandbox, not for a command to fix", async () => {
    const { summary, calls } = await read("code-mode-patch-rejected-read-only");
    expect(calls).toEqual([["exec", "failed"]]);
    expect(summary.diagnosis.category).toBe("sandbox_blocked");
    // the script names its patch's files in a string of its own: no path to name
    expect(summary.diagnosis.sandbox_denials).toEqual([
      { call_id: "call_1", command: "exec", kind: "write", target: null, mode: "read-only" },
    ]);
    expect(nextStep(summary.diagnosis.next_step)).toBe(
      'Resume with the workspace-write sandbox (resume_session mode "sandboxed", skip_git_repo_check true):',
    );
  });
});

describe("the words of a rejected patch from anything but apply_patch are that tool's own text", () => {
  // the real log of a rejected patch, its call made an MCP tool's (a page it fetched opens with the words)
  async function asMcpTool(): Promise<{ home: string; id: string }> {
    const home = await shapeHome(
      "ccm-patch-words-",
      [["apply-patch-rejected-outside-project", 131]],
      "2026-12-06T04-00",
    );
    const dir = join(home, "sessions", "2026", "12", "06");
    const [file = ""] = await readdir(dir);
    const lines = (await readFile(join(dir, file), "utf8")).split("\n").map((line) => {
      if (!line.includes('"custom_tool_call')) return line;
      const entry = JSON.parse(line) as { payload: Record<string, unknown> };
      const { call_id, output } = entry.payload;
      entry.payload =
        output === undefined
          ? { type: "function_call", call_id, name: "mcp__web__fetch", arguments: '{"url":"https://example.com"}' }
          : { type: "function_call_output", call_id, output };
      return JSON.stringify(entry);
    });
    await writeFile(join(dir, file), lines.join("\n"));
    return { home, id: shapeIdOf(131) };
  }

  it("an MCP tool's answer opening with them: a completed call, no sandbox refusal", async () => {
    const { home, id } = await asMcpTool();
    const summary = await sessionSummary(home, id, { reasoningLimit: 10 });
    const { calls } = await sessionCalls(home, id, { limit: 10, includeOutput: true, maxOutputChars: 300 });
    expect(calls.map(({ name, status }) => [name, status])).toEqual([["mcp__web__fetch", "completed"]]);
    expect(summary.diagnosis.sandbox_denials).toEqual([]);
    expect(summary.diagnosis.category).toBe("completed");
  });
});
