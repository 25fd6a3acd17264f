// A real MCP Client connected to a fresh server in memory.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunnerConfig, RunView } from "../../src/runs/run-manager.js";
import { loadConfig, type ServerConfig } from "../../src/config/config.js";
import { createServer } from "../../src/server.js";
import { codexEnv } from "./codex-home.js";
import { PINNED_CODEX } from "./codex-versions.js";

export interface Connected {
  client: Client;
  config: ServerConfig;
  server: ReturnType<typeof createServer>;
  call(
    name: string,
    args: Record<string, unknown>,
    options?: Parameters<Client["callTool"]>[2],
  ): Promise<CallToolResult>;
  close(): Promise<void>;
}

export interface TestConfig extends Partial<RunnerConfig> {
  codexHome: string;
  waitMs?: number;
}

/**
 * Server settings for a test: its own CODEX_HOME and a fresh state dir unless given. A test server stops
 * the runs it started when it closes (--stop-runs-on-exit), so no test leaves a run behind; the tests of
 * runs that outlive their server turn that off.
 */
export function testConfig({ codexHome, waitMs, ...runner }: TestConfig): ServerConfig {
  const base = loadConfig([], { ...process.env, CODEX_HOME: codexHome });
  return {
    ...base,
    waitMs: waitMs ?? base.waitMs,
    runner: {
      ...base.runner,
      stateDir: mkdtempSync(join(tmpdir(), "ccm-state-")),
      killGraceMs: 1000,
      stopRunsOnExit: true,
      ...runner,
      // a key, so that runs pass the credentials gate whatever the test's CODEX_HOME holds
      childEnv: { ...process.env, CODEX_API_KEY: "sk-test", CODEX_HOME: codexHome, ...runner.childEnv },
    },
  };
}

/** A client's options: `capabilities` (e.g. `{ elicitation: {} }`) for a test that needs a person's answer. */
export type ClientOptions = ConstructorParameters<typeof Client>[1];

export async function connect(settings: TestConfig | ServerConfig, clientOptions?: ClientOptions): Promise<Connected> {
  const config = "runner" in settings ? settings : testConfig(settings);
  const server = createServer(config);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "test-client", version: "1.0.0" }, clientOptions);
  await server.server.connect(serverTransport);
  await client.connect(clientTransport);
  return {
    client,
    config,
    server,
    call: async (name, args, options) =>
      (await client.callTool({ name, arguments: args }, undefined, options)) as CallToolResult,
    close: async () => {
      await client.close();
      await server.cleanup();
    },
  };
}

export function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

/**
 * `body` with a server on the pinned CLI and the test's CODEX_HOME (runs get that home's clean environment),
 * closed afterwards whatever happens.
 */
export async function withCodexServer(
  home: string,
  settings: Partial<TestConfig>,
  body: (mcp: Connected) => Promise<void>,
): Promise<void> {
  const mcp = await connect(
    testConfig({
      codexHome: home,
      codexBin: PINNED_CODEX,
      ...settings,
      childEnv: { ...codexEnv(home), ...settings.childEnv },
    }),
  );
  try {
    await body(mcp);
  } finally {
    await mcp.close();
  }
}

/**
 * One `run_codex` ("please say hi", read-only, in `workdir`, waiting up to 60 s; `args` over those) on a server
 * as withCodexServer makes it: the answer, its text and its run view.
 */
export async function runCodexOnce(
  home: string,
  workdir: string,
  settings: Partial<TestConfig>,
  args: Record<string, unknown> = {},
): Promise<{ isError: boolean; text: string; view: RunView }> {
  let answer: { isError: boolean; text: string; view: RunView } | undefined;
  await withCodexServer(home, settings, async (mcp) => {
    const result = await mcp.call("run_codex", {
      cwd: workdir,
      skip_git_repo_check: true,
      prompt: "please say hi",
      mode: "read-only",
      wait_ms: 60_000,
      ...args,
    });
    answer = {
      isError: result.isError === true,
      text: textOf(result),
      view: result.structuredContent as unknown as RunView,
    };
  });
  if (!answer) throw new Error("run_codex gave no answer");
  return answer;
}

/** A completed session the pinned CLI made in `workdir` (tests of resumes and of altered logs start from one). */
export async function seedSession(home: string, workdir: string, prompt = "please say hi"): Promise<string> {
  let sessionId = "";
  await withCodexServer(home, {}, async (mcp) => {
    const view = (await mcp.call("run_codex", { cwd: workdir, skip_git_repo_check: true, prompt }))
      .structuredContent as { status?: string; session_id?: string | null } | undefined;
    if (view?.status !== "completed" || !view.session_id)
      throw new Error(`the seed run did not complete: ${JSON.stringify(view).slice(0, 500)}`);
    sessionId = view.session_id;
  });
  return sessionId;
}
