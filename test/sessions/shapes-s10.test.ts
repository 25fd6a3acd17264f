// Answers found wrong on real logs and on what the real CLI 0.171 writes (s10). Fixtures in test/fixtures/shapes/.
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { codexEnv } from "../support/codex-home.js";
import { PINNED_CODEX } from "../support/codex-versions.js";
import { CLI } from "../support/stdio-server.js";
import { SHAPES, shapeHome, shapeIdOf } from "../support/shape-home.js";

const NAMED: Array<[string, number]> = [
  ["unified-exec-polls", 101],
  ["code-mode-exec-with-nested-calls", 102],
  ["code-mode-script-failed", 103],
  ["unified-exec-still-running-prints-exit-code", 105],
  ["code-mode-script-interrupted", 108],
  ["code-mode-script-terminated", 109],
  ["apply-patch-through-exec-command", 110],
];
let home: string;

let removed: string;

beforeAll(async () => {
  home = await shapeHome("ccm-shapes-s10-", NAMED, "2026-12-05T18-00");
  // a session whose folder was removed since (its parent folder is still there), and one whose folder is there
  removed = join(dirname(home), "checkouts");
  await mkdir(join(removed, "there"), { recursive: true });
  const running = await readFile(join(SHAPES, "unified-exec-still-running-prints-exit-code.jsonl"), "utf8");
  for (const [n, folder] of [
    [106, "proj"],
    [107, "there"],
  ] as const) {
    const text = running.replaceAll("/home/user/proj", join(removed, folder)).replaceAll(shapeIdOf(105), shapeIdOf(n));
    await writeFile(
      join(home, "sessions", "2026", "12", "05", `rollout-2026-12-05T18-01-0${n - 100}-${shapeIdOf(n)}.jsonl`),
      text,
    );
  }
  // the same session read while its second script runs: the log up to that script's yielded output
  const log = await readFile(join(SHAPES, "code-mode-script-failed.jsonl"), "utf8");
  const lines = log.split("\n");
  const yielded = lines.findIndex((line) => line.includes("Script running with cell ID 2"));
  expect(yielded).toBeGreaterThan(0);
  const live = lines
    .slice(0, yielded + 1)
    .join("\n")
    .replaceAll(shapeIdOf(103), shapeIdOf(104));
  await writeFile(
    join(home, "sessions", "2026", "12", "05", `rollout-2026-12-05T18-00-09-${shapeIdOf(104)}.jsonl`),
    `${live}\n`,
  );
});

/** The built CLI run from `cwd` with CODEX_HOME as given (as a person types it). */
async function cli(
  cwd: string,
  codexHome: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", CODEX_HOME: codexHome, CODEX_CONTROL_STATE_DIR: join(dirname(home), "state") },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe("a relative CODEX_HOME is Codex's: resolved against the current folder (codex-rs canonicalizes it)", () => {
  it("calls of a file folded whole (code mode, forks, sub-agents) found it again by its relative path", async () => {
    // before: `"ccm-shapes-s10-…/sessions/…" is not a session id`, exit 1 (the fold re-read the file by its path)
    const result = await cli(dirname(home), basename(home), ["calls", shapeIdOf(102), "--json"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout) as { session_id: string; path: string; total_calls: number };
    expect(answer.session_id).toBe("0199aaaa-0000-7000-8000-000000000007");
    expect(answer.path).toBe(
      join(home, "sessions", "2026", "12", "05", `rollout-2026-12-05T18-00-01-${shapeIdOf(102)}.jsonl`),
    );
    expect(answer.total_calls).toBe(3);
  });

  it("the printed next step names the home absolutely: it works pasted from any folder", async () => {
    const result = await cli(dirname(home), basename(home), ["summary", shapeIdOf(101), "--json"]);
    const summary = JSON.parse(result.stdout) as { path: string; diagnosis: { next_command: string } };
    expect(summary.path.startsWith(`${home}/`)).toBe(true);
    expect(summary.diagnosis.next_command.startsWith(`CODEX_HOME=${home} codex exec `)).toBe(true);
  });
});

interface CallView {
  name: string;
  status: string;
  exit_code: number | null;
  duration_ms: number | null;
}

describe("code mode (0.171, `--enable code_mode`): a script that failed failed its `exec` call", () => {
  // made with the real CLI: one script throws after a command exits 5; one yields (cell 2), then throws, which
  // only the `wait` on cell 2 reports ("Script failed")
  it("its `exec` says `Script failed`, or the `wait` that saw it end does; the wait itself only read", async () => {
    const result = await cli(dirname(home), home, ["calls", shapeIdOf(103), "--json"]);
    const { calls } = JSON.parse(result.stdout) as { calls: CallView[] };
    // before: exec completed (no duration), exec completed (no duration), wait completed (no duration)
    expect(calls.map((call) => [call.name, call.status, call.exit_code, call.duration_ms])).toEqual([
      ["exec", "failed", null, 100],
      ["exec_command", "failed", 5, 0],
      ["exec", "failed", null, 300],
      ["wait", "completed", null, 700],
      ["exec_command", "completed", 0, 855],
    ]);
  });

  it("session_summary counts both scripts as failed calls; the turn ended on a failed script", async () => {
    const result = await cli(dirname(home), home, ["summary", shapeIdOf(103), "--json"]);
    const summary = JSON.parse(result.stdout) as {
      counts: { function_calls: number; failed_calls: number };
      diagnosis: { category: string; evidence: string[] };
    };
    // before: 1 failed (the command that exited 5), and `completed` ("Nothing to repair"): the last call listed
    // is the script's command that exited 0, reported after the wait that saw the script fail
    expect(summary.counts).toMatchObject({ function_calls: 5, failed_calls: 3 });
    expect(summary.diagnosis.category).toBe("command_failures");
    expect(summary.diagnosis.evidence[0]).toBe("turn 1 completed, but its last command failed");
  });

  it("a script that yielded, in a session still going, is running (no `wait` has seen it end)", async () => {
    const result = await cli(dirname(home), home, ["calls", shapeIdOf(104), "--json"]);
    const { calls } = JSON.parse(result.stdout) as { calls: CallView[] };
    // before: the yielded exec completed
    expect(calls.map((call) => [call.name, call.status, call.duration_ms])).toEqual([
      ["exec", "failed", 100],
      ["exec_command", "failed", 0],
      ["exec", "running", 300],
    ]);
  });
});

describe("code mode, interrupted (Ctrl-C) while a script's command runs", () => {
  // made with the real CLI: the script ran `sleep 20; echo late`; SIGINT after 4 s. The exec's output
  // ("aborted by user after 2.8s") and the turn's end come before the killed command's item
  it("the killed command is the script's call, listed after its exec", async () => {
    const result = await cli(dirname(home), home, ["calls", shapeIdOf(108), "--json"]);
    const { calls } = JSON.parse(result.stdout) as { calls: Array<CallView & { parent_call_id: string | null }> };
    // before: only the exec (the command's item came after the exec had ended, and was dropped)
    expect(
      calls.map((call) => [call.name, call.status, call.exit_code, call.duration_ms, call.parent_call_id]),
    ).toEqual([
      ["exec", "interrupted", null, null, null],
      ["exec_command", "interrupted", -1, 2628, "call_exec"],
    ]);
  });
});

describe("code mode: a script the model stopped (`wait` with `terminate: true`)", () => {
  // made with the real CLI: the script yielded (cell 1) while `sleep 5; echo late` ran; the wait answered
  // "Script terminated", and the killed command's item came after it
  it("its exec did not complete; the killed command is its call", async () => {
    const result = await cli(dirname(home), home, ["calls", shapeIdOf(109), "--json"]);
    const { calls } = JSON.parse(result.stdout) as { calls: Array<CallView & { parent_call_id: string | null }> };
    // before: exec completed, wait completed, and no command
    expect(calls.map((call) => [call.name, call.status, call.exit_code, call.parent_call_id])).toEqual([
      ["exec", "failed", null, null],
      ["wait", "completed", null, null],
      ["exec_command", "failed", -1, "call_exec"],
    ]);
  });
});

describe("a unified-exec command's own output is not Codex's header", () => {
  // made with the real CLI: `echo 'step 1 finished, exit code: 7 (retrying)'; sleep 2; echo ok` yielded after
  // 500 ms; the log read while it still runs (the poll that saw it exit 0 not written yet)
  it("an apply_patch run through exec_command keeps its exit: the shell's header inside unified exec's", async () => {
    // made with the real CLI: `apply_patch <<'EOF' … EOF` as exec_command, answered
    // "Wall time: 0.0000 seconds\nOutput:\nExit code: 0\nWall time: 0 seconds\nOutput:\nSuccess. …"
    const result = await cli(dirname(home), home, ["calls", shapeIdOf(110), "--json"]);
    const { calls } = JSON.parse(result.stdout) as { calls: CallView[] };
    expect(calls.map((call) => [call.status, call.exit_code])).toEqual([
      ["completed", 0],
      ["failed", null],
    ]);
  });

  it("a command still running whose output prints `exit code: 7` is running, not failed with 7", async () => {
    const calls = await cli(dirname(home), home, ["calls", shapeIdOf(105), "--json"]);
    const view = (JSON.parse(calls.stdout) as { calls: CallView[] }).calls;
    // before: failed, exit 7
    expect(view.map((call) => [call.name, call.status, call.exit_code, call.duration_ms])).toEqual([
      ["exec_command", "running", null, 501],
    ]);
    const result = await cli(dirname(home), home, ["summary", shapeIdOf(105), "--json"]);
    const summary = JSON.parse(result.stdout) as {
      counts: { failed_calls: number };
      diagnosis: { category: string; evidence: string[] };
    };
    expect(summary.counts.failed_calls).toBe(0);
    expect(summary.diagnosis.category).toBe("interrupted");
    expect(summary.diagnosis.evidence).toEqual([
      "turn 1 has no end: the run was killed, crashed, or is still running",
      `the last call, "echo 'step 1 finished, exit code: 7 (retrying)'; sleep 2; echo ok", was still running`,
    ]);
  });
});

describe("a session whose folder was removed: its printed command cannot run there", () => {
  interface Summary {
    diagnosis: { category: string; evidence: string[]; next_step: string; next_command: string | null };
  }
  const summaryOf = async (n: number) =>
    JSON.parse((await cli(dirname(home), home, ["summary", shapeIdOf(n), "--json"])).stdout) as Summary;

  it("0.171 stops at once on `--cd` of a missing folder (what main's next_command did)", async () => {
    const folder = join(removed, "proj");
    const command = [PINNED_CODEX, "exec", "--cd", folder, "resume", shapeIdOf(106), "Continue where you left off."];
    const result = await promisify(execFile)(process.execPath, command, { env: codexEnv(home) }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("No such file or directory (os error 2)");
  });

  it("the step says the folder is gone and what to do; nothing is offered to paste", async () => {
    const folder = join(removed, "proj");
    const { diagnosis } = await summaryOf(106);
    expect(diagnosis.category).toBe("interrupted");
    // before: the resume command with `--cd <the missing folder>`, and no word of it
    expect(diagnosis.next_command).toBeNull();
    expect(diagnosis.evidence.at(-1)).toBe(`the session's folder "${folder}" does not exist here`);
    expect(diagnosis.next_step).toBe(
      `If no Codex process is still running this session, resume it: CODEX_HOME=${home} codex exec --cd ${folder} --dangerously-bypass-approvals-and-sandbox --model mock-model resume ${shapeIdOf(106)} 'Continue where you left off.' — but the session's folder "${folder}" does not exist here, so that command stops at once ("No such file or directory"). Put the folder back first (a removed git worktree: \`git worktree add ${folder} <branch>\`), or run the command with \`--cd\` naming a folder that exists (the conversation comes along, not the files it worked on).`,
    );
  });

  it("a folder that is there, or one of another machine (its parent missing too), keeps the command", async () => {
    expect((await summaryOf(107)).diagnosis.next_command).toBe(
      `CODEX_HOME=${home} codex exec --cd ${join(removed, "there")} --dangerously-bypass-approvals-and-sandbox --model mock-model resume ${shapeIdOf(107)} 'Continue where you left off.'`,
    );
    expect((await summaryOf(105)).diagnosis.next_command).toBe(
      `CODEX_HOME=${home} codex exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox --model mock-model resume ${shapeIdOf(105)} 'Continue where you left off.'`,
    );
  });
});
