// The built server under real clients no one here wrote: the MCP Inspector CLI, and the Codex CLI itself
// as the host (agent-to-agent: the host's model calls session_summary, and run_codex with and without env_vars).
import { execFile, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codexConfig, codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { copyFixtureHome, type Fixture } from "../../support/fixtures.js";
import { readmeArgv } from "../../support/host-programs.js";
import { README_COMMANDS } from "./readme-commands.js";
import { connect, testConfig, type Connected } from "../../support/mcp.js";
import { registeredToolNames } from "../../support/tool-registry.js";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "dist");
const CLI = join(DIST, "cli.js");
const INSPECTOR = join(
  dirname(createRequire(import.meta.url).resolve("@modelcontextprotocol/inspector-cli/package.json")),
  "build",
  "cli.js",
);

let fixtureHome: string;
/** Every spawned server gets its own state dir: no test touches the developer's. */
const STATE_DIR = mkdtempSync(join(tmpdir(), "ccm-state-"));
let fixtures: Fixture[];
const newest = () => fixtures.at(-1) as Fixture;

beforeAll(async () => {
  ({ home: fixtureHome, fixtures } = await copyFixtureHome());
});

describe("MCP Inspector CLI", () => {
  // inspector-cli 1.0.3 looks for its own package.json relative to the working directory, so it runs
  // from a folder whose parent holds a package.json: dist/
  const inspect = (...args: string[]) =>
    promisify(execFile)(
      process.execPath,
      [
        INSPECTOR,
        "--cli",
        "-e",
        `CODEX_HOME=${fixtureHome}`,
        "-e",
        `CODEX_CONTROL_STATE_DIR=${STATE_DIR}`,
        process.execPath,
        CLI,
        ...args,
      ],
      { cwd: DIST, timeout: 60_000 },
    );

  it("lists the tools of the built server", async () => {
    const { stdout } = await inspect("--method", "tools/list");
    const { tools } = JSON.parse(stdout) as { tools: Array<{ name: string }> };
    expect(tools.map((tool) => tool.name)).toEqual(registeredToolNames({ readOnly: false }));
  });

  it("calls list_sessions", async () => {
    const { stdout } = await inspect("--method", "tools/call", "--tool-name", "list_sessions", "--tool-arg", "limit=2");
    const result = JSON.parse(stdout) as {
      structuredContent: { codex_home: string; sessions: Array<{ session_id: string }> };
    };
    expect(result.structuredContent.codex_home).toBe(fixtureHome);
    expect(result.structuredContent.sessions.map((session) => session.session_id)).toEqual([
      newest().session_id,
      fixtures.at(-2)?.session_id,
    ]);
  });
});

describe("Codex as the MCP host", () => {
  let model: FakeModel;
  let home: string;
  let workdir: string;
  let reader: Connected;

  beforeAll(async () => {
    model = await startFakeModel();
    ({ home, workdir } = await makeCodexHome(model.url, "host"));
    reader = await connect(testConfig({ codexHome: home }));
  });
  afterAll(async () => {
    await reader.close();
    await model.close();
  });

  it("`codex mcp add` as the README says registers this server, and the host's model gets session_summary's answer", async () => {
    const env = codexEnv(home);
    // the README's command, plus a state dir of the test's own (Codex hands its MCP servers a reduced environment)
    const argv = readmeArgv(README_COMMANDS.codex, fixtureHome);
    argv.splice(argv.indexOf("--"), 0, "--env", `CODEX_CONTROL_STATE_DIR=${STATE_DIR}`);
    await promisify(execFile)(PINNED_CODEX, argv, { env });
    const { stdout: listed } = await promisify(execFile)(PINNED_CODEX, ["mcp", "list"], { env });
    expect(listed).toMatch(/codex-control/);
    // docs/hosts.md's `required = true`: under load the server can take over a second to start, and Codex 0.171
    // starts the turn without a server that is not required (the model would call a bare tool name)
    const configPath = join(home, "config.toml");
    const registered = await readFile(configPath, "utf8");
    expect(registered).toContain("[mcp_servers.codex-control]\n");
    // the README says "right under the line": the file ends in the entry's `.env` table, so keys pasted at its
    // end would be environment variables (Codex then refuses the config: "expected a string")
    expect(registered).toMatch(/\n\[mcp_servers\.codex-control\.env\]\n[^[]*$/);
    await writeFile(
      configPath,
      registered.replace("[mcp_servers.codex-control]\n", "[mcp_servers.codex-control]\nrequired = true\n"),
    );

    const target = newest().session_id;
    const prompt = `please MCP:session_summary {"session_id":"${target}"}`;
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(PINNED_CODEX, ["exec", "--json", "--skip-git-repo-check", "-C", workdir, prompt], {
        env,
        stdio: ["ignore", "ignore", "ignore"],
      });
      child.on("error", reject);
      child.on("close", resolve);
    });
    expect(code).toBe(0);

    // the host's own session, read with this server's tools
    const calls = (await reader.call("last_function_calls", { session_id: "last", max_output_chars: 20000 }))
      .structuredContent as {
      calls: Array<{ name: string; arguments: unknown; output: string; status: string }>;
    };
    expect(calls.calls).toHaveLength(1);
    expect(calls.calls[0]).toMatchObject({
      name: "mcp__codex_control__session_summary",
      arguments: { session_id: target },
      status: "completed",
    });
    // Codex hands the model the structured result (JSON) after its own "Output:" header
    const output = calls.calls[0]?.output ?? "";
    const structured = JSON.parse(output.slice(output.indexOf("Output:\n") + "Output:\n".length)) as {
      session_id: string;
      status: string;
      diagnosis: { category: string };
    };
    expect(structured).toMatchObject({
      session_id: target,
      status: "completed",
      diagnosis: { category: "command_failures" },
    });
    const summary = (await reader.call("session_summary", { session_id: "last" })).structuredContent as {
      last_agent_message: string;
      status: string;
    };
    expect(summary.status).toBe("completed");
    expect(summary.last_agent_message.startsWith(`Done. The tool said: {"session_id":"${target}"`)).toBe(true);
  });
});

describe("Codex as the MCP host: a server slower than a second to start", () => {
  let model: FakeModel;
  let home: string;
  let workdir: string;
  let reader: Connected;

  beforeAll(async () => {
    model = await startFakeModel();
    ({ home, workdir } = await makeCodexHome(model.url, "host-slow"));
    reader = await connect(testConfig({ codexHome: home }));
  });
  afterAll(async () => {
    await reader.close();
    await model.close();
  });

  /**
   * The entry `codex mcp add` writes, for a server that takes 2 s to start (a loaded machine, an npx download),
   * or (`command`) one that cannot start; `top`: a key above every table of config.toml.
   */
  async function slowEntry(extra: string, top = "", command?: string): Promise<void> {
    const start = `sleep 2; exec '${process.execPath}' '${CLI}'`;
    const entry = [
      "[mcp_servers.codex-control]",
      ...(extra ? [extra] : []),
      ...(command !== undefined
        ? [`command = ${JSON.stringify(command)}`]
        : ['command = "sh"', `args = ["-c", ${JSON.stringify(start)}]`]),
      `env = { CODEX_HOME = ${JSON.stringify(fixtureHome)}, CODEX_CONTROL_STATE_DIR = ${JSON.stringify(STATE_DIR)} }`,
      "",
    ].join("\n");
    await writeFile(join(home, "config.toml"), `${top ? `${top}\n` : ""}${codexConfig(model.url)}\n${entry}`);
  }

  /** The host's `codex exec`, its model asking for session_summary: its exit code and stderr. */
  async function hostExec(): Promise<{ code: number | null; stderr: string }> {
    const prompt = `please MCP:session_summary {"session_id":"${newest().session_id}"}`;
    return new Promise((resolve, reject) => {
      const child = spawn(PINNED_CODEX, ["exec", "--json", "--skip-git-repo-check", "-C", workdir, prompt], {
        env: codexEnv(home),
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stderr }));
    });
  }

  /** The name and status of the session_summary call the host's Codex made. */
  async function hostCall(): Promise<[string, string]> {
    expect((await hostExec()).code).toBe(0);
    const calls = (await reader.call("last_function_calls", { session_id: "last" })).structuredContent as {
      calls: Array<{ name: string; status: string }>;
    };
    return [calls.calls[0]?.name ?? "", calls.calls[0]?.status ?? ""];
  }

  it("with `required = true` (docs/hosts.md) Codex waits for it and its model gets the tool; startup_timeout_sec does not", async () => {
    // Codex 0.171 starts the first turn without a server that is not `required` and has not started within
    // about a second, whatever startup_timeout_sec says: the model's request lacks our tools, and the call
    // it makes by the bare name fails
    await slowEntry("startup_timeout_sec = 60");
    expect(await hostCall()).toEqual(["session_summary", "failed"]);
    await slowEntry("required = true");
    expect(await hostCall()).toEqual(["mcp__codex_control__session_summary", "completed"]);
  });

  it("`mcp_optional_startup_grace_ms = 0` (docs/hosts.md's other way) makes Codex wait startup_timeout_sec instead", async () => {
    await slowEntry("startup_timeout_sec = 60", "mcp_optional_startup_grace_ms = 0");
    expect(await hostCall()).toEqual(["mcp__codex_control__session_summary", "completed"]);
  });

  it("a `required` server that cannot start (not installed): Codex starts no session at all (docs/hosts.md)", async () => {
    const sessions = (await reader.call("list_sessions", { limit: 50 })).structuredContent as { sessions: unknown[] };
    await slowEntry("required = true", "", "codex-control-mcp-not-installed");
    const { code, stderr } = await hostExec();
    expect(code).toBe(1);
    expect(stderr).toContain("required MCP servers failed to initialize: codex-control: No such file or directory");
    const after = (await reader.call("list_sessions", { limit: 50 })).structuredContent as { sessions: unknown[] };
    expect(after.sessions.length).toBe(sessions.sessions.length);
    // the control: without `required` the same entry costs only the tools
    await slowEntry("", "", "codex-control-mcp-not-installed");
    expect(await hostCall()).toEqual(["session_summary", "failed"]);
  });
});

describe("Codex as the MCP host: the API key and env_vars", () => {
  let model: FakeModel;
  let host: Awaited<ReturnType<typeof makeCodexHome>>;
  let runs: Awaited<ReturnType<typeof makeCodexHome>>;
  let reader: Connected;

  beforeAll(async () => {
    model = await startFakeModel();
    host = await makeCodexHome(model.url, "host-key");
    // the runs' Codex reads its key from CODEX_API_KEY (what the README's rows pass): without it, Codex fails "Missing environment variable"
    runs = await makeCodexHome(model.url, "runs-key");
    await writeFile(
      join(runs.home, "config.toml"),
      codexConfig(model.url).replace("request_max_retries", 'env_key = "CODEX_API_KEY"\nrequest_max_retries'),
    );
    reader = await connect(testConfig({ codexHome: host.home }));
  });
  afterAll(async () => {
    await reader.close();
    await model.close();
  });

  /** Model requests of the delegated run itself (its prompt is the whole user message), not the host's. */
  const runRequests = () =>
    model.requests.filter((request) =>
      (request.input ?? []).some(
        (item) =>
          item.role === "user" && Array.isArray(item.content) && item.content.some((part) => part.text === "say hi"),
      ),
    );

  /** The host's model calls run_codex; what the host handed back to it (Codex's "Output:" payload). */
  async function hostCallsRunCodex(env: Record<string, string>): Promise<string> {
    const args = JSON.stringify({ prompt: "say hi", cwd: runs.workdir, skip_git_repo_check: true });
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        PINNED_CODEX,
        ["exec", "--json", "--skip-git-repo-check", "-C", host.workdir, `please MCP:run_codex ${args}`],
        { env, stdio: ["ignore", "ignore", "ignore"] },
      );
      child.on("error", reject);
      child.on("close", resolve);
    });
    expect(code).toBe(0);
    const calls = (await reader.call("last_function_calls", { session_id: "last", max_output_chars: 20000 }))
      .structuredContent as {
      calls: Array<{ name: string; output: string; status: string }>;
    };
    expect(calls.calls.map((call) => call.name)).toEqual(["mcp__codex_control__run_codex"]);
    const output = calls.calls[0]?.output ?? "";
    return output.slice(output.indexOf("Output:\n") + "Output:\n".length);
  }

  it('without env_vars run_codex refuses at once naming Codex\'s fix; with `env_vars = ["CODEX_API_KEY"]` the key reaches the server and the run completes', async () => {
    // the user's key in the variable the README's row passes on (codexEnv's OPENAI_API_KEY is not it)
    const env = { ...codexEnv(host.home), CODEX_API_KEY: "sk-fake" };
    const argv = readmeArgv(README_COMMANDS.codex, runs.home);
    argv.splice(argv.indexOf("--"), 0, "--env", `CODEX_CONTROL_STATE_DIR=${STATE_DIR}`);
    await promisify(execFile)(PINNED_CODEX, argv, { env });
    const configPath = join(host.home, "config.toml");
    const registered = await readFile(configPath, "utf8");
    expect(registered).toContain("[mcp_servers.codex-control]\n");
    // docs/hosts.md's `required = true`: on a loaded machine (host tests run side by side) the server can take
    // over a second to start, and Codex 0.171 starts the turn without a server that is not required
    await writeFile(
      configPath,
      registered.replace("[mcp_servers.codex-control]\n", "[mcp_servers.codex-control]\nrequired = true\n"),
    );

    const refused = await hostCallsRunCodex(env);
    expect(refused).toBe(
      'Codex would have no credentials: model provider "mock" reads its key from CODEX_API_KEY, which is not in the environment Codex runs get. ' +
        'Codex starts MCP servers with a reduced environment: add `env_vars = ["CODEX_API_KEY"]` to [mcp_servers.codex-control] in Codex\'s config.toml.',
    );
    expect(runRequests()).toHaveLength(0);

    const config = await readFile(configPath, "utf8");
    await writeFile(
      configPath,
      config.replace("[mcp_servers.codex-control]\n", '[mcp_servers.codex-control]\nenv_vars = ["CODEX_API_KEY"]\n'),
    );

    const ran = JSON.parse(await hostCallsRunCodex(env)) as { status: string; final_message: string | null };
    expect({ status: ran.status, final_message: ran.final_message }).toEqual({
      status: "completed",
      final_message: "plain answer",
    });
    expect(runRequests()).toHaveLength(1);
  }, 240_000);
});
