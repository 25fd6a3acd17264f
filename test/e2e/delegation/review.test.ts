// review_changes driving the real pinned Codex CLI (`codex exec review`) against the fake model, whose
// reviewer answers the findings each test scripts; the findings are read back from the session log.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../../../src/runs/run-manager.js";
import { RunLedger } from "../../../src/contract/index.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { DEFAULT_REVIEW, startFakeModel, type FakeModel, type ReviewAnswer } from "../../support/fake-model.js";
import { connect, testConfig, textOf, type Connected } from "../../support/mcp.js";
import { gitIn } from "../../support/git.js";

let model: FakeModel;
let home: string;
let repo: string;
let mcp: Connected;
let firstSha: string;

const git = (...args: string[]) => gitIn(repo)(...args);

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir: repo } = await makeCodexHome(model.url, "review"));
  git("init", "-q", "-b", "main");
  await writeFile(join(repo, "a.js"), "export const one = 1;\n");
  git("add", ".");
  git("commit", "-qm", "first");
  firstSha = git("rev-parse", "HEAD");
  git("checkout", "-qb", "feature");
  await writeFile(join(repo, "a.js"), "export const one = 2;\n");
  git("commit", "-qam", "second");
  await writeFile(join(repo, "b.js"), "export const two = 1 +;\n");
  mcp = await connect(testConfig({ codexHome: home, codexBin: PINNED_CODEX, childEnv: codexEnv(home) }));
});
afterAll(async () => {
  await mcp.close();
  await model.close();
});

const FINDINGS: ReviewAnswer = {
  findings: [
    {
      title: "[P1] Syntax error in b.js",
      body: "`1 +` has no right operand, so the module fails to load.",
      confidence_score: 0.9,
      priority: 1,
      code_location: { absolute_file_path: "/repo/b.js", line_range: { start: 1, end: 1 } },
    },
    {
      title: "[P3] Changed constant",
      body: "`one` is now 2.",
      confidence_score: 0.4,
      priority: 3,
      code_location: { absolute_file_path: "/repo/a.js", line_range: { start: 1, end: 2 } },
    },
  ],
  overall_correctness: "patch is incorrect",
  overall_explanation: "b.js does not parse.",
  overall_confidence_score: 0.8,
};

const EXPECTED_REVIEW = {
  findings: [
    {
      title: "[P1] Syntax error in b.js",
      body: "`1 +` has no right operand, so the module fails to load.",
      file: "/repo/b.js",
      line_start: 1,
      line_end: 1,
      priority: 1,
      confidence: 0.9,
    },
    {
      title: "[P3] Changed constant",
      body: "`one` is now 2.",
      file: "/repo/a.js",
      line_start: 1,
      line_end: 2,
      priority: 3,
      confidence: 0.4,
    },
  ],
  verdict: "patch is incorrect",
  explanation: "b.js does not parse.",
  confidence: 0.8,
};

async function review(args: Record<string, unknown>): Promise<{ view: RunView; text: string }> {
  const result = await mcp.call("review_changes", { cwd: repo, ...args });
  expect(result.isError, textOf(result)).toBeFalsy();
  return { view: result.structuredContent as unknown as RunView, text: textOf(result) };
}

async function argvOf(runId: string): Promise<string[]> {
  return (await new RunLedger(mcp.config.runner.stateDir).find(runId))?.start.argv.slice(1) ?? [];
}

describe("review_changes with the real Codex CLI", () => {
  it("reviews the uncommitted changes and answers the findings from the session log", async () => {
    model.review = FINDINGS;
    const { view, text } = await review({ uncommitted: true });
    expect(view).toMatchObject({
      status: "completed",
      task: "review",
      mode: "read-only",
      cwd: repo,
      review: EXPECTED_REVIEW,
    });
    const argv = await argvOf(view.run_id);
    expect(argv.filter((arg) => !arg.startsWith("--output-last-message="))).toEqual([
      "exec",
      "--json",
      `--cd=${repo}`,
      "--sandbox=read-only",
      "review",
      "--uncommitted",
    ]);
    expect(text).toContain("Review: patch is incorrect (confidence 0.8) · 2 findings");
    expect(text).toContain(
      "1. “[P1] Syntax error in b.js” · /repo/b.js:1 (P1, confidence 0.9): “`1 +` has no right operand, so the module fails to load.”",
    );
    expect(text).toContain("2. “[P3] Changed constant” · /repo/a.js:1-2 (P3, confidence 0.4): “`one` is now 2.”");
    // run_status answers the same review
    const status = (await mcp.call("run_status", { run_id: view.run_id })).structuredContent as unknown as RunView;
    expect(status.review).toEqual(EXPECTED_REVIEW);
  });

  it("reviews against a base branch, and a commit with a title", async () => {
    model.review = { ...DEFAULT_REVIEW, overall_explanation: "Looks right." };
    const base = await review({ base: "main" });
    expect(base.view.review).toEqual({
      findings: [],
      verdict: "patch is correct",
      explanation: "Looks right.",
      confidence: 0.5,
    });
    expect((await argvOf(base.view.run_id)).slice(-2)).toEqual(["review", "--base=main"]);

    model.review = FINDINGS;
    const commit = await review({ commit: firstSha, title: "first\n--output=/etc/x" });
    expect(commit.view.review).toEqual(EXPECTED_REVIEW);
    // the title is data: one argv entry, newline and all
    expect((await argvOf(commit.view.run_id)).slice(-3)).toEqual([
      "review",
      `--commit=${firstSha}`,
      "--title=first\n--output=/etc/x",
    ]);
  });

  it("adapts a prompt with a scope (Codex 0.169 refuses the pair) into a custom review prompt on stdin", async () => {
    model.review = FINDINGS;
    const before = model.requests.length;
    const { view } = await review({ base: "main", prompt: "Focus on b.js." });
    expect(view).toMatchObject({ status: "completed", review: EXPECTED_REVIEW });
    expect((await argvOf(view.run_id)).slice(-2)).toEqual(["review", "-"]);
    const sent = JSON.stringify(model.requests.slice(before));
    expect(sent).toContain("Review the code changes against the base branch 'main'");
    expect(sent).toContain("Focus on b.js.");
  });

  it("reviews on `codex exec` on a server whose runs default to the app-server engine", async () => {
    model.review = FINDINGS;
    const appServer = await connect(
      testConfig({ codexHome: home, codexBin: PINNED_CODEX, childEnv: codexEnv(home), engine: "app-server" }),
    );
    try {
      const result = await appServer.call("review_changes", { cwd: repo, uncommitted: true });
      expect(result.isError, textOf(result)).toBeFalsy();
      const view = result.structuredContent as unknown as RunView;
      expect(view).toMatchObject({ status: "completed", task: "review", engine: "exec", review: EXPECTED_REVIEW });
      const ledger = await new RunLedger(appServer.config.runner.stateDir).find(view.run_id);
      expect(ledger?.start.argv.slice(1, 3)).toEqual(["exec", "--json"]);
    } finally {
      await appServer.close();
    }
  });

  it("refuses hostile or ambiguous scopes before Codex runs", async () => {
    const before = model.requests.length;
    const refused = async (args: Record<string, unknown>) => {
      const result = await mcp.call("review_changes", { cwd: repo, ...args });
      expect(result.isError).toBe(true);
      return textOf(result);
    };
    expect(await refused({ base: "--output=/etc/x" })).toBe(
      'base branch "--output=/etc/x" starts with "-", which Codex and git would read as an option. Pass the name of a local branch, e.g. "main".',
    );
    expect(await refused({ base: "main..evil" })).toContain('holds "..", "@{" or "//"');
    expect(await refused({ base: "a b" })).toContain("holds a space, control character");
    expect(await refused({ commit: "abc 123" })).toBe(
      'commit "abc 123" is not a commit sha (4 to 64 hex digits). Pass the sha, e.g. from `git rev-parse HEAD`.',
    );
    expect(await refused({ commit: "--all" })).toContain("is not a commit sha");
    expect(await refused({})).toBe(
      'review_changes needs exactly one scope, got 0: pass uncommitted: true, base: "<branch>" or commit: "<sha>".',
    );
    expect(await refused({ uncommitted: true, base: "main" })).toContain("exactly one scope, got 2");
    expect(await refused({ uncommitted: true, cwd: "/" })).toContain("cwd / is the root directory");
    expect(model.requests.length).toBe(before);
  });
});

describe("codex-control-mcp review (the CLI)", () => {
  // asynchronously: the fake model answers from this process
  const cli = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        "node",
        [join(import.meta.dirname, "..", "..", "..", "dist", "cli.js"), "review", ...args],
        {
          env: {
            ...codexEnv(home),
            CODEX_BIN: PINNED_CODEX,
            CODEX_CONTROL_STATE_DIR: mcp.config.runner.stateDir,
            ...env,
          },
        },
        (error, stdout, stderr) => resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr }),
      );
    });

  it("prints the findings and exits 4 on a patch the reviewer finds incorrect", async () => {
    model.review = FINDINGS;
    const result = await cli(["--uncommitted", "--cwd", repo]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(4);
    expect(result.stdout).toContain("Review: patch is incorrect (confidence 0.8) · 2 findings");
  });

  it("reviews on `codex exec` where CODEX_CONTROL_ENGINE makes app-server the default", async () => {
    model.review = FINDINGS;
    const result = await cli(["--uncommitted", "--cwd", repo], { CODEX_CONTROL_ENGINE: "app-server" });
    // before: refused, "not available with engine app-server"
    expect([result.stderr, result.code]).toEqual(["", 4]);
  });

  it("refuses a hostile base branch with usage exit 2 before Codex runs", async () => {
    const result = await cli(["--base=--output=/etc/x", "--cwd", repo]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('codex-control-mcp: base branch "--output=/etc/x" starts with "-"');
  });
});
