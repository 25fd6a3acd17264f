// A young orphan lease (its holder gone, no start recorded, untouched for less than SWEEP_AFTER_MS): what carries
// its run's marker is stopped once, not at every count of the slots until the lease is swept (before: each
// count scanned every process again, and waited the leftovers' wait when it found one).
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { hungAfter, INPUTS_DIR, leasesDir, runDir, SUPERVISOR_LOG } from "../../src/contract/index.js";
import { processId } from "../../src/codex/liveness.js";
import { Lease, Scheduler } from "../../src/runs/scheduler.js";
import { startSupervisor } from "../supervisor/supervise.js";

const kills = vi.hoisted(() => [] as string[]);
vi.mock("../../src/codex/liveness.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/codex/liveness.js")>();
  return {
    ...original,
    killMarked: (runId: string) => {
      kills.push(runId);
      return original.killMarked(runId);
    },
  };
});

describe("a young orphan lease", () => {
  it("has its run's marked processes stopped once over many counts", async () => {
    const root = await mkdtemp(join(tmpdir(), "ccm-orphan-once-"));
    const stateDir = join(root, "state");
    const runId = "run_orphankillonce1";
    const lease = (await new Scheduler(stateDir, 4, 0).acquire({
      runId,
      cwd: root,
      writer: true,
      shareDirectory: false,
    })) as Lease;
    expect(lease).toBeInstanceOf(Lease);
    const dir = runDir(stateDir, runId);
    await mkdir(join(dir, INPUTS_DIR), { recursive: true, mode: 0o700 });
    await writeFile(join(dir, SUPERVISOR_LOG), "");
    const { child, exited } = startSupervisor(dir, runId);
    await lease.handOver(
      await processId(child.pid!),
      hungAfter(new Date(), { startMs: 30_000, timeoutMs: 60_000, killGraceMs: 100 }),
    );
    child.kill("SIGKILL");
    await exited;
    const scheduler = new Scheduler(stateDir, 4, 0);
    for (let count = 0; count < 3; count += 1) expect(await scheduler.live()).toEqual([]);
    expect(kills).toEqual([runId]);
    // the lease itself waits for its server (or the sweep)
    expect(existsSync(join(leasesDir(stateDir), `${runId}.json`))).toBe(true);
  });
});
