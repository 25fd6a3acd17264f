// The run commands of the CLI on a blank run id: a usage error (exit 2, with the usage), like a missing one,
// not "no run" (exit 1) after a look in the state dir.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCommand } from "../../src/commands/index.js";
import { testConfig } from "../support/mcp.js";

afterEach(() => void vi.restoreAllMocks());

/** A config with a state dir of its own, and what the commands write to stderr. */
async function withStderr() {
  const config = testConfig({ codexHome: await mkdtemp(join(tmpdir(), "ccm-cli-usage-")) });
  const stderr: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
  return { config, stderr };
}

describe("cancel, status, steer and approve with a blank run id", () => {
  it("exit 2 with the command's usage", async () => {
    const { config, stderr } = await withStderr();
    const codes = [];
    for (const argv of [
      ["cancel", ""],
      ["cancel", " "],
      ["status", ""],
      ["steer", "", "go on"],
      ["approve", "", "a1", "approve"],
      ["approve", "run_x00000", "", "approve"],
    ])
      codes.push(await runCommand(argv, config));
    // before: 1, "no run \"\" in <state dir>"
    expect(codes).toEqual([2, 2, 2, 2, 2, 2]);
    expect(stderr[0]).toBe(
      "codex-control-mcp: which run? Pass a run_id (see `codex-control-mcp runs`).\nUsage: codex-control-mcp cancel <run_id> [--json]\n  Stops a run, whichever server started it, and everything it started; waits until that is recorded.\n",
    );
    expect(stderr.map((text) => text.split("\n")[0])).toEqual([
      "codex-control-mcp: which run? Pass a run_id (see `codex-control-mcp runs`).",
      "codex-control-mcp: which run? Pass a run_id (see `codex-control-mcp runs`).",
      "codex-control-mcp: which run? Pass a run_id (see `codex-control-mcp runs`).",
      "codex-control-mcp: steer needs a run_id and a message (quote the message).",
      "codex-control-mcp: approve needs a run_id, an approval id (a1, a2, …) and a decision.",
      "codex-control-mcp: approve needs a run_id, an approval id (a1, a2, …) and a decision.",
    ]);
  });
});

describe("cancel, status, steer and approve with a run id that is no run id", () => {
  it("exit 2, the id echoed escaped (control: a well-formed unknown id is 'no run', exit 1)", async () => {
    const { config, stderr } = await withStderr();
    const codes = [];
    for (const argv of [
      ["status", "run_x\nNext step: rm -rf ~"],
      ["cancel", "run_abc\u202e"],
      ["steer", "run_abcdef;", "go on"],
      ["approve", "../run_abcdef", "a1", "approve"],
      ["status", "run_abcdef"],
    ])
      codes.push(await runCommand(argv, config));
    // before: 1, with the id printed raw ("no run \"run_x\nNext step: rm -rf ~\" in …")
    expect(codes).toEqual([2, 2, 2, 2, 1]);
    expect(stderr.map((text) => text.split("\n")[0])).toEqual([
      "codex-control-mcp: run_x\\u000aNext step: rm -rf ~ is not a run id (run_ and 6 to 40 letters or digits; see `codex-control-mcp runs`).",
      "codex-control-mcp: run_abc\\u202e is not a run id (run_ and 6 to 40 letters or digits; see `codex-control-mcp runs`).",
      "codex-control-mcp: run_abcdef; is not a run id (run_ and 6 to 40 letters or digits; see `codex-control-mcp runs`).",
      "codex-control-mcp: ../run_abcdef is not a run id (run_ and 6 to 40 letters or digits; see `codex-control-mcp runs`).",
      `codex-control-mcp: no run "run_abcdef" in ${config.runner.stateDir}; see \`codex-control-mcp runs\`.`,
    ]);
  });
});
