// cancel_run stops a supervisor that does not act on the cancel within its wait (3 × kill grace + 5 s + 10 s):
// one SIGSTOPped, its event loop blocked (hung-supervisor.test.ts). A slow one that is acting on it (a loaded
// machine) was taken for hung too: SIGKILLed at the end of the wait, the run recorded "was hung", its own end
// (final message, usage) lost. Now one that still beats (touches its lease) gets one more wait and records its
// own end. Here the supervisor is made slow by a preload (NODE_OPTIONS --import) that delays each signal it
// sends to Codex's process group by 20 s: past the 15.3 s wait, within the second.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { processesOfRun, SUPERVISOR_MARKER } from "../../src/codex/processes.js";
import { stillRunning } from "../../src/codex/liveness.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { testConfig } from "../support/mcp.js";
import { stubCodex } from "../support/stub-codex.js";

const SLOW_SIGNALS = `if (process.env.${SUPERVISOR_MARKER}) {
  const kill = process.kill.bind(process);
  process.kill = (pid, signal) => {
    if (pid >= 0 || !signal) return kill(pid, signal);
    setTimeout(() => { try { kill(pid, signal); } catch {} }, 20000);
    return true;
  };
}
`;

describe("cancel_run on a slow supervisor that still beats", () => {
  it("waits for the supervisor's own end (cancelled, not 'hung'), nothing of the run left", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-slow-cancel-"));
    const preload = join(codexHome, "slow-signals.mjs");
    await writeFile(preload, SLOW_SIGNALS);
    const { runner } = testConfig({ codexHome, codexBin: await stubCodex(`exec sleep 600`), killGraceMs: 100 });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-slow-cancel-cwd-"));
    const options = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `--import ${pathToFileURL(preload).href}`;
    let runId: string;
    try {
      runId = await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true });
    } finally {
      if (options === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = options;
    }
    const supervisor = (await manager.registry.ledger.find(runId))!.start.supervisor!;
    try {
      const view = await manager.registry.cancel(runId, "stop it");
      // before: "cancelled: stop it; the run's supervisor (pid N) was hung: alive but it did not act on the cancel
      // within 15300 ms, …"
      expect([view?.status, view?.error]).toEqual(["cancelled", "cancelled: stop it"]);
      expect(await processesOfRun(runId)).toEqual([]);
    } finally {
      if (await stillRunning(supervisor)) process.kill(supervisor.pid, "SIGKILL");
    }
  }, 90_000);
});
