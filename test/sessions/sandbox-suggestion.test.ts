// What a sandbox block asks for: the least that allows the refused writes (workspace-write writes the workspace,
// /tmp and its writable roots; only what lies beyond needs the sandbox off), and the caution a person reads
// under a full-access command says whether the session had full access itself.
import { describe, expect, it } from "vitest";
import { diagnose } from "../../src/sessions/diagnosis.js";
import type { SessionEvent } from "../../src/sessions/events.js";
import { foldEvents } from "../../src/sessions/session-model.js";
import { summarize } from "../../src/sessions/summary.js";
import { workspaceWriteAllows } from "../../src/sessions/workspace-write-roots.js";
import { fullAccessCaution, renderSummary } from "../../src/text/render.js";

const ID = "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
const CWD = "/home/user/proj";
const at = (line: number) => ({ line, timestamp: `2026-12-05T10:00:0${line}.000Z` });
const TO_WORKSPACE_WRITE = `codex exec --cd ${CWD} --sandbox workspace-write resume ${ID} 'The sandbox was read-only; do the writes again.'`;
const toAddDir = (dir: string) =>
  `mkdir -p ${dir} && codex exec --cd ${CWD} --sandbox workspace-write --add-dir ${dir} resume ${ID} 'The folders you wrote to are writable now; do the refused writes again.'`;
const TO_FULL_ACCESS = `codex exec --cd ${CWD} --dangerously-bypass-approvals-and-sandbox resume ${ID} 'The sandbox is off now; run the blocked commands again.'`;

/** A completed turn whose one command the sandbox refused a write to `target`, as 0.171 writes it. */
function refusedWrite(sandbox: string, target: string, policy: Record<string, unknown> = { type: sandbox }) {
  const command = `echo hi > ${target}`;
  const events: SessionEvent[] = [
    { ...at(1), kind: "turn_context", turnId: "t1", sandbox, sandboxPolicy: policy, cwd: CWD },
    { ...at(2), kind: "turn_started", turnId: "t1" },
    { ...at(3), kind: "user_message", text: `RUN:${command}` },
    { ...at(4), kind: "call", callId: "c1", name: "exec_command", arguments: {}, command },
    {
      ...at(5),
      kind: "call_output",
      callId: "c1",
      text: `Process exited with code 1\nOutput:\n/bin/bash: line 1: ${target}: Read-only file system\n`,
      exitCode: 1,
      denial: { kind: "write", target, explicit: true },
    },
    { ...at(6), kind: "agent_message", text: "Done." },
    { ...at(7), kind: "turn_ended", turnId: "t1", outcome: "completed", lastAgentMessage: "Done." },
  ];
  return foldEvents(events);
}

describe("a read-only session's refused write", () => {
  it.each([
    ["/tmp/out.txt", TO_WORKSPACE_WRITE],
    ["/tmp", TO_WORKSPACE_WRITE],
    [`${CWD}/src/a.ts`, TO_WORKSPACE_WRITE],
    ["notes.txt", TO_WORKSPACE_WRITE],
    // beyond every writable root of workspace-write: that folder made writable too (Codex's --add-dir)
    ["/usr/local/x", toAddDir("/usr/local")],
    ["/tmpfoo/x", toAddDir("/tmpfoo")],
    ["/tmp/../etc/x", toAddDir("/etc")],
    // a relative path out of the workspace, a file in /: no folder to name
    ["../other/x", TO_FULL_ACCESS],
    ["/x", TO_FULL_ACCESS],
    // kept read-only inside a writable root
    [`${CWD}/.git/config`, TO_FULL_ACCESS],
    [`${CWD}/.codex/config.toml`, TO_FULL_ACCESS],
    ["/tmp/.agents/x", TO_FULL_ACCESS],
  ])("to %s", async (target, command) => {
    const diagnosis = diagnose(await refusedWrite("read-only", target), { sessionId: ID, cwd: CWD });
    expect([diagnosis.category, diagnosis.next_command]).toEqual(["sandbox_blocked", command]);
  });

  it("the roots and exclusions a workspace-write policy records count; a read-only policy's are Codex's defaults", () => {
    const recorded = { type: "workspace-write", writable_roots: ["/data/out"], exclude_slash_tmp: true };
    expect(
      ["/data/out/x", "/tmp/x", `${CWD}/x`, "/data/outside"].map((path) => workspaceWriteAllows(path, CWD, recorded)),
    ).toEqual([true, false, true, false]);
    expect(workspaceWriteAllows("/tmp/x", CWD, { type: "read-only" })).toBe(true);
    expect(workspaceWriteAllows("/tmp/x", CWD, { mode: "workspace-write", exclude_slash_tmp: true })).toBe(false);
    // no path named: the workspace is the likely place; a relative path where the cwd is not known likewise
    expect([workspaceWriteAllows(null, CWD, undefined), workspaceWriteAllows("a/b", undefined, undefined)]).toEqual([
      true,
      true,
    ]);
    // a Windows session's relative path: its workspace, not a path resolved against this server's directory
    expect(workspaceWriteAllows("out\\x.txt", "C:\\Users\\me\\proj", undefined)).toBe(true);
  });
});

describe("the caution under a full-access command", () => {
  const command = "codex exec --dangerously-bypass-approvals-and-sandbox resume x 'go'";

  it("says the session had full access only when it had", () => {
    expect(fullAccessCaution(command, "danger-full-access")).toBe(
      "Caution: this command runs Codex with full access (no sandbox, no approvals), as the session did: read what it did first, or drop that flag.",
    );
    expect(fullAccessCaution(command, "read-only")).toBe(
      "Caution: this command runs Codex with full access (no sandbox, no approvals), which the session did not have (it ran read-only): run it only if you trust the task with this machine.",
    );
    expect(fullAccessCaution(command, null)).toBe(
      "Caution: this command runs Codex with full access (no sandbox, no approvals): read what the session did first, or drop that flag.",
    );
    expect(fullAccessCaution("codex exec --sandbox workspace-write resume x 'go'", "read-only")).toBeNull();
  });

  it.each([
    ["read-only", `${CWD}/.git/config`],
    ["workspace-write", `${CWD}/.git/config`],
  ])("a %s session whose write the sandbox refused is not said to have had full access", async (sandbox, target) => {
    const model = await refusedWrite(sandbox, target);
    const summary = summarize(
      model,
      { id: ID, path: "/home/user/.codex/x.jsonl" },
      { reasoningLimit: 0, skippedLines: 0 },
    );
    const lines = renderSummary(summary, "person").split("\n");
    const next = lines.findIndex((line) => line.startsWith("Next step:"));
    expect(lines[next]).toContain("--dangerously-bypass-approvals-and-sandbox resume");
    expect(lines[next + 1]).toBe(
      `Caution: this command runs Codex with full access (no sandbox, no approvals), which the session did not have (it ran ${sandbox}): run it only if you trust the task with this machine.`,
    );
  });
});
