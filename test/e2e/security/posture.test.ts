// doctor says what a server without --allowed-root lets a caller do, and how to narrow it.
import { chmod, mkdir, mkdtemp, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { connect, testConfig, textOf } from "../../support/mcp.js";

describe("doctor explains the posture", () => {
  it("warns when no --allowed-root is set, and not when one is", async () => {
    const home = await realpath(await mkdtemp(join(tmpdir(), "ccm-posture-")));
    const open = await connect(testConfig({ codexHome: home, codexBin: PINNED_CODEX }));
    const confined = await connect(testConfig({ codexHome: home, codexBin: PINNED_CODEX, allowedRoots: [home] }));
    try {
      const checks = (result: Awaited<ReturnType<typeof open.call>>) =>
        (
          result.structuredContent as {
            checks: Array<{ name: string; level: string; found: string; fix: string | null }>;
          }
        ).checks;
      const report = await open.call("doctor", {});
      expect(checks(report).find((check) => check.name === "allowed roots")).toEqual({
        name: "allowed roots",
        level: "warn",
        found:
          "no --allowed-root: a caller may run Codex in any directory this user can write (except /, the home directory itself, CODEX_HOME and the state dir) and attach any image this user can read",
        fix: "Start the server with --allowed-root DIR (repeatable) for the directories callers may work in, e.g. your projects folder.",
      });
      expect(textOf(report)).toContain("WARN  allowed roots");
      expect(checks(await confined.call("doctor", {})).map((check) => check.name)).not.toContain("allowed roots");
    } finally {
      await open.close();
      await confined.close();
    }
  });

  it("says what a sandboxed run could reach of the state dir and CODEX_HOME, and fails a writable root around them", async () => {
    const root = await realpath(await mkdtemp(join(tmpdir(), "ccm-reach-")));
    const home = join(root, "home");
    const stateDir = join(root, "state");
    await mkdir(home);
    await mkdir(stateDir, { mode: 0o700 });
    const checkOf = async (extra: Partial<Parameters<typeof testConfig>[0]> = {}) => {
      const mcp = await connect(testConfig({ codexHome: home, codexBin: PINNED_CODEX, stateDir, ...extra }));
      try {
        const checks = (
          (await mcp.call("doctor", {})).structuredContent as {
            checks: Array<{ name: string; level: string; found: string; fix: string | null }>;
          }
        ).checks;
        return checks.filter((check) => check.name === "sandbox reach" || check.name === "state dir");
      } finally {
        await mcp.close();
      }
    };
    // under /tmp (the test's temp root): covered by Codex's own switches, said as a warning
    const covered = await checkOf();
    expect(covered.map((check) => [check.name, check.level])).toEqual([["sandbox reach", "warn"]]);
    expect(covered[0]?.found).toContain(
      `the state dir ${stateDir} is under /tmp, which sandboxed runs could write: they run with sandbox_workspace_write.exclude_slash_tmp = true`,
    );
    // a writable root of the operator's config around the state dir: nothing covers it
    await writeFile(
      join(home, "config.toml"),
      `[sandbox_workspace_write]\nwritable_roots = [${JSON.stringify(root)}]\n`,
    );
    const uncovered = await checkOf();
    expect(uncovered.map((check) => [check.name, check.level])).toEqual([["sandbox reach", "fail"]]);
    // and a sandboxed run is refused before anything starts
    const project = join(root, "proj");
    await mkdir(project);
    const mcp = await connect(testConfig({ codexHome: home, codexBin: PINNED_CODEX, stateDir }));
    try {
      const refused = await mcp.call("run_codex", {
        cwd: project,
        prompt: "hi",
        mode: "sandboxed",
        skip_git_repo_check: true,
      });
      expect([refused.isError, textOf(refused)]).toEqual([
        true,
        `CODEX_HOME ${home} is inside the writable root ${root} of Codex's config (sandbox_workspace_write.writable_roots), so a sandboxed run could change what the next run executes. Remove that root, or move CODEX_HOME out of it (--state-dir, CODEX_HOME); read-only runs are still allowed.`,
      ]);
    } finally {
      await mcp.close();
    }
    // a state dir others can write: its records could be forged
    await writeFile(join(home, "config.toml"), "");
    await chmod(stateDir, 0o777);
    expect((await checkOf()).map((check) => [check.name, check.level])).toEqual([
      ["state dir", "fail"],
      ["sandbox reach", "warn"],
    ]);
  });
});
