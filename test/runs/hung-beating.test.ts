// A supervisor whose own hard timeout fails to end its run keeps beating, so no look at the run took it for hung:
// only cancel_run stopped it. The fault made real: Codex leaves a process outside its group and marker (setsid,
// the marker dropped) holding its output open, so the run does not end after the kill (here: until that process
// exits, 600 s). Now the supervisor stops beating once its own monotonic clock (a machine's sleep does not count)
// is past every bound it keeps (the hard timeout, both kill grace periods, the wait for leftovers, a margin): the
// first look past the lease's deadline stops it and records the run failed, naming the hang. A real (built)
// supervisor, a stub `codex`.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { leasesDir, leaseSchema, readStateFile, STATE_FILES } from "../../src/contract/index.js";
import { RUN_MARKER } from "../../src/codex/processes.js";
import { stillRunning } from "../../src/codex/liveness.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { testConfig } from "../support/mcp.js";
import { stubCodex } from "../support/stub-codex.js";

describe("a supervisor that beats but never ends its run", () => {
  it("is stopped past its lease's deadline and the run recorded failed", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-hung-beat-"));
    const escapee = join(codexHome, "escapee.pid");
    const codex = `setsid env -u ${RUN_MARKER} sh -c 'echo $$ > ${escapee}; exec sleep 600' & exec sleep 600`;
    const { runner } = testConfig({
      codexHome,
      codexBin: await stubCodex(codex),
      killGraceMs: 100,
      supervisorStartMs: 5000,
    });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-hung-beat-cwd-"));
    const runId = await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true, timeoutMs: 1000 });
    const supervisor = (await manager.registry.ledger.find(runId))!.start.supervisor!;
    const leasePath = join(leasesDir(runner.stateDir), `${runId}.json`);
    const lease = await readStateFile(leasePath, leaseSchema, STATE_FILES.lease.maxBytes);
    try {
      // past the deadline (and the few beats' watch): before, still `running`, its supervisor beating, for 600 s
      while (Date.now() <= Date.parse(lease!.hung_after!) + 1000)
        await new Promise((resolve) => setTimeout(resolve, 200));
      const ended = await manager.registry.get(runId);
      expect([ended?.status, ended?.signal, ended?.error]).toEqual([
        "failed",
        "SIGKILL",
        `the run's supervisor (pid ${supervisor.pid}) was hung: alive but with no end recorded by ${lease!.hung_after} (its start, the run's hard timeout, both kill grace periods and a margin), so it and every process carrying the run's marker were stopped with SIGKILL. See session_summary for what the session log says.`,
      ]);
      expect(await stillRunning(supervisor)).toBe(false);
      expect(existsSync(leasePath)).toBe(false);
    } finally {
      if (await stillRunning(supervisor)) process.kill(supervisor.pid, "SIGKILL");
      if (existsSync(escapee)) process.kill(Number(readFileSync(escapee, "utf8")), "SIGKILL");
    }
  }, 90_000);
});
