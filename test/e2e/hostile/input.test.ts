// Hostile or wrong input: every call gets an answer that names the fix, nothing is let in, and the
// server keeps working. Runs use a stub `codex` that records its stdin, argv and environment.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, realpath, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunLedger } from "../../../src/contract/index.js";
import { loadConfig } from "../../../src/config/config.js";
import { copyFixtureHome, type Fixture } from "../../support/fixtures.js";
import { connect, testConfig, textOf, type Connected } from "../../support/mcp.js";
import { QUICK_SUCCESS, stubCodex } from "../../support/stub-codex.js";
import { registeredToolNames } from "../../support/tool-registry.js";

let home: string;
let fixtures: Fixture[];
let work: string;
let stub: string;
let mcp: Connected;

beforeAll(async () => {
  ({ home, fixtures } = await copyFixtureHome());
  work = await realpath(await mkdtemp(join(tmpdir(), "ccm-hostile-")));
  stub = await stubCodex(
    `env > "$(dirname "$STDIN_FILE")/env.txt"; printf '%s\\n' "$@" > "$(dirname "$STDIN_FILE")/argv.txt"; ${QUICK_SUCCESS}`,
  );
  // the operator allowed one odd key, so the quoting of an array value can be seen in argv
  mcp = await connect(
    testConfig({
      codexHome: home,
      codexBin: stub,
      allowConfigKeys: ["a.b_c-d"],
      childEnv: { ...process.env, STDIN_FILE: join(work, "stdin.txt"), SECRET_TOKEN: "s3cret" },
    }),
  );
});
afterAll(async () => mcp.close());

const okAfterwards = async () => {
  const result = await mcp.call("list_sessions", { limit: 1 });
  expect(result.isError).toBeFalsy();
};

describe("session ids and tool arguments", () => {
  it.each([
    ["..", /^".." is not a session id/],
    ["../../../etc/passwd", /^"..\/..\/..\/etc\/passwd" is not a session id/],
    ["abc\u0000def", /is not a session id/],
    ["/etc/passwd", /^\/etc\/passwd is outside CODEX_HOME/],
    ["/etc/passwd\u0000.jsonl", /^\/etc\/passwd\\u0000\.jsonl is outside CODEX_HOME/],
    ["x".repeat(5000), /session_id/],
    ["   ", /^session_id is empty/],
  ])("session_id %j is refused with the fix", async (ref, message) => {
    for (const tool of ["session_summary", "last_function_calls", "token_usage"]) {
      const result = await mcp.call(tool, { session_id: ref });
      expect([tool, result.isError]).toEqual([tool, true]);
      expect(textOf(result)).toMatch(message);
    }
    await okAfterwards();
  });

  it("a 10 MB string, wrong types and huge limits are validation errors, not crashes", async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ["session_summary", { session_id: "a".repeat(10 * 1024 * 1024) }],
      ["session_summary", { session_id: { $ne: null } }],
      ["session_summary", { session_id: ["last"] }],
      ["session_summary", {}],
      ["last_function_calls", { session_id: "last", limit: 1e9 }],
      ["last_function_calls", { session_id: "last", limit: -1 }],
      ["last_function_calls", { session_id: "last", max_output_chars: "all" }],
      ["list_sessions", { limit: Number.MAX_SAFE_INTEGER }],
      ["run_codex", { prompt: "x" }],
      ["run_codex", { prompt: "", cwd: work }],
      ["run_codex", { prompt: "x", cwd: work, mode: "yolo" }],
      ["run_status", { wait_ms: 3_600_000 }],
    ];
    for (const [tool, args] of cases) {
      const result = await mcp.call(tool, args);
      expect([tool, JSON.stringify(args).slice(0, 60), result.isError]).toEqual([
        tool,
        JSON.stringify(args).slice(0, 60),
        true,
      ]);
      expect(textOf(result)).toMatch(/Input validation error/);
    }
    await okAfterwards();
  });
});

describe("prompts and config reach Codex as data, never as flags or shell", () => {
  it("a prompt with a leading dash, quotes, $(), backticks, newlines and odd unicode arrives byte for byte on stdin", async () => {
    const marker = join(work, "pwned");
    const prompt = `--dangerously-bypass-approvals-and-sandbox "quoted" 'single' $(touch ${marker}) \`touch ${marker}\`\nsecond line\n\u0000nul \u{1F600} \uFFFD`;
    const view = (await mcp.call("run_codex", { prompt, cwd: work })).structuredContent as {
      status: string;
      run_id: string;
    };
    expect(view.status).toBe("completed");
    expect(await readFile(join(work, "stdin.txt"), "utf8")).toBe(prompt);
    expect(existsSync(marker)).toBe(false);
    const argv = (await readFile(join(work, "argv.txt"), "utf8")).trimEnd().split("\n");
    expect(argv).toEqual([
      "exec",
      "--json",
      `--cd=${work}`,
      "--sandbox=workspace-write",
      "--config=sandbox_workspace_write.exclude_slash_tmp=true",
      "--config=sandbox_workspace_write.exclude_tmpdir_env_var=true",
      expect.stringMatching(/^--output-last-message=/),
      "-",
    ]);
  });

  it("config values are single argv entries; keys that look like flags are refused", async () => {
    const view = (
      await mcp.call("run_codex", {
        prompt: "x",
        cwd: work,
        config: { model: "m --dangerously-bypass-approvals-and-sandbox", "a.b_c-d": [1, "two"] },
      })
    ).structuredContent as { run_id: string };
    const start = (await new RunLedger(mcp.config.runner.stateDir).find(view.run_id))?.start;
    expect(start?.argv).toContain('--config=model="m --dangerously-bypass-approvals-and-sandbox"');
    expect(start?.argv).toContain('--config=a.b_c-d=[1, "two"]');
    expect(start?.argv).not.toContain("--dangerously-bypass-approvals-and-sandbox");
    for (const key of ["--yolo", "-c", "a=b", "x y", "a..b", ".a"]) {
      const result = await mcp.call("run_codex", { prompt: "x", cwd: work, config: { [key]: true } });
      expect([key, textOf(result)]).toEqual([
        key,
        `config key ${JSON.stringify(key)} is not a dotted config path (letters, digits, _ and -, joined by dots).`,
      ]);
    }
  });

  it("a cwd that is a file, missing, relative, or a symlink to elsewhere is checked after resolving it", async () => {
    const elsewhere = await realpath(await mkdtemp(join(tmpdir(), "ccm-elsewhere-")));
    const link = join(work, "link-to-elsewhere");
    await symlink(elsewhere, link);
    const view = (await mcp.call("run_codex", { prompt: "x", cwd: link })).structuredContent as { cwd: string };
    expect(view.cwd).toBe(elsewhere);
  });
});

describe("operator policy", () => {
  it("--allowed-root confines runs' cwd, images and explicit rollout paths, symlinks resolved", async () => {
    const inside = join(work, "allowed");
    await mkdir(inside, { recursive: true });
    const outside = await realpath(await mkdtemp(join(tmpdir(), "ccm-outside-")));
    await symlink(outside, join(inside, "escape"));
    const config = loadConfig(["--allowed-root", inside, "--codex-bin", stub], { ...process.env, CODEX_HOME: home });
    const confined = await connect(
      testConfig({
        codexHome: home,
        codexBin: stub,
        allowedRoots: config.runner.allowedRoots,
        childEnv: { ...process.env, STDIN_FILE: join(work, "stdin.txt") },
      }),
    );
    try {
      expect(
        ((await confined.call("run_codex", { prompt: "x", cwd: inside })).structuredContent as { status: string })
          .status,
      ).toBe("completed");
      expect(textOf(await confined.call("run_codex", { prompt: "x", cwd: outside }))).toBe(
        `cwd ${outside} is outside the allowed roots of this server (${inside}); the operator sets them with --allowed-root.`,
      );
      expect(textOf(await confined.call("run_codex", { prompt: "x", cwd: join(inside, "escape") }))).toBe(
        `cwd ${outside} is outside the allowed roots of this server (${inside}); the operator sets them with --allowed-root.`,
      );
      const image = join(outside, "a.png");
      await writeFile(image, "png");
      expect(textOf(await confined.call("run_codex", { prompt: "x", cwd: inside, images: [image] }))).toMatch(
        /^image .*a\.png is outside the allowed roots/,
      );
      const rollout = fixtures[0]?.path ?? "";
      expect(textOf(await confined.call("session_summary", { session_id: rollout }))).toBe(
        `${rollout} is outside the allowed roots of this server (${inside}): pass a session id instead.`,
      );
      expect((await confined.call("session_summary", { session_id: fixtures[0]?.session_id })).isError).toBeFalsy();
    } finally {
      await confined.close();
    }
  });

  it("--read-only offers no tool that starts or stops Codex", async () => {
    const config = loadConfig(["--read-only"], { ...process.env, CODEX_HOME: home });
    const readOnly = await connect({ ...config, runner: { ...config.runner, stateDir: work } });
    try {
      const names = (await readOnly.client.listTools()).tools.map((tool) => tool.name);
      expect(names).toEqual(registeredToolNames({ readOnly: true }));
      for (const delegating of ["run_codex", "resume_session", "cancel_run"]) expect(names).not.toContain(delegating);
      const refused = await readOnly.call("run_codex", { prompt: "x", cwd: work });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toBe(
        `There is no tool "run_codex" on this server: its tools are ${registeredToolNames({ readOnly: true }).join(", ")}. This server is read-only (--read-only): it starts and stops no Codex runs.`,
      );
    } finally {
      await readOnly.close();
    }
  });

  it("--env-allow hands Codex only the allowed variables plus the base set; by default it inherits", async () => {
    await mcp.call("run_codex", { prompt: "x", cwd: work });
    const inherited = await readFile(join(work, "env.txt"), "utf8");
    expect(inherited).toContain("SECRET_TOKEN=s3cret");
    expect(inherited).toMatch(/^CODEX_CONTROL_MCP_RUN=run_/m);
    expect(inherited).toMatch(/^CODEX_CONTROL_MCP_DEPTH=1$/m);

    const config = loadConfig(["--env-allow", "STDIN_FILE", "--env-allow", "CODEX_API_KEY"], {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CODEX_HOME: home,
      STDIN_FILE: join(work, "stdin.txt"),
      SECRET_TOKEN: "s3cret",
      CODEX_API_KEY: "sk-allowed",
    });
    const narrow = await connect({
      ...config,
      runner: { ...config.runner, codexBin: stub, stateDir: await mkdtemp(join(tmpdir(), "ccm-state2-")) },
    });
    try {
      await narrow.call("run_codex", { prompt: "x", cwd: work });
      const env = (await readFile(join(work, "env.txt"), "utf8")).split("\n").map((line) => line.split("=")[0]);
      expect(env).toContain("CODEX_API_KEY");
      expect(env).toContain("CODEX_HOME");
      expect(env).toContain("PATH");
      expect(env).not.toContain("SECRET_TOKEN");
    } finally {
      await narrow.close();
    }
  });
});
