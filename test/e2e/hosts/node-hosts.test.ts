// Hosts that run on Node 20, installed from the npm registry on first use, registering the built server the
// way the README says. Gemini CLI's model (a fake Gemini API on loopback), Continue's and opencode's (Chat
// Completions) call tools through it. A host whose package cannot be installed here is skipped with the reason.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codexConfig } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { copyFixtureHome, type Fixture } from "../../support/fixtures.js";
import { CLI, HOSTS, hostCommand, installHost, readmeArgv } from "../../support/host-programs.js";
import { registeredToolNames } from "../../support/tool-registry.js";
import { README_COMMANDS } from "./readme-commands.js";

const run = promisify(execFile);
let model: FakeModel;
let codexHome: string;
let fixtures: Fixture[];

beforeAll(async () => {
  model = await startFakeModel();
  ({ home: codexHome, fixtures } = await copyFixtureHome());
  // doctor probes the model endpoint and checks the key variable: loopback, and a key that must arrive
  await writeFile(
    join(codexHome, "config.toml"),
    codexConfig(model.url).replace("request_max_retries", 'env_key = "CODEX_API_KEY"\nrequest_max_retries'),
  );
});
afterAll(async () => model.close());

/** The text of the newest tool result the host handed its model. */
function lastToolOutput(): string {
  const contents = (model.otherRequests.at(-1)?.body.contents ?? []) as Array<{
    parts?: Array<{ functionResponse?: { response?: { output?: string } } }>;
  }>;
  return contents.at(-1)?.parts?.find((part) => part.functionResponse)?.functionResponse?.response?.output ?? "";
}

async function scratch(name: string): Promise<{ root: string; project: string }> {
  const root = await realpath(await mkdtemp(join(tmpdir(), `ccm-${name}-`)));
  const project = join(root, "project");
  await mkdir(project);
  return { root, project };
}

describe("Gemini CLI as the host", () => {
  const host = HOSTS.gemini;
  let installed: Awaited<ReturnType<typeof installHost>>;
  beforeAll(async () => {
    installed = await installHost(host);
  }, 900_000);

  it("`gemini mcp add` from the README; Gemini's model calls session_summary and doctor, and the API key reaches the server", async (context) => {
    if ("skip" in installed) return context.skip(installed.skip);
    const { entry } = installed;
    const { root, project } = await scratch("gemini");
    await mkdir(join(root, ".gemini"));
    await writeFile(
      join(root, ".gemini", "settings.json"),
      JSON.stringify({ security: { auth: { selectedType: "gemini-api-key" } } }),
    );
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: root,
      GEMINI_CLI_HOME: root,
      GEMINI_API_KEY: "fake-gemini-key",
      GOOGLE_GEMINI_BASE_URL: `http://127.0.0.1:${model.port}`,
      GEMINI_CLI_TRUST_WORKSPACE: "true",
      CODEX_API_KEY: "sk-from-the-users-shell",
      NO_COLOR: "1",
    };
    const gemini = (args: string[]) => {
      const [command, argv] = hostCommand(host, entry, args);
      return run(command, argv, { env, cwd: project, timeout: 120_000 });
    };
    await gemini(readmeArgv(README_COMMANDS.gemini, codexHome));
    const settings = JSON.parse(await readFile(join(root, ".gemini", "settings.json"), "utf8")) as {
      mcpServers: Record<string, unknown>;
    };
    expect(settings.mcpServers["codex-control"]).toEqual({
      command: process.execPath,
      args: [CLI],
      env: { CODEX_HOME: codexHome, CODEX_API_KEY: "$CODEX_API_KEY" },
    });

    const target = fixtures.at(-1) as Fixture;
    const before = model.otherRequests.length;
    const { stdout } = await gemini([
      "-m",
      "gemini-2.5-flash",
      "--yolo",
      "--output-format",
      "json",
      "-p",
      `please MCP:session_summary {"session_id":"${target.session_id}"}`,
    ]);
    expect((JSON.parse(stdout) as { response: string }).response).toMatch(/^Done\. The tool said: /);
    const requests = model.otherRequests.slice(before).filter((request) => request.api === "gemini");
    // every schema of ours went to the Gemini API as a function declaration
    const declared = (
      (requests[0]?.body.tools as Array<{ functionDeclarations?: Array<{ name: string }> }> | undefined) ?? []
    )
      .flatMap((tool) => tool.functionDeclarations ?? [])
      .map((decl) => decl.name);
    expect(declared.filter((name) => name.startsWith("mcp_codex-control_")).sort()).toEqual(
      registeredToolNames({ readOnly: false })
        .sort()
        .map((name) => `mcp_codex-control_${name}`),
    );
    expect(lastToolOutput()).toContain(`Session ${target.session_id}: completed (diagnosis: command_failures)`);

    const { stdout: doctorOut } = await gemini([
      "-m",
      "gemini-2.5-flash",
      "--yolo",
      "--output-format",
      "json",
      "-p",
      "please MCP:doctor {}",
    ]);
    expect((JSON.parse(doctorOut) as { response: string }).response).toMatch(/^Done\. The tool said: /);
    // Gemini CLI drops *KEY* variables from a server's environment; the entry's env brings it back
    expect(lastToolOutput()).toContain(
      'ok    credentials        model provider "mock" reads its key from CODEX_API_KEY, which Codex runs get\n',
    );

    // the README's undo: a user-scope entry is removed only with -s user
    await gemini(readmeArgv(README_COMMANDS.geminiRemove, codexHome));
    expect(
      (
        JSON.parse(await readFile(join(root, ".gemini", "settings.json"), "utf8")) as {
          mcpServers?: Record<string, unknown>;
        }
      ).mcpServers?.["codex-control"],
    ).toBeUndefined();
  }, 300_000);
});

describe("opencode as the host", () => {
  const host = HOSTS.opencode;
  let installed: Awaited<ReturnType<typeof installHost>>;
  beforeAll(async () => {
    installed = await installHost(host);
  }, 900_000);

  /** A project whose opencode.json holds the README's entry (plus `extra`) and a fake-model provider. */
  async function opencodeProject(entry: string, extra: Record<string, unknown> = {}) {
    const { root, project } = await scratch("opencode");
    // a provider opencode bundles (nothing to install on first use), pointed at the fake model
    const provider = {
      npm: "@ai-sdk/openai-compatible",
      name: "Fake",
      options: { baseURL: model.url, apiKey: "sk-fake-model" },
      models: { "fake-model": { name: "Fake", tool_call: true } },
    };
    const server = {
      type: "local",
      command: [process.execPath, CLI],
      environment: { CODEX_HOME: codexHome, CODEX_API_KEY: "{env:CODEX_API_KEY}" },
    };
    await writeFile(
      join(project, "opencode.json"),
      JSON.stringify({ provider: { fake: provider }, mcp: { "codex-control": { ...server, ...extra } } }),
    );
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: root,
      XDG_CONFIG_HOME: join(root, ".config"),
      XDG_DATA_HOME: join(root, ".data"),
      XDG_CACHE_HOME: join(root, ".cache"),
      XDG_STATE_HOME: join(root, ".state"),
      OPENCODE_DISABLE_AUTOUPDATE: "1",
      OPENCODE_DISABLE_MODELS_FETCH: "1",
      OPENCODE_DISABLE_DEFAULT_PLUGINS: "1",
      CODEX_API_KEY: "sk-from-the-users-shell",
      NO_COLOR: "1",
    };
    const opencode = (args: string[]) => {
      const [command, argv] = hostCommand(host, entry, args);
      const running = run(command, argv, { env, cwd: project, timeout: 120_000 });
      // `opencode run` reads a piped stdin to its end before it starts: give it an empty one
      running.child.stdin?.end();
      return running;
    };
    /** opencode's answer, and the tool results it handed its model in the last request of the `run`. */
    const ask = async (prompt: string): Promise<{ stdout: string; toolResults: string[] }> => {
      const before = model.otherRequests.length;
      const { stdout } = await opencode(["run", "--model", "fake/fake-model", prompt]);
      const messages = (model.otherRequests.slice(before).at(-1)?.body.messages ?? []) as Array<{
        role: string;
        content: string;
      }>;
      return {
        stdout,
        toolResults: messages.filter((message) => message.role === "tool").map((message) => message.content),
      };
    };
    return { project, opencode, ask };
  }

  it("the README's opencode.json entry: `opencode mcp list` connects; opencode's model (Chat Completions on loopback) calls session_summary and doctor", async (context) => {
    if ("skip" in installed) return context.skip(installed.skip);
    const { opencode, ask } = await opencodeProject(installed.entry);
    const { stdout } = await opencode(readmeArgv(README_COMMANDS.opencodeList, codexHome));
    // eslint-disable-next-line no-control-regex
    expect(stdout.replace(/\u001b\[[0-9;]*m/g, "")).toMatch(/✓ codex-control\s+connected/);

    const target = fixtures.at(-1) as Fixture;
    const summary = await ask(`please MCP:session_summary {"session_id":"${target.session_id}"}`);
    expect(summary.toolResults).toHaveLength(1);
    expect(
      summary.toolResults[0]?.startsWith(`Session ${target.session_id}: completed (diagnosis: command_failures)\n`),
    ).toBe(true);
    expect(summary.stdout).toContain("Done. The tool said: ");
    const doctor = await ask("please MCP:doctor {}");
    expect(doctor.toolResults).toHaveLength(1);
    // the entry's environment brings the key from opencode's own environment
    expect(doctor.toolResults[0]).toContain(
      'ok    credentials        model provider "mock" reads its key from CODEX_API_KEY, which Codex runs get\n',
    );
  }, 300_000);

  it('the entry\'s `"timeout": 3000` stops a tool call that takes longer (run_codex waiting 20 s on a model that never answers)', async (context) => {
    if ("skip" in installed) return context.skip(installed.skip);
    const stateDir = await mkdtemp(join(tmpdir(), "ccm-opencode-state-"));
    const environment = {
      CODEX_HOME: codexHome,
      CODEX_API_KEY: "{env:CODEX_API_KEY}",
      CODEX_BIN: PINNED_CODEX,
      CODEX_CONTROL_STATE_DIR: stateDir,
    };
    const { project, ask } = await opencodeProject(installed.entry, { timeout: 3000, environment });
    const slow = JSON.stringify({ prompt: "HANG", cwd: project, skip_git_repo_check: true, wait_ms: 20_000 });
    const { toolResults } = await ask(`please MCP:run_codex ${slow}`);
    expect(toolResults).toEqual(["MCP error -32001: Request timed out"]);
  }, 300_000);
});

describe("Continue CLI as the host", () => {
  const host = HOSTS.continue;
  let installed: Awaited<ReturnType<typeof installHost>>;
  beforeAll(async () => {
    installed = await installHost(host);
  }, 900_000);

  it("the README's config.yaml entry; Continue's model (Chat Completions on loopback) calls session_summary and doctor", async (context) => {
    if ("skip" in installed) return context.skip(installed.skip);
    const { entry } = installed;
    const { root, project } = await scratch("continue");
    const config = join(root, "config.yaml");
    await writeFile(
      config,
      [
        "name: codex-control-test",
        "version: 1.0.0",
        "schema: v1",
        "models:",
        "  - name: fake",
        "    provider: openai",
        "    model: gpt-4o",
        `    apiBase: ${model.url}/`,
        "    apiKey: sk-fake-model",
        "    roles: [chat]",
        "mcpServers:",
        "  - name: codex-control",
        `    command: ${process.execPath}`,
        `    args: [${JSON.stringify(CLI)}]`,
        "    env:",
        `      CODEX_HOME: ${codexHome}`,
        "",
      ].join("\n"),
    );
    const env = { PATH: process.env.PATH ?? "", HOME: root, NO_COLOR: "1", CODEX_API_KEY: "sk-from-the-users-shell" };
    const cn = (prompt: string) => {
      const [command, argv] = hostCommand(host, entry, ["-p", "--config", config, "--auto", prompt]);
      return run(command, argv, { env, cwd: project, timeout: 120_000 });
    };
    const target = fixtures.at(-1) as Fixture;
    const before = model.otherRequests.length;
    const { stdout } = await cn(`please MCP:session_summary {"session_id":"${target.session_id}"}`);
    expect(stdout).toContain(
      `Done. The tool said: [{"type":"text","text":"Session ${target.session_id}: completed (diagnosis: command_failures)`,
    );
    const first = model.otherRequests[before]?.body as { tools?: Array<{ function?: { name?: string } }> };
    // Continue's own tools first, then ours under their own names
    const ours = registeredToolNames({ readOnly: false });
    expect((first.tools ?? []).map((tool) => tool.function?.name).slice(-ours.length)).toEqual(ours);
    await cn("please MCP:doctor {}");
    const messages = (model.otherRequests.at(-1)?.body.messages ?? []) as Array<{ role: string; content: string }>;
    // Continue hands the server its own environment: the key in the user's shell reaches Codex runs
    expect(messages.at(-1)?.content).toContain(
      'ok    credentials        model provider \\"mock\\" reads its key from CODEX_API_KEY, which Codex runs get',
    );
  }, 300_000);
});
