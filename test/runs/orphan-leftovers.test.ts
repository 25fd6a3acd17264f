// A run whose supervisor died is settled by whoever looks at it next: what carries the run's marker is SIGKILLed
// and the end recorded. Before, that kill was its own path (killMarked: it stopped at the first scan that found
// none, at most 20 scans), not the supervisor's (killRunLeftovers: scan again until two scans in a row find none,
// up to 5 s, and name what is left), so the end was recorded while processes of the run still ran: one started
// from outside the marker carries it only from its exec, and a single scan misses it.
//
// Here something outside the marker starts a marked process just after a scan has listed /proc, at every other
// scan: each such scan finds none, the next finds it. It is started from the scan itself (a `sleep` execs before
// `spawn` returns), not on a clock: a process on a timer of its own missed two scans in a row on a loaded machine
// (the run's end was right to be recorded then, and the test failed). A real (built) supervisor, SIGKILLed; a stub
// `codex` that sleeps; its watchdog gone before the look, so that only the look kills.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { killRunLeftovers, processesOfRun, RUN_MARKER } from "../../src/codex/processes.js";
import { stillRunning } from "../../src/codex/liveness.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { testConfig } from "../support/mcp.js";
import { stubCodex } from "../support/stub-codex.js";
import { watchdogsOf } from "../support/watchdogs.js";

/** While `left` > 0, every other listing of /proc is followed by a marked process of `runId` started outside it. */
const injection = vi.hoisted(() => ({ runId: "", left: 0, listings: 0, started: [] as ChildProcess[] }));

vi.mock("node:fs/promises", async (importOriginal) => {
  const original = await importOriginal<typeof import("node:fs/promises")>();
  const wrapped = async (...args: Parameters<typeof original.readdir>) => {
    const listed = await (original.readdir as (...a: typeof args) => Promise<unknown>)(...args);
    if (args[0] === "/proc" && injection.left > 0 && injection.listings++ % 2 === 0) {
      injection.left -= 1;
      injection.started.push(
        spawn("sleep", ["600"], { env: { ...process.env, [RUN_MARKER]: injection.runId }, stdio: "ignore" }),
      );
    }
    return listed;
  };
  return { ...original, readdir: wrapped, default: { ...original, readdir: wrapped } };
});

const pause = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("a run whose supervisor died", () => {
  it("is recorded ended only once no process of it is left", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-orphan-left-"));
    const { runner } = testConfig({ codexHome, codexBin: await stubCodex("exec sleep 600"), killGraceMs: 100 });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-orphan-left-cwd-"));
    const runId = await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true });
    const supervisor = (await manager.registry.ledger.find(runId))!.start.supervisor!;
    try {
      while ((await processesOfRun(runId)).length === 0) await pause();
      process.kill(supervisor.pid, "SIGKILL");
      while (await stillRunning(supervisor)) await pause();
      // its watchdog stops the stub and exits: from then on only the look below kills
      while ((await watchdogsOf(runId)) > 0 || (await processesOfRun(runId)).length > 0) await pause();
      Object.assign(injection, { runId, left: 2, listings: 0 });
      // the wall clock stands still for the look: the scans' 5 s bound, which a loaded machine could reach, is not
      // what is tested here (what is left then is named in the end: leftovers-gone-before-end.test.ts)
      vi.useFakeTimers({ toFake: ["Date"] });
      const view = await manager.registry.get(runId).finally(() => vi.useRealTimers());
      const injected = 2 - injection.left;
      injection.left = 0;
      const left = await processesOfRun(runId);
      expect([view?.status, view?.signal, injected]).toEqual(["failed", "SIGKILL", 2]);
      // before: the first scan found none and the end was recorded, the process started after it running on
      expect(left).toEqual([]);
    } finally {
      injection.left = 0;
      for (const child of injection.started) child.kill("SIGKILL");
      await killRunLeftovers(runId, null);
    }
  }, 30_000);
});
