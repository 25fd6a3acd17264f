// The run commands of the CLI on a blank run id: a usage error (exit 2, with the usage), like a missing one,
// not "no run" (exit 1) after a look in the state dir.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCommand } from "../../src/commands/index.js";
import { testConfig } from "../support/mcp.js";

afterEach(() => void vi.restoreAllMocks());

describe("cancel, status, steer and approve with a blank run id", () => {
  it("exit 2 with the command's usage", async () => {
    const config = testConfig({ codexHome: await mkdtemp(join(tmpdir(), "ccm-cli-usage-")) });
    const stderr: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
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
