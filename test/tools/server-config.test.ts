// What a server says about itself follows the configuration in force: its instructions, the tools it lists,
// the defaults and bounds in its schemas, and the defaults in --help.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flagHelp, loadConfig } from "../../src/config/config.js";
import { connect, testConfig } from "../support/mcp.js";

let codexHome: string;
beforeAll(async () => {
  codexHome = await mkdtemp(join(tmpdir(), "ccm-server-config-"));
});
afterAll(async () => {
  await rm(codexHome, { recursive: true, force: true });
});

type Listed = Array<{
  name: string;
  description?: string;
  inputSchema: { properties?: Record<string, { description?: string }> };
}>;

describe("a --read-only server", () => {
  it("advertises only the tools it registers", async () => {
    const server = await connect({ ...testConfig({ codexHome }), readOnly: true });
    try {
      expect(server.client.getInstructions()).toBe(
        "Find out what the OpenAI Codex CLI did. list_sessions, session_summary (what happened and why it failed), last_function_calls and token_usage read Codex's session logs. run_status shows runs other servers sharing this state dir started. This server is read-only: it starts and stops no runs.",
      );
      const { tools } = await server.client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual([
        "doctor",
        "last_function_calls",
        "list_sessions",
        "run_status",
        "session_summary",
        "sessions_report",
        "token_usage",
      ]);
    } finally {
      await server.close();
    }
  });

  it("differs from a delegating server, whose instructions name the run tools and its wait", async () => {
    const server = await connect({ codexHome, waitMs: 20_000 });
    try {
      expect(server.client.getInstructions()).toBe(
        'Delegate work to the OpenAI Codex CLI and find out what happened. run_codex starts a run (resume_session continues a session); a run that outlasts the wait (20000 ms) answers `running` with a run_id: poll run_status, stop it with cancel_run. A run with engine "app-server" can be redirected mid-turn (steer_run) and, in mode "ask", asks a person for its approvals. list_sessions, session_summary (what happened and why it failed), last_function_calls and token_usage read Codex\'s session logs.',
      );
    } finally {
      await server.close();
    }
  });
});

describe("a server with its own timeouts", () => {
  it("states the operator's default and maximum timeout and its wait in the schemas", async () => {
    const server = await connect({ codexHome, defaultTimeoutMs: 600_000, maxTimeoutMs: 5_400_000, waitMs: 20_000 });
    try {
      const tools = (await server.client.listTools()).tools as unknown as Listed;
      for (const name of ["run_codex", "resume_session"]) {
        const properties = tools.find((tool) => tool.name === name)?.inputSchema.properties;
        expect(properties?.timeout_ms?.description, name).toBe(
          "Hard limit for the whole run in ms; the run's process group is killed when it passes. Default 600000 (10 min), at most 5400000 (90 min) on this server.",
        );
        expect(properties?.wait_ms?.description, name).toBe(
          "How long this call waits before answering `running` with the run_id (default 20000 ms on this server, under a host's 60 s tool timeout), counted from the call, time queued for a slot included. The run goes on; poll run_status.",
        );
      }
    } finally {
      await server.close();
    }
  });
});

describe("--help", () => {
  it("quotes the defaults the parser applies", () => {
    const config = loadConfig([], {});
    const quoted = (flag: string) =>
      Number(new RegExp(`--${flag} VALUE +[^\\n]*\\(default (\\d+)`).exec(flagHelp())?.[1]);
    expect(quoted("max-concurrent")).toBe(config.runner.maxConcurrent);
    expect(quoted("queue-wait-ms")).toBe(config.runner.queueWaitMs);
    expect(quoted("wait-ms")).toBe(config.waitMs);
    expect(quoted("default-timeout-ms")).toBe(config.runner.defaultTimeoutMs);
    expect(quoted("max-timeout-ms")).toBe(config.runner.maxTimeoutMs);
    expect(quoted("kill-grace-ms")).toBe(config.runner.killGraceMs);
    expect(quoted("max-depth")).toBe(config.runner.maxDepth);
    expect(quoted("approval-timeout-ms")).toBe(config.runner.approvalTimeoutMs);
    expect(config.runner.engine).toBe("exec");
    expect(config.allowCallerApprovals).toBe(false);
    expect(loadConfig(["--engine", "app-server", "--allow-caller-approvals"], {})).toMatchObject({
      allowCallerApprovals: true,
      runner: { engine: "app-server" },
    });
    expect(() => loadConfig(["--engine", "appserver"], {})).toThrow(
      '--engine must be one of exec, app-server, got "appserver"',
    );
    expect(flagHelp()).toContain("hard timeout of a run (default 1800000, 30 min)");
  });
});
