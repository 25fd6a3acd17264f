// worktree: true with the real Codex CLI: two writers in one repository at once, each in the worktree Codex
// made for it; the result names the worktree; resume_session continues there.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../../../src/runs/run-manager.js";
import { RunLedger } from "../../../src/contract/index.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { connect, testConfig, textOf, type Connected } from "../../support/mcp.js";
import { gitIn } from "../../support/git.js";
import { pasted, withPrompt } from "../../support/pasted.js";

let model: FakeModel;
let home: string;
let repo: string;
let mcp: Connected;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir: repo } = await makeCodexHome(model.url, "worktree"));
  const git = gitIn(repo);
  git("init", "-q", "-b", "main");
  await writeFile(join(repo, "a.txt"), "one\n");
  git("add", ".");
  git("commit", "-qm", "first");
  mcp = await connect(
    testConfig({
      codexHome: home,
      codexBin: PINNED_CODEX,
      childEnv: codexEnv(home),
      allowedRoots: [await realpath(join(repo, ".."))],
    }),
  );
});
afterAll(async () => {
  await mcp.close();
  await model.close();
});

const worktreeRun = async (args: Record<string, unknown>): Promise<RunView> => {
  const result = await mcp.call("run_codex", { cwd: repo, worktree: true, ...args });
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as unknown as RunView;
};

describe("worktree: true with the real Codex CLI", () => {
  it("runs two writers in one repository at once, each in a worktree of its own, and resumes in it", async () => {
    model.delayMs = 300;
    const [first, second] = await Promise.all([
      worktreeRun({ prompt: "please RUN:touch first.txt" }),
      worktreeRun({ prompt: "please RUN:touch second.txt" }),
    ]);
    model.delayMs = 0;
    for (const [view, file] of [
      [first, "first.txt"],
      [second, "second.txt"],
    ] as const) {
      // a failure names Codex's own words (one CI run saw a run fail here, and it has not come back since)
      expect(view, `${view.error ?? ""}\n${view.stderr_tail}`).toMatchObject({
        status: "completed",
        mode: "sandboxed",
        cwd: repo,
        effective: { mismatch: false },
      });
      expect(view.worktree?.path).toMatch(new RegExp(`^${home}/worktrees/[^/]+/proj$`));
      expect(view.worktree?.branch).toBeNull(); // Codex makes it detached
      expect(view.effective?.cwd).toBe(view.worktree?.path);
      expect(existsSync(join(view.worktree?.path ?? "", file))).toBe(true);
      expect(existsSync(join(repo, file))).toBe(false);
      expect((await new RunLedger(mcp.config.runner.stateDir).find(view.run_id))?.start.argv).toContain("--worktree");
    }
    expect(first.worktree?.path).not.toBe(second.worktree?.path);
    // the runs overlapped: the second did not wait for the first to release the directory
    expect(Date.parse(second.started_at)).toBeLessThan(Date.parse(first.ended_at ?? ""));

    const resumed = (
      await mcp.call("resume_session", { session_id: first.session_id, prompt: "please RUN:touch third.txt" })
    ).structuredContent as unknown as RunView;
    expect(resumed).toMatchObject({ status: "completed", cwd: first.worktree?.path, worktree: first.worktree });
    expect(existsSync(join(first.worktree?.path ?? "", "third.txt"))).toBe(true);

    // a server whose state dir has no run of that session does not resume inside CODEX_HOME
    const stranger = await connect(testConfig({ codexHome: home, codexBin: PINNED_CODEX, childEnv: codexEnv(home) }));
    try {
      const refused = await stranger.call("resume_session", {
        session_id: first.session_id,
        prompt: "please RUN:touch fourth.txt",
      });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toMatch(new RegExp(`^cwd ${first.worktree?.path} is inside CODEX_HOME`));
    } finally {
      await stranger.close();
    }
  });

  it("prints a resume command that goes on in the run's worktree, not in the repository", async () => {
    const view = await worktreeRun({ prompt: "please RUN:touch printed.txt" });
    const worktree = view.worktree?.path ?? "";
    expect(worktree).toMatch(new RegExp(`^${home}/worktrees/[^/]+/proj$`));
    expect(view.resume_command).toBe(
      `CODEX_HOME=${home} ${PINNED_CODEX} exec --cd ${worktree} --sandbox workspace-write -c sandbox_workspace_write.exclude_slash_tmp=true -c sandbox_workspace_write.exclude_tmpdir_env_var=true resume ${view.session_id} 'Continue where you left off.'`,
    );
    // pasted as printed, with a prompt of the person's own: the session writes in its worktree
    const { code, stderr } = await pasted(
      withPrompt(view.resume_command ?? "", "please RUN:touch pasted.txt"),
      codexEnv(home),
    );
    expect(code, stderr).toBe(0);
    expect(existsSync(join(worktree, "pasted.txt"))).toBe(true);
    expect(existsSync(join(repo, "pasted.txt"))).toBe(false);
  });

  it("worktree runs take turns in a repository, in a server and across the servers of a state dir; others race in git", async () => {
    // git fails a `worktree add` while another runs in the same repository (its admin folder is named after the
    // checkout, and Codex names every checkout after the repository): this git does so whenever two overlap,
    // each add held 4 s so that runs started together overlap even on a loaded machine
    const bin = await mkdtemp(join(tmpdir(), "ccm-git-"));
    const realGit = execFileSync("sh", ["-c", "command -v git"]).toString().trim();
    const adding = join(bin, "adding");
    await writeFile(
      join(bin, "git"),
      [
        "#!/bin/sh",
        'case " $* " in *" worktree add "*)',
        `  if mkdir "${adding}" 2>/dev/null; then sleep 4; "${realGit}" "$@"; s=$?; rmdir "${adding}"; exit $s; fi`,
        '  echo "fatal: failed to read .git/worktrees/proj/commondir: Success" >&2; exit 128;;',
        "esac",
        `exec "${realGit}" "$@"`,
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const stateDir = await mkdtemp(join(tmpdir(), "ccm-state-"));
    // RUST_BACKTRACE=1, as many shells and CIs set it: Codex then ends its error with a stack backtrace
    const config = (shared?: string) =>
      testConfig({
        codexHome: home,
        codexBin: PINNED_CODEX,
        childEnv: { ...codexEnv(home), PATH: `${bin}:${codexEnv(home).PATH}`, RUST_BACKTRACE: "1" },
        allowedRoots: [repo],
        ...(shared !== undefined && { stateDir: shared }),
      });
    const run = (server: Connected, n: number) =>
      server
        .call("run_codex", { cwd: repo, worktree: true, prompt: `please RUN:touch turn${n}.txt` })
        .then((result) => result.structuredContent as unknown as RunView);
    const statuses = (views: RunView[]) => views.map((view) => [view.status, view.error]);
    const one = await connect(config(stateDir));
    const sameStateDir = await connect(config(stateDir));
    const otherStateDir = await connect(config());
    try {
      expect(statuses(await Promise.all([run(one, 1), run(one, 2)]))).toEqual([
        ["completed", null],
        ["completed", null],
      ]);
      expect(statuses(await Promise.all([run(one, 3), run(sameStateDir, 4)]))).toEqual([
        ["completed", null],
        ["completed", null],
      ]);
      // control: servers of two state dirs do not know of each other's runs, and git fails one of theirs; the
      // run's error is Codex's report, not the last frame of its backtrace
      const raced = await Promise.all([run(one, 5), run(otherStateDir, 6)]);
      expect(raced.map((view) => view.status).sort()).toEqual(["completed", "failed"]);
      const failed = raced.find((view) => view.status === "failed");
      expect(failed?.error).toBe(
        "codex exited with code 1: Error: cannot create managed worktree: git command failed: fatal: failed to read .git/worktrees/proj/commondir: Success",
      );
      expect(failed?.stderr_tail).toMatch(/Stack backtrace:\n\s+0: /);
    } finally {
      await one.close();
      await sameStateDir.close();
      await otherStateDir.close();
    }
  }, 120_000);

  it("refuses a worktree run outside the allowed roots", async () => {
    const elsewhere = await realpath(join(repo, "..", ".."));
    const outside = await mcp.call("run_codex", { cwd: elsewhere, worktree: true, prompt: "x" });
    expect(outside.isError).toBe(true);
    expect(textOf(outside)).toMatch(new RegExp(`^cwd ${elsewhere} is (not inside|outside)`));
  });
});
