// A command cut off when its turn was interrupted (real CLI 0.171, SIGINT to `codex exec` while `sleep 30` runs):
// 0.171 writes the call's output "Wall time: … seconds\naborted by user", turn_aborted (interrupted), then the
// command's end with exit_code -1. Every tool called it "failed" (exit -1, or "(no exit code)" where the end is
// missing) and counted it among the failed calls: it is "interrupted", and the session's diagnosis stays aborted.
import { execFile, spawn } from "node:child_process";
import { access } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { connect, textOf } from "../../support/mcp.js";
import { sessionIdFromPath, listRolloutFiles } from "../../../src/sessions/index.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "dist", "cli.js");
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

let model: FakeModel;
beforeAll(async () => {
  model = await startFakeModel();
});
afterAll(async () => model.close());

/** `codex exec` of `prompt`, sent SIGINT once the file `started` exists in its folder (the command is running). */
async function interrupted(prompt: string): Promise<{ home: string; ids: string[] }> {
  const { home, workdir } = await makeCodexHome(model.url, "interrupted");
  const child = spawn(process.execPath, [PINNED_CODEX, "exec", "--skip-git-repo-check", "-C", workdir, prompt], {
    env: codexEnv(home),
    stdio: "ignore",
  });
  const closed = new Promise((resolve) => child.on("close", resolve));
  while (!(await exists(join(workdir, "started")))) await new Promise((resolve) => setTimeout(resolve, 50));
  child.kill("SIGINT");
  await closed;
  const files = await listRolloutFiles(home, { includeArchived: false });
  return { home, ids: files.map((file) => sessionIdFromPath(file.path) ?? "").sort() };
}

describe("a command cut off by an interrupted turn", () => {
  it("is interrupted, not failed, in last_function_calls, session_summary and the CLI's calls", async () => {
    const { home, ids } = await interrupted("RUN:touch started && sleep 30");
    const id = ids[0] ?? "";
    const mcp = await connect({ codexHome: home });
    try {
      const calls = await mcp.call("last_function_calls", { session_id: id });
      // the command's end (exit -1) is written only when the process was reaped before Codex stopped: either way
      const view = calls.structuredContent as { calls: Array<{ command: string; status: string }> };
      expect(view.calls.map(({ command, status }) => [command, status])).toEqual([
        ["touch started && sleep 30", "interrupted"],
      ]);
      expect(textOf(calls)).toContain("exec_command interrupted");
      const summary = (await mcp.call("session_summary", { session_id: id })).structuredContent as {
        counts: { failed_calls: number };
        diagnosis: { category: string; evidence: string[]; failed_commands: unknown[] };
      };
      expect(summary.counts.failed_calls).toBe(0);
      expect(summary.diagnosis.category).toBe("aborted");
      expect(summary.diagnosis.evidence).toEqual([
        "turn 1 was aborted (interrupted)",
        'the last call, "touch started && sleep 30", was cut off when its turn was interrupted or aborted (it did not fail on its own)',
      ]);
      expect(summary.diagnosis.failed_commands).toEqual([]);
    } finally {
      await mcp.close();
    }
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, "calls", id], {
      env: { ...codexEnv(home), CODEX_HOME: home },
    });
    expect(stdout.split("\n")[1]).toMatch(
      /^\[turn 1\] exec_command interrupted(?: exit -1)? [\d,]+ ms: “touch started && sleep 30”$/,
    );
  }, 60_000);

  it("a sub-agent's command cut off with its parent's turn: interrupted in the sub-agent's calls and summary", async () => {
    const { home, ids } = await interrupted("STEPS: SPAWN:RUN:touch started && sleep 30 ;; WAIT");
    const mcp = await connect({ codexHome: home });
    try {
      const child = ids[1] ?? "";
      const calls = await mcp.call("last_function_calls", { session_id: child });
      const view = calls.structuredContent as { calls: Array<{ command: string; status: string }> };
      expect(view.calls.map(({ command, status }) => [command, status])).toEqual([
        ["touch started && sleep 30", "interrupted"],
      ]);
      const summary = (await mcp.call("session_summary", { session_id: child })).structuredContent as {
        counts: { failed_calls: number };
        diagnosis: { category: string; evidence: string[]; failed_commands: unknown[] };
      };
      expect([summary.counts.failed_calls, summary.diagnosis.category, summary.diagnosis.failed_commands]).toEqual([
        0,
        "aborted",
        [],
      ]);
      expect(summary.diagnosis.evidence.slice(0, 2)).toEqual([
        "turn 1 was aborted (interrupted)",
        'the last call, "touch started && sleep 30", was cut off when its turn was interrupted or aborted (it did not fail on its own)',
      ]);
    } finally {
      await mcp.close();
    }
  }, 60_000);
});
