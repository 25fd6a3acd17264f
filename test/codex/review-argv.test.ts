// The review and worktree parts of the argv, on plain arrays.
import { describe, expect, it } from "vitest";
import { buildExecArgv } from "../../src/codex/argv.js";
import { parseCapabilities } from "../../src/codex/capabilities.js";
import { refuseBranchName, reviewInvocation } from "../../src/codex/review-argv.js";

const REVIEW_HELP =
  "Usage: codex exec review [OPTIONS] [PROMPT]\n  --uncommitted\n  --base <BRANCH>\n  --commit <SHA>\n  --title <TITLE>\n";
const caps169 = parseCapabilities(
  "codex-cli 0.169.0",
  "--json --sandbox --worktree --approve-for-me\nCommands:\n  resume  Resume\n  review  Review\n",
  REVIEW_HELP,
);
const capsOld = parseCapabilities("codex-cli 0.40.0", "--json --sandbox\nCommands:\n  resume  Resume\n");

describe("review argv", () => {
  it("puts exec options before `review` and each value in its own --flag=value entry", () => {
    expect(
      buildExecArgv(
        { cwd: "/r", mode: "read-only", model: "m", review: { scope: { base: "main" }, title: "t -x" } },
        caps169,
      ),
    ).toEqual([
      "exec",
      "--json",
      "--cd=/r",
      "--sandbox=read-only",
      "--model=m",
      "review",
      "--base=main",
      "--title=t -x",
    ]);
    expect(reviewInvocation({ scope: { commit: "abcd1234" } }, caps169)).toEqual({
      args: ["--commit=abcd1234"],
      stdin: "",
    });
  });

  it("adapts extra instructions with a scope into a prompt on stdin", () => {
    const { args, stdin } = reviewInvocation({ scope: { uncommitted: true }, prompt: "look at auth" }, caps169);
    expect(args).toEqual(["-"]);
    expect(stdin).toBe(
      "Review the current code changes (staged, unstaged and untracked files) and provide prioritized findings.\n\nAdditional instructions from the requester:\nlook at auth",
    );
  });

  it("refuses what git would not take as a branch, and CLIs without review or worktrees", () => {
    for (const bad of [
      "-x",
      "a..b",
      "a b",
      "a~1",
      "a^",
      "a:b",
      "a?",
      "a*",
      "a[",
      "a\\b",
      "a@{1}",
      "a//b",
      ".a",
      "a/.b",
      "a.lock",
      "a/",
      "a.",
      "@",
      "a\nb",
      "",
    ]) {
      expect(refuseBranchName(bad), JSON.stringify(bad)).toBeDefined();
    }
    for (const good of ["main", "feature/x-1", "release/1.2", "a@b"])
      expect(refuseBranchName(good), good).toBeUndefined();
    expect(() => reviewInvocation({ scope: { uncommitted: true } }, capsOld)).toThrow(
      "Codex 0.40.0 has no `codex exec review`. Upgrade with",
    );
    expect(() => buildExecArgv({ cwd: "/r", mode: "sandboxed", worktree: true }, capsOld)).toThrow(
      "Codex 0.40.0 has no `exec --worktree`, needed for worktree: true",
    );
    expect(buildExecArgv({ cwd: "/r", mode: "sandboxed", worktree: true }, caps169)).toEqual([
      "exec",
      "--json",
      "--cd=/r",
      "--sandbox=workspace-write",
      "--worktree",
      "-",
    ]);
  });
});

describe("Codex worktree paths", () => {
  it("are <CODEX_HOME>/worktrees/<id>/<name> or below, nothing else", async () => {
    const { isCodexWorktreePath } = await import("../../src/codex/worktree.js");
    expect(isCodexWorktreePath("/h/worktrees/a1/proj", "/h")).toBe(true);
    expect(isCodexWorktreePath("/h/worktrees/a1/proj/sub", "/h")).toBe(true);
    // names that only begin with two dots are inside
    expect(isCodexWorktreePath("/h/worktrees/..a1/proj", "/h")).toBe(true);
    expect(isCodexWorktreePath("/h/worktrees/.../proj", "/h")).toBe(true);
    for (const path of [
      "/h/worktrees/a1",
      "/h/worktrees",
      "/h/config.toml",
      "/h/worktrees/../x/y",
      "/elsewhere/worktrees/a/b",
    ])
      expect(isCodexWorktreePath(path, "/h"), path).toBe(false);
  });
});
