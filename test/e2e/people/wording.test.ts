// What a person reads from the CLI: one style for times (local, with the zone) and numbers (separators),
// windows in days or hours, a filter that excluded everything said as such, usage errors about what was typed.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { copyFixtureHome, type Fixture } from "../../support/fixtures.js";
import { count } from "../../../src/shared/text.js";
import { localTime, windowLength } from "../../../src/text/render.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "dist", "cli.js");
const STATE_DIR = mkdtempSync(join(tmpdir(), "ccm-state-"));
let home: string;
let fixtures: Fixture[];
const byScenario = (version: string, scenario: string) =>
  fixtures.find((f) => f.version === version && f.scenario === scenario) as Fixture;

beforeAll(async () => {
  ({ home, fixtures } = await copyFixtureHome());
});

async function cli(tz: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: home,
        TZ: tz,
        CODEX_HOME: home,
        CODEX_BIN: "/nonexistent/codex",
        CODEX_CONTROL_STATE_DIR: STATE_DIR,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("one style for times, numbers and windows", () => {
  it("the helpers", () => {
    expect([count(0), count(999), count(1234), count(258400), count(12345678)]).toEqual([
      "0",
      "999",
      "1,234",
      "258,400",
      "12,345,678",
    ]);
    expect([windowLength(10080), windowLength(300), windowLength(90), windowLength(1440), windowLength(0)]).toEqual([
      "7 d",
      "5 h",
      "90 min",
      "1 d",
      "0 min",
    ]);
    expect([localTime(null), localTime("not a time")]).toEqual(["?", "not a time"]);
    // the offset at that date: summer and winter time
    const zone = process.env.TZ;
    try {
      process.env.TZ = "Europe/Paris";
      expect([localTime("2026-07-01T12:00:00Z"), localTime("2026-12-01T12:00:00Z")]).toEqual([
        "2026-07-01 14:00:00 GMT+2",
        "2026-12-01 13:00:00 GMT+1",
      ]);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it("usage: separators, 7 d and 5 h, reset times local with the zone", async () => {
    const id = byScenario("0.169.0", "resumed").session_id;
    const utc = await cli("UTC", "usage", id);
    expect(utc.stdout).toBe(
      [
        `Session ${id}:`,
        "total 5,600 tokens (5,400 input, 1,350 cached, 200 output, 100 reasoning)",
        "last turn (2): 2,800 tokens",
        "context window: 0.6% of 258,400 used",
        "primary rate limit: 12.5% used of 5 h, resets 2026-11-24 06:00:00 UTC",
        "secondary rate limit: 40% used of 7 d, resets 2026-11-25 06:00:00 UTC",
        "",
      ].join("\n"),
    );
    expect((await cli("Asia/Tokyo", "usage", id)).stdout).toContain(
      "primary rate limit: 12.5% used of 5 h, resets 2026-11-24 15:00:00 GMT+9\n",
    );
    // offsets of other sizes and signs; an offset of zero is UTC (Intl said "GMT" for London)
    expect((await cli("Asia/Kolkata", "usage", id)).stdout).toContain("resets 2026-11-24 11:30:00 GMT+5:30\n");
    expect((await cli("America/St_Johns", "usage", id)).stdout).toContain("resets 2026-11-24 02:30:00 GMT-3:30\n");
    expect((await cli("Europe/London", "usage", id)).stdout).toContain("resets 2026-11-24 06:00:00 UTC\n");
  });

  it("summary: local times, no verdict on a completed session, a caution under a full-access command", async () => {
    const done = await cli("UTC", "summary", byScenario("0.169.0", "command").session_id);
    const lines = done.stdout.split("\n");
    expect(lines[1]).toMatch(
      / · started 2026-\d\d-\d\d \d\d:\d\d:\d\d UTC · last event 2026-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
    );
    expect(lines[2]).toBe("Diagnosis: command_failures · retrying unchanged will not help");
    const killed = await cli("UTC", "summary", byScenario("0.169.0", "killed").session_id);
    const next = killed.stdout.split("\n").findIndex((line) => line.startsWith("Next step:"));
    expect(killed.stdout.split("\n")[next]).toContain(
      "--dangerously-bypass-approvals-and-sandbox --model mock-model resume",
    );
    expect(killed.stdout.split("\n")[next + 1]).toBe(
      "Caution: this command runs Codex with full access (no sandbox, no approvals), as the session did: read what it did first, or drop that flag.",
    );
  });

  it("sessions: UPDATED in local time with the zone", async () => {
    const { stdout } = await cli("UTC", "sessions", "-n", "1");
    expect(stdout.split("\n")[1]).toMatch(/^[0-9a-f-]{36} {2}\w+ +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC {2}/);
  });
});

describe("what was typed, answered in its own terms", () => {
  it("--since that excludes every session says so and names the newest", async () => {
    const newest = fixtures.at(-1) as Fixture;
    const { code, stdout } = await cli("UTC", "sessions", "--since", "2030-01-01");
    expect(code).toBe(0);
    expect(stdout).toMatch(
      new RegExp(
        `^No sessions match --since 2030-01-01 in ${home}; the newest there is ${newest.session_id} \\(written \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC, in /home/user/proj\\)\\.\\n$`,
      ),
    );
  });

  it("an unknown command lists the commands (and the near one); -n -5 is about the number", async () => {
    expect(await cli("UTC", "sesions")).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'codex-control-mcp: unknown command "sesions". Did you mean `sessions`? The commands are sessions, summary, calls, usage, runs, status, cancel, review, steer, approve, doctor, report, export (codex-control-mcp --help); with no command it serves MCP on stdin/stdout.\n',
    });
    expect((await cli("UTC", "frobnicate")).stderr).toBe(
      'codex-control-mcp: unknown command "frobnicate". The commands are sessions, summary, calls, usage, runs, status, cancel, review, steer, approve, doctor, report, export (codex-control-mcp --help); with no command it serves MCP on stdin/stdout.\n',
    );
    const negative = await cli("UTC", "sessions", "-n", "-5");
    expect(negative.code).toBe(2);
    expect(negative.stderr.split("\n")[0]).toBe('codex-control-mcp: expected a whole number from 1 to 500, got "-5"');
    expect((await cli("UTC", "calls", "last", "--limit", "-1")).stderr.split("\n")[0]).toBe(
      'codex-control-mcp: expected a whole number from 1 to 200, got "-1"',
    );
  });

  it("an id with a typo names the session it nearly is", async () => {
    const target = byScenario("0.169.0", "command").session_id;
    const typo = `${target.slice(0, -1)}${target.endsWith("0") ? "1" : "0"}`;
    expect(await cli("UTC", "summary", typo)).toEqual({
      code: 1,
      stdout: "",
      stderr: `codex-control-mcp: no session "${typo}" in CODEX_HOME (${home}); did you mean ${target}?\n`,
    });
  });

  it("doctor says each fix once", async () => {
    const { stdout } = await cli("UTC", "doctor");
    expect(stdout).toContain(
      'FAIL  codex              cannot run the Codex CLI at "/nonexistent/codex" (ENOENT)\n      fix: Install it with `npm install -g @openai/codex`, or point --codex-bin (CODEX_BIN) at it.\n',
    );
  });
});
