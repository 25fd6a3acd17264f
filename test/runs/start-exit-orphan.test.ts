// A supervisor that exits after spawning Codex but before recording the run's start (its start record could not
// be written; the OOM killer): its server answers "the run's supervisor exited before starting Codex" and frees the
// slot itself (the lease sweep leaves it SWEEP_AFTER_MS for that). Codex runs in a group of its own, which the
// supervisor's exit does not end: before, the server freed the slot and left it running, unbounded, nobody's, and
// no sweep came after (the lease was gone). Now the server stops what carries the run's marker first, as it does
// for a supervisor it gave up on. A real (built) supervisor; a stub `codex` that sleeps; the supervisor's append
// to the ledger fails (a FIFO at runs.jsonl: the server reads no run from it, the supervisor refuses it).
import { execFileSync } from "node:child_process";
import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runsDir, STATE_FILES } from "../../src/contract/index.js";
import { killRunLeftovers, processesOfRun } from "../../src/codex/processes.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { testConfig } from "../support/mcp.js";
import { stubCodex } from "../support/stub-codex.js";

describe("a supervisor that exits after spawning Codex, before the start is recorded", () => {
  it("leaves no Codex of the run running once the server has answered the error", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-start-exit-"));
    const { runner } = testConfig({ codexHome, codexBin: await stubCodex("exec sleep 600"), killGraceMs: 100 });
    execFileSync("mkfifo", [join(runner.stateDir, STATE_FILES.ledger.name)]);
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-start-exit-cwd-"));
    let runId: string | undefined;
    try {
      await expect(manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true })).rejects.toThrow(
        "the run's supervisor exited before starting Codex",
      );
      [runId] = await readdir(runsDir(runner.stateDir));
      // before: [the stub's pid], running on with no slot and no supervisor
      expect(await processesOfRun(runId!)).toEqual([]);
    } finally {
      if (runId) await killRunLeftovers(runId, null);
    }
  }, 30_000);
});
