// Credentials checked before a run: what Codex will authenticate with, decided from its own files and the
// environment the run gets; doctor reports it and run_codex / resume_session refuse without it.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { writeFile } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assessCredentials, probeEndpoint, type CredentialInputs } from "../../src/codex/credentials.js";
import { createServer } from "../../src/server.js";
import { codexConfig } from "../support/codex-home.js";
import { PINNED_CODEX } from "../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../support/fake-model.js";
import { copyFixtureHome, type Fixture } from "../support/fixtures.js";
import { testConfig, textOf } from "../support/mcp.js";

const HOME = "/h/.codex";
const withKey = (url: string) =>
  `${codexConfig(url).replace("request_max_retries", 'env_key = "MOCK_KEY"\nrequest_max_retries')}`;
const assess = (inputs: Partial<CredentialInputs>) =>
  assessCredentials({ runEnv: {}, serverEnv: {}, codexHome: HOME, configToml: "", authJson: null, ...inputs });

describe("assessCredentials", () => {
  it("quotes CODEX_HOME as one shell word in the login it prints (a path with a space, or a `;`)", () => {
    // before: `CODEX_HOME=/h/my codex; x codex login`, which a shell splits, running what follows the `;`
    expect(assess({ codexHome: "/h/my codex; x" }).fix).toBe(
      "Log Codex in once: `CODEX_HOME='/h/my codex; x' codex login` (an API key: `codex login --with-api-key`, the key on stdin). Or pass the key as CODEX_API_KEY: Add CODEX_API_KEY to the `env` of this server's entry in your MCP host's configuration (or start the host from a shell that has it).",
    );
  });

  it("OpenAI (no config): exec's CODEX_API_KEY, else Codex's own login, else missing with both fixes", () => {
    expect(assess({ runEnv: { CODEX_API_KEY: "sk-1" } })).toEqual({
      provider: "openai",
      source: "env",
      variable: "CODEX_API_KEY",
      endpoint: "https://api.openai.com/v1",
      found: "CODEX_API_KEY is in the environment Codex runs get",
      fix: null,
    });
    expect(assess({ authJson: '{"OPENAI_API_KEY":null,"tokens":{"id_token":"x"}}' })).toMatchObject({
      source: "login",
      found: "Codex's own login (ChatGPT sign-in) in /h/.codex/auth.json",
    });
    expect(assess({ authJson: '{"OPENAI_API_KEY":"sk-2"}' })).toMatchObject({
      source: "login",
      found: "Codex's own login (API key) in /h/.codex/auth.json",
    });
    expect(assess({ authJson: "not json" })).toEqual({
      provider: "openai",
      source: "missing",
      variable: "CODEX_API_KEY",
      endpoint: "https://api.openai.com/v1",
      found: "no login in /h/.codex/auth.json, and no CODEX_API_KEY in the environment Codex runs get",
      fix: "Log Codex in once: `CODEX_HOME=/h/.codex codex login` (an API key: `codex login --with-api-key`, the key on stdin). Or pass the key as CODEX_API_KEY: Add CODEX_API_KEY to the `env` of this server's entry in your MCP host's configuration (or start the host from a shell that has it).",
    });
    // Codex sends no OPENAI_API_KEY (credentials-engines.test.ts), and app-server no CODEX_API_KEY either
    expect(assess({ runEnv: { OPENAI_API_KEY: "sk-1" } }).source).toBe("missing");
    expect(assess({ runEnv: { CODEX_API_KEY: "sk-1" }, engine: "app-server" })).toMatchObject({
      source: "missing",
      variable: null,
      found: "no login in /h/.codex/auth.json",
      fix: 'Log Codex in once: `CODEX_HOME=/h/.codex codex login` (an API key: `codex login --with-api-key`, the key on stdin); engine "app-server" reads no key from the environment.',
    });
  });

  it("a provider's env_key must be in the run's environment; a provider without one needs nothing", () => {
    const configToml = withKey("http://127.0.0.1:9/v1");
    expect(assess({ configToml, runEnv: { MOCK_KEY: "k" } })).toMatchObject({
      provider: "mock",
      source: "env",
      variable: "MOCK_KEY",
      endpoint: "http://127.0.0.1:9/v1",
    });
    expect(assess({ configToml, runEnv: { OPENAI_API_KEY: "sk" } })).toMatchObject({
      source: "missing",
      found: 'model provider "mock" reads its key from MOCK_KEY, which is not in the environment Codex runs get',
    });
    expect(assess({ configToml: codexConfig("http://127.0.0.1:9/v1") })).toMatchObject({
      provider: "mock",
      source: "none_needed",
      variable: null,
    });
    expect(assess({ configToml: 'model_provider = "ollama"\n' })).toMatchObject({
      provider: "ollama",
      source: "none_needed",
      endpoint: "http://localhost:11434/v1",
    });
    expect(assess({ configToml: 'model_provider = "nope"\n' })).toMatchObject({
      source: "missing",
      fix: "Define [model_providers.nope] in /h/.codex/config.toml, or fix model_provider.",
    });
  });

  it("a profile or a call's model_provider override picks the provider", () => {
    const configToml = `${withKey("http://127.0.0.1:9/v1")}\n[profiles.local]\nmodel_provider = "ollama"\n`;
    expect(assess({ configToml, profile: "local" })).toMatchObject({ provider: "ollama", source: "none_needed" });
    expect(assess({ configToml, providerOverride: "openai", runEnv: { CODEX_API_KEY: "k" } })).toMatchObject({
      provider: "openai",
      source: "env",
      variable: "CODEX_API_KEY",
    });
  });

  it("names the fix: --env-allow when the server has the key, else the calling host's own way", () => {
    const missing = (host: string | undefined, serverEnv: NodeJS.ProcessEnv = {}) =>
      assess({ configToml: withKey("http://127.0.0.1:9/v1"), host, serverEnv }).fix;
    expect(missing(undefined, { MOCK_KEY: "k" })).toBe(
      "This server has MOCK_KEY but hands Codex only allowlisted variables: add `--env-allow MOCK_KEY` to the server's arguments.",
    );
    expect(missing("gemini-cli-mcp-client")).toBe(
      'Gemini CLI removes variables whose names contain KEY from an MCP server\'s environment unless the entry lists them: add `"env": {"MOCK_KEY": "$MOCK_KEY"}` to the codex-control entry in settings.json (or `gemini mcp add -e MOCK_KEY=$MOCK_KEY …`).',
    );
    expect(missing("codex-mcp-client")).toBe(
      'Codex starts MCP servers with a reduced environment: add `env_vars = ["MOCK_KEY"]` to [mcp_servers.codex-control] in Codex\'s config.toml.',
    );
    expect(missing("openclaw")).toBe(
      "OpenClaw passes only HOME, PATH, SHELL and TERM plus the entry's env: add `--env 'MOCK_KEY=${MOCK_KEY}'` to `openclaw mcp add` (or \"MOCK_KEY\": \"${MOCK_KEY}\" under the server's env).",
    );
    expect(missing("opencode")).toBe(
      'Add `"environment": {"MOCK_KEY": "{env:MOCK_KEY}"}` to the codex-control entry under "mcp" in opencode.json.',
    );
    expect(missing("claude-code")).toBe(
      "Start Claude Code from a shell that has MOCK_KEY, or register the server with `claude mcp add -s user -e MOCK_KEY=… codex-control -- npx -y codex-control-mcp`.",
    );
  });
});

describe("probeEndpoint (loopback only)", () => {
  it("any HTTP answer counts; a closed port does not", async () => {
    const server = createHttpServer((_req, res) => res.writeHead(401).end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    expect(await probeEndpoint(`http://127.0.0.1:${port}/v1`)).toEqual({
      answers: true,
      found: `http://127.0.0.1:${port}/v1 answers (HTTP 401)`,
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await probeEndpoint(`http://127.0.0.1:${port}/v1`)).toEqual({
      answers: false,
      found: `http://127.0.0.1:${port}/v1 does not answer (ECONNREFUSED)`,
    });
    expect(await probeEndpoint("not a url")).toEqual({ answers: false, found: 'base URL "not a url" is not a URL' });
  });
});

describe("doctor and the run tools with a key that does not reach Codex", () => {
  let model: FakeModel;
  let home: string;
  let workdir: string;
  let fixtures: Fixture[];
  let client: Client;
  let close: () => Promise<void>;

  beforeAll(async () => {
    model = await startFakeModel();
    // the committed sessions, so that resume_session has one to continue
    ({ home, fixtures } = await copyFixtureHome());
    workdir = dirname(home);
    await writeFile(join(home, "config.toml"), withKey(model.url));
    const config = testConfig({ codexHome: home, codexBin: PINNED_CODEX });
    const server = createServer({
      ...config,
      runner: { ...config.runner, childEnv: { PATH: process.env.PATH, HOME: home } },
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    // the name Gemini CLI's MCP client sends: the fix comes in that host's terms
    client = new Client({ name: "gemini-cli-mcp-client", version: "0.61.0" });
    await server.server.connect(serverSide);
    await client.connect(clientSide);
    close = async () => {
      await client.close();
      await server.cleanup();
    };
  });
  afterAll(async () => {
    await close();
    await model.close();
  });

  const fix =
    'Gemini CLI removes variables whose names contain KEY from an MCP server\'s environment unless the entry lists them: add `"env": {"MOCK_KEY": "$MOCK_KEY"}` to the codex-control entry in settings.json (or `gemini mcp add -e MOCK_KEY=$MOCK_KEY …`).';

  it("doctor fails the credentials check with the fix, and finds the endpoint answering", async () => {
    const result = (await client.callTool({ name: "doctor", arguments: {} })) as CallToolResult;
    const report = result.structuredContent as {
      ok: boolean;
      checks: Array<{ name: string; level: string; found: string; fix: string | null }>;
      credentials: unknown;
    };
    expect(report.ok).toBe(false);
    expect(report.checks.find((check) => check.name === "credentials")).toEqual({
      name: "credentials",
      level: "fail",
      found: 'model provider "mock" reads its key from MOCK_KEY, which is not in the environment Codex runs get',
      fix,
    });
    expect(report.checks.find((check) => check.name === "model endpoint")).toEqual({
      name: "model endpoint",
      level: "ok",
      found: `${model.url} answers (HTTP 404)`,
      fix: null,
    });
    expect(report.credentials).toEqual({
      provider: "mock",
      source: "missing",
      variable: "MOCK_KEY",
      endpoint: model.url,
      endpoint_answers: true,
    });
  });

  it("run_codex refuses at once, before Codex starts, with the reason and the fix", async () => {
    const before = model.requests.length;
    const result = (await client.callTool({
      name: "run_codex",
      arguments: { prompt: "RUN:echo hi", cwd: workdir, skip_git_repo_check: true },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      `Codex would have no credentials: model provider "mock" reads its key from MOCK_KEY, which is not in the environment Codex runs get. ${fix}`,
    );
    expect(model.requests.length).toBe(before);
  });

  it("resume_session refuses the same way", async () => {
    const before = model.requests.length;
    const session = fixtures.at(-1) as Fixture;
    const result = (await client.callTool({
      name: "resume_session",
      arguments: { session_id: session.session_id, prompt: "RUN:echo again", mode: "sandboxed" },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      `Codex would have no credentials: model provider "mock" reads its key from MOCK_KEY, which is not in the environment Codex runs get. ${fix}`,
    );
    expect(model.requests.length).toBe(before);
  });
});
