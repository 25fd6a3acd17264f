// A supervisor that finds its run's directory replaced (a link put in its place) writes nothing there and records
// the run failed. The ending record it leaves while it records the end (ending.json, hung-after-slot.test.ts) was
// removed at the end without that check: through a link put in the directory's place, the file of that name in
// the directory the link names went instead. A real (built) supervisor whose run directory is swapped for a link,
// by a module loaded before its own, just after it frees its slot (when it has written its ending record).
import { mkdir, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { RunManager } from "../../src/runs/run-manager.js";
import { testConfig } from "../support/mcp.js";
import { QUICK_SUCCESS, stubCodex } from "../support/stub-codex.js";

/** Once the process it is loaded into removes a lease, its run's directory is moved and a link to $VICTIM put there. */
const SWAP_AFTER_LEASE = `
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
const unlink = fs.promises.unlink;
fs.promises.unlink = async (path, ...rest) => {
  await unlink(path, ...rest);
  const lease = /^(.*)\\/leases\\/(run_[a-z0-9]+)\\.json$/.exec(String(path));
  if (lease && process.env.VICTIM) {
    const dir = lease[1] + "/runs/" + lease[2];
    fs.renameSync(dir, dir + ".moved");
    fs.symlinkSync(process.env.VICTIM, dir);
  }
};
syncBuiltinESMExports();
`;

describe("a run directory swapped for a link while the supervisor records the end", () => {
  it("is not followed to remove the ending record", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-ending-link-"));
    const hook = join(codexHome, "swap-after-lease.mjs");
    await writeFile(hook, SWAP_AFTER_LEASE);
    const victim = join(codexHome, "victim");
    await mkdir(victim);
    await writeFile(join(victim, "ending.json"), "not the supervisor's");
    const { runner } = testConfig({ codexHome, codexBin: await stubCodex(QUICK_SUCCESS), killGraceMs: 100 });
    const manager = new RunManager({ ...runner, stopRunsOnExit: false });
    const cwd = await mkdtemp(join(tmpdir(), "ccm-ending-link-cwd-"));
    const before = { NODE_OPTIONS: process.env.NODE_OPTIONS, VICTIM: process.env.VICTIM };
    Object.assign(process.env, { NODE_OPTIONS: `--import=${pathToFileURL(hook).href}`, VICTIM: victim });
    let runId: string;
    try {
      runId = await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true });
    } finally {
      for (const [name, value] of Object.entries(before))
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
    let end = (await manager.registry.ledger.find(runId))?.end;
    while (!end) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      end = (await manager.registry.ledger.find(runId))?.end;
    }
    expect(end.status).toBe("failed");
    // before: []
    expect(await readdir(victim)).toEqual(["ending.json"]);
  }, 60_000);
});
