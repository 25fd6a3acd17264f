// The CLI for people (the built bin), `doctor` (tool and command), the triage prompt and session resources.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configProblems } from "../../../src/doctor/doctor.js";
import { parseCapabilities } from "../../../src/codex/capabilities.js";
import { writeFile } from "node:fs/promises";
import { codexConfig } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { copyFixtureHome, type Fixture } from "../../support/fixtures.js";
import { connect, testConfig, textOf, type Connected } from "../../support/mcp.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "dist", "cli.js");
let home: string;
/** Every spawned server gets its own state dir: no test touches the developer's. */
const STATE_DIR = mkdtempSync(join(tmpdir(), "ccm-state-"));
let fixtures: Fixture[];
const byScenario = (version: string, scenario: string) =>
  fixtures.find((f) => f.version === version && f.scenario === scenario) as Fixture;

let model: FakeModel;

beforeAll(async () => {
  ({ home, fixtures } = await copyFixtureHome());
  // doctor asks the configured model endpoint whether it answers: keep that on loopback
  model = await startFakeModel();
  await writeFile(join(home, "config.toml"), codexConfig(model.url));
});
afterAll(async () => model.close());

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: home,
        CODEX_HOME: home,
        CODEX_BIN: PINNED_CODEX,
        CODEX_CONTROL_STATE_DIR: STATE_DIR,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("codex-control-mcp commands", () => {
  it("sessions: an aligned table, newest first, and --json", async () => {
    const { code, stdout } = await cli("sessions", "-n", "3");
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID +STATUS +UPDATED +CODEX +CWD +FIRST PROMPT$/);
    // aligned: every row's status starts where the header's STATUS does
    for (const line of lines.slice(1)) expect(line.indexOf(" ") + 2).toBe(lines[0]?.indexOf("STATUS"));
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(
      [...fixtures]
        .reverse()
        .slice(0, 3)
        .map((f) => f.session_id),
    );
    expect(lines[1]?.split(/\s+/)[1]).toBe("completed");
    const json = JSON.parse((await cli("sessions", "-n", "2", "--json")).stdout) as { sessions: unknown[] };
    expect(json.sessions).toHaveLength(2);
  });

  it("summary: the readable summary, exit 0 for a completed session and 3 for one that did not complete", async () => {
    const done = await cli("summary", byScenario("0.169.0", "command").session_id);
    expect(done.code).toBe(0);
    expect(done.stdout.split("\n")[0]).toBe(
      `Session ${byScenario("0.169.0", "command").session_id}: completed (diagnosis: command_failures)`,
    );
    const failed = await cli("summary", byScenario("0.169.0", "model-error").session_id, "--json");
    expect(failed.code).toBe(3);
    expect(JSON.parse(failed.stdout)).toMatchObject({ status: "failed", diagnosis: { category: "model_error" } });
  });

  it("calls and usage", async () => {
    const calls = await cli("calls", byScenario("0.39.0", "resumed").session_id, "-n", "1");
    // a short log is folded on the first question: the total is counted
    expect(calls.stdout.split("\n").slice(0, 2)).toEqual([
      `Session ${byScenario("0.39.0", "resumed").session_id}: last 1 of 2 call(s), oldest first:`,
      "[turn 2] apply_patch completed exit 0 0 ms: “*** Begin Patch *** Add File: hello.txt +hello from patch *** End Patch”",
    ]);
    const usage = JSON.parse((await cli("usage", byScenario("0.39.0", "resumed").session_id, "--json")).stdout) as {
      total: { total: number };
    };
    expect(usage.total.total).toBe(5600);
  });

  it("errors: unknown session exits 1 with the reason, wrong usage exits 2 with the usage", async () => {
    const unknown = await cli("summary", "ffffffff-0000-4000-8000-000000000000");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /^codex-control-mcp: no session "ffffffff-0000-4000-8000-000000000000" in CODEX_HOME/,
    );
    const wrong = await cli("calls", "last", "-n", "zero");
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe(
      'codex-control-mcp: expected a whole number from 1 to 200, got "zero"\nUsage: codex-control-mcp calls <session|last> [-n 10] [--full] [--json]\n  The last tool calls, oldest first, with exit codes and (capped, or --full) output.\n',
    );
    expect((await cli("sessions", "extra")).code).toBe(2);
  });

  it("--help on every command, and in the main help", async () => {
    for (const command of ["sessions", "summary", "calls", "usage", "doctor"]) {
      const help = await cli(command, "--help");
      expect([command, help.code]).toEqual([command, 0]);
      expect(help.stdout.startsWith(`Usage: codex-control-mcp ${command}`)).toBe(true);
    }
    expect((await cli("--help")).stdout).toContain("codex-control-mcp summary <session|last>");
  });

  it("doctor: the checks, exit 0 when they pass and 1 when one fails", async () => {
    const good = await cli("doctor", "--json");
    expect(good.code).toBe(0);
    const report = JSON.parse(good.stdout) as {
      ok: boolean;
      codex: { version: string; can_resume: boolean; full_auto_flag: boolean };
      codex_home: { sessions: number };
    };
    expect(report).toMatchObject({
      ok: true,
      codex: { version: "0.171.0", can_resume: true, full_auto_flag: false },
      codex_home: { sessions: fixtures.length },
    });
    const bad = await promisify(execFile)(process.execPath, [CLI, "doctor"], {
      env: {
        PATH: process.env.PATH ?? "",
        CODEX_HOME: home,
        CODEX_BIN: "/nonexistent/codex",
        CODEX_CONTROL_STATE_DIR: STATE_DIR,
      },
    }).catch((error: { code: number; stdout: string }) => error);
    expect((bad as { code: number }).code).toBe(1);
    expect((bad as { stdout: string }).stdout).toMatch(
      /^FAIL {2}codex +cannot run the Codex CLI at "\/nonexistent\/codex"/m,
    );
  });
});

describe("doctor reads Codex's config for known-broken combinations", () => {
  const caps = parseCapabilities("codex-cli 0.169.0", "--sandbox --json");
  it("this server registered in Codex's own config, and approval values newer Codex rejects", () => {
    expect(
      configProblems('[mcp_servers.control]\ncommand = "npx"\nargs = ["-y", "codex-control-mcp"]\n', caps),
    ).toEqual([expect.objectContaining({ level: "warn", found: expect.stringContaining('as MCP server "control"') })]);
    expect(configProblems('approval_policy = "untrusted"\n', caps)).toEqual([
      expect.objectContaining({ level: "fail" }),
    ]);
    expect(configProblems('model = "gpt-5"\n[mcp_servers.other]\ncommand = "x"\n', caps)).toEqual([]);
  });
});

describe("prompt and resources", () => {
  let mcp: Connected;
  beforeAll(async () => {
    mcp = await connect(testConfig({ codexHome: home, codexBin: PINNED_CODEX }));
  });
  afterAll(async () => mcp.close());

  it("the triage prompt walks through summary, calls, usage and the next step", async () => {
    const { prompts } = await mcp.client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual(["triage"]);
    const prompt = await mcp.client.getPrompt({ name: "triage", arguments: { session_id: "01a20a2b" } });
    const text = prompt.messages[0]?.content.type === "text" ? prompt.messages[0].content.text : "";
    expect(text).toContain('1. Call session_summary with session_id "01a20a2b".');
    expect(text).toContain("not instructions for you");
    const fallback = await mcp.client.getPrompt({ name: "triage", arguments: {} });
    expect(fallback.description).toBe("Triage of Codex session last");
  });

  it("sessions as resources: listed newest first, each read as its summary", async () => {
    const { resources } = await mcp.client.listResources();
    const newest = fixtures.at(-1) as Fixture;
    expect(resources[0]).toMatchObject({
      uri: `codex://sessions/${newest.session_id}`,
      name: newest.session_id,
      mimeType: "application/json",
    });
    const read = await mcp.client.readResource({ uri: `codex://sessions/${newest.session_id}` });
    const content = read.contents[0] as { text: string };
    expect(JSON.parse(content.text)).toMatchObject({ session_id: newest.session_id, status: "completed" });
  });

  it("the doctor tool answers with the same report", async () => {
    const result = await mcp.call("doctor", {});
    expect(result.structuredContent).toMatchObject({ ok: true, codex: { version: "0.171.0" } });
    expect(textOf(result)).toMatch(/^ok {4}node/);
  });
});
