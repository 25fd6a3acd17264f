// README: "`--json` prints exactly what the matching tool returns". The built CLI against the tool, on one
// CODEX_HOME and one state dir.
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { copyFixtureHome } from "../../support/fixtures.js";
import { connect, testConfig, type Connected } from "../../support/mcp.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "dist", "cli.js");
let home: string;
let mcp: Connected;

beforeAll(async () => {
  ({ home } = await copyFixtureHome());
  mcp = await connect(testConfig({ codexHome: home, codexBin: PINNED_CODEX }));
});
afterAll(async () => mcp.close());

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: home,
        CODEX_HOME: home,
        CODEX_BIN: PINNED_CODEX,
        CODEX_CONTROL_STATE_DIR: mcp.config.runner.stateDir,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("--json is the matching tool's structuredContent", () => {
  it("sessions --json equals list_sessions (scanned and running_run_id included)", async () => {
    const tool = (await mcp.call("list_sessions", { limit: 5 })).structuredContent as Record<string, unknown>;
    const { code, stdout, stderr } = await cli("sessions", "-n", "5", "--json");
    expect([code, stderr]).toEqual([0, ""]);
    const { data_note: _agentsOnly, ...forPeople } = tool;
    expect(JSON.parse(stdout)).toEqual(forPeople);
    expect(Object.keys(JSON.parse(stdout) as object)).toEqual([
      "codex_home",
      "sessions",
      "scanned",
      "home_note",
      "unreadable_folders",
    ]);
  });

  it.each([
    ["summary", ["summary", "last", "--json"], "session_summary", { session_id: "last" }],
    ["calls", ["calls", "last", "-n", "3", "--json"], "last_function_calls", { session_id: "last", limit: 3 }],
    ["usage", ["usage", "last", "--json"], "token_usage", { session_id: "last" }],
    ["runs", ["runs", "--json"], "run_status", {}],
  ] as const)("%s --json equals its tool", async (_name, args, tool, input) => {
    const { data_note: _agentsOnly, ...forPeople } = (await mcp.call(tool, input)).structuredContent as Record<
      string,
      unknown
    >;
    const { stdout, stderr } = await cli(...args);
    expect(stderr).toBe("");
    expect(JSON.parse(stdout)).toEqual(forPeople);
  });

  it("a count beyond the tool's bound is wrong usage, as it is for the tool (not a listing of everything)", async () => {
    expect((await mcp.call("list_sessions", { limit: 1e9 })).isError).toBe(true);
    const sessions = await cli("sessions", "-n", "1e9");
    expect([sessions.code, sessions.stdout]).toEqual([2, ""]);
    expect(sessions.stderr.split("\n")[0]).toBe('codex-control-mcp: expected a whole number from 1 to 500, got "1e9"');
    const calls = await cli("calls", "last", "-n", "201");
    expect([calls.code, calls.stdout]).toEqual([2, ""]);
    expect(calls.stderr.split("\n")[0]).toBe('codex-control-mcp: expected a whole number from 1 to 200, got "201"');
  });

  it("steer names an unknown run the way status does, with a command a person can paste", async () => {
    const status = await cli("status", "run_nope00");
    const steer = await cli("steer", "run_nope00", "hi");
    const approve = await cli("approve", "run_nope00", "a1", "approve");
    expect([steer.code, steer.stdout, steer.stderr]).toEqual([status.code, "", status.stderr]);
    expect([approve.code, approve.stdout, approve.stderr]).toEqual([status.code, "", status.stderr]);
    expect(status.stderr).toBe(
      `codex-control-mcp: no run "run_nope00" in ${mcp.config.runner.stateDir}; see \`codex-control-mcp runs\`.\n`,
    );
  });
});
