// A real (built) supervisor made to stop itself (SIGSTOP) right after it removed its lease, freeing its slot, and
// before recording its end: a module loaded before its own (NODE_OPTIONS=--import) wraps its unlink.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { RunManager } from "../../src/runs/run-manager.js";
import { testConfig } from "./mcp.js";
import { QUICK_SUCCESS, stubCodex } from "./stub-codex.js";

const HANG_AFTER_LEASE = `
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
const unlink = fs.promises.unlink;
fs.promises.unlink = async (path, ...rest) => {
  await unlink(path, ...rest);
  if (/\\/leases\\/run_[a-z0-9]+\\.json$/.test(String(path))) process.kill(process.pid, "SIGSTOP");
};
syncBuiltinESMExports();
`;

/** Starts a run whose supervisor hangs once its slot is freed; its config, manager, run id and supervisor. */
export async function startHungAfterSlot(prefix: string) {
  const codexHome = await mkdtemp(join(tmpdir(), `${prefix}-`));
  const hook = join(codexHome, "hang-after-lease.mjs");
  await writeFile(hook, HANG_AFTER_LEASE);
  const config = testConfig({ codexHome, codexBin: await stubCodex(QUICK_SUCCESS), killGraceMs: 100 });
  const manager = new RunManager({ ...config.runner, stopRunsOnExit: false });
  const cwd = await mkdtemp(join(tmpdir(), `${prefix}-cwd-`));
  const before = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `--import=${pathToFileURL(hook).href}`;
  let runId: string;
  try {
    runId = await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true });
  } finally {
    if (before === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = before;
  }
  const supervisor = (await manager.registry.ledger.find(runId))?.start.supervisor;
  if (!supervisor) throw new Error(`run ${runId} recorded no supervisor`);
  return { config, manager, runId, supervisor };
}
