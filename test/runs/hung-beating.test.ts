// A supervisor whose own hard timeout fails to end its run keeps beating, so no look at the run took it for hung:
// only cancel_run stopped it. Now the supervisor stops beating once its own monotonic clock (a machine's sleep does
// not count) is past every bound it keeps (the hard timeout, both kill grace periods, the wait for leftovers, a
// margin): the first look past the lease's deadline stops it and records the run failed, naming the hang. The fault
// this test first made real (a process outside Codex's group holding its output open) no longer keeps a run from
// ending (test/supervisor/output-held.test.ts); it is stood in for by a module loaded before the supervisor's own
// that makes its scans of /proc never return (the run's end waits on one). A real (built) supervisor, a stub `codex`.
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { leasesDir, leaseSchema, readStateFile, STATE_FILES } from "../../src/contract/index.js";
import { killRunLeftovers } from "../../src/codex/processes.js";
import { stillRunning } from "../../src/codex/liveness.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { testConfig } from "../support/mcp.js";
import { stubCodex } from "../support/stub-codex.js";

/** In the supervisor (not its watchdog), a readdir of /proc never returns. */
const STUCK_SCANS = `
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
if (!process.argv.includes("--watchdog")) {
  const readdir = fs.promises.readdir;
  fs.promises.readdir = (path, ...rest) => (String(path) === "/proc" ? new Promise(() => {}) : readdir(path, ...rest));
  syncBuiltinESMExports();
}
`;

describe("a supervisor that beats but never ends its run", () => {
  it("is stopped past its lease's deadline and the run recorded failed", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-hung-beat-"));
    const hook = join(codexHome, "stuck-scans.mjs");
    await writeFile(hook, STUCK_SCANS);
    const { runner } = testConfig({
      codexHome,
      codexBin: await stubCodex("exec sleep 600"),
      killGraceMs: 100,
      supervisorStartMs: 5000,
    });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-hung-beat-cwd-"));
    const before = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `--import=${pathToFileURL(hook).href}`;
    let runId: string;
    try {
      runId = await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true, timeoutMs: 1000 });
    } finally {
      if (before === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = before;
    }
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
      await killRunLeftovers(runId, null);
    }
  }, 90_000);
});
