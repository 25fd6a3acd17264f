// A run's directory replaced by a symbolic link (to someone's project, a private folder) after the server made
// it and before its supervisor writes there: the supervisor proves the directory its own (lstat: a directory,
// not a link, this user's) before it writes, starts no Codex and records the run as failed in the ledger,
// which lives outside the run's directory. The link's target is left as it was. The built supervisor, a
// fixture `codex` that leaves a file when it is started.
import { existsSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDir, runsDir } from "../../src/contract/index.js";
import { ledgerRecords, supervise } from "./supervise.js";

const LINK_REFUSED = (dir: string) =>
  `the run's directory was not written: ${dir} is a symbolic link; the state dir holds only directories this server made. Remove it (the server makes it again), or choose another state dir with --state-dir.`;

/** A temp root with a state dir whose runs/ exists, and a private folder (with inputs/keep.txt) to link to. */
async function plantSite(): Promise<{ dir: string; stateDir: string; victim: string }> {
  const dir = await mkdtemp(join(tmpdir(), "ccm-rundir-link-"));
  const stateDir = join(dir, "state");
  const victim = join(dir, "private");
  await mkdir(join(victim, "inputs"), { recursive: true });
  writeFileSync(join(victim, "inputs", "keep.txt"), "PRIVATE");
  await mkdir(runsDir(stateDir), { recursive: true, mode: 0o700 });
  return { dir, stateDir, victim };
}

describe("a supervisor whose run directory became a link", () => {
  it("before it starts Codex: writes nothing through it, starts no Codex and records the run as failed", async () => {
    const { dir, stateDir, victim } = await plantSite();
    const started = join(dir, "codex-was-started");
    const bin = join(dir, "codex");
    writeFileSync(bin, `#!/usr/bin/env bash\ntouch ${JSON.stringify(started)}\nexit 0\n`, { mode: 0o755 });
    const runId = "run_linkeddir0001";
    // the plant: where the server made the run's directory, a link to the private folder
    await symlink(victim, runDir(stateDir, runId));
    expect(await supervise(dir, stateDir, runId, bin)).toEqual([0, ""]);
    // before: state.json was written into the private folder, its inputs/ removed, and Codex started
    expect(await readdir(victim)).toEqual(["inputs"]);
    expect(await readFile(join(victim, "inputs", "keep.txt"), "utf8")).toBe("PRIVATE");
    expect(existsSync(started)).toBe(false);
    const records = await ledgerRecords(stateDir);
    expect(records.map((record) => record.type)).toEqual(["start", "end"]);
    expect([records[1]?.status, records[1]?.error]).toEqual(["failed", LINK_REFUSED(runDir(stateDir, runId))]);
  });

  it("while Codex runs: Codex is stopped, nothing is written through it, the run is recorded as failed", async () => {
    const { dir, stateDir, victim } = await plantSite();
    const runId = "run_linkeddir0002";
    const real = runDir(stateDir, runId);
    await mkdir(join(real, "inputs"), { recursive: true, mode: 0o700 });
    const bin = join(dir, "codex");
    // Codex (this fixture) swaps the run's directory for a link, then reports progress, which is published;
    // the supervisor (its parent) is paused meanwhile, so it never sees the directory gone between the two
    writeFileSync(
      bin,
      `#!/usr/bin/env bash\nkill -STOP $PPID\nmv ${JSON.stringify(real)} ${JSON.stringify(`${real}.moved`)}\nln -s ${JSON.stringify(victim)} ${JSON.stringify(real)}\nkill -CONT $PPID\n` +
        `echo '{"type":"thread.started","thread_id":"0199a213-81c0-7800-8aa1-bbab2a035a53"}'\nexec sleep 30\n`,
      { mode: 0o755 },
    );
    expect(await supervise(dir, stateDir, runId, bin)).toEqual([0, ""]);
    // before: the run went on for its 30 s, its state was published into the private folder, its inputs/ removed
    expect(await readdir(victim)).toEqual(["inputs"]);
    expect(await readFile(join(victim, "inputs", "keep.txt"), "utf8")).toBe("PRIVATE");
    const end = (await ledgerRecords(stateDir)).find((record) => record.type === "end");
    expect([end?.status, end?.error]).toEqual(["failed", LINK_REFUSED(real)]);
  });
});
