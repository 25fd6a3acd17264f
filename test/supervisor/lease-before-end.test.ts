// A run's slot is free once its Codex is gone, before its end is recorded: whoever sees the end (a waiting
// call) may start the next writer in the same directory at once. The supervisor in this process (its ledger
// appends watched), a fixture `codex` that completes at once.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { jobSchema, leasesDir, RunLedger, runDir, type LedgerRecord } from "../../src/contract/index.js";
import { Supervisor } from "../../src/supervisor/supervisor.js";
import { QUICK_SUCCESS, stubCodex } from "../support/stub-codex.js";

afterEach(() => void vi.restoreAllMocks());

describe("a run's end", () => {
  it("is recorded after its lease is gone (before: a writer seeing the end was refused the directory)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccm-lease-end-"));
    const stateDir = join(dir, "state");
    const runId = "run_leaseend0001";
    await mkdir(runDir(stateDir, runId), { recursive: true, mode: 0o700 });
    await mkdir(leasesDir(stateDir), { recursive: true, mode: 0o700 });
    const lease = join(leasesDir(stateDir), `${runId}.json`);
    await writeFile(lease, "{}");
    const job = jobSchema.parse({
      runId,
      stateDir,
      codexHome: dir,
      codexBin: await stubCodex(QUICK_SUCCESS),
      argv: ["exec", "--json", "-"],
      workspace: { path: dir, dev: 0, ino: 0 },
      env: { PATH: process.env.PATH ?? "" },
      prompt: "x",
      mode: "sandboxed",
      model: null,
      timeoutMs: 60_000,
      killGraceMs: 300,
      codexVersion: "0.169.0",
      terminalEvents: true,
      discoverSession: false,
      resumeOf: null,
      skipGitRepoCheck: true,
      recordPrompt: false,
      serverPid: process.pid,
    });
    const held: Array<[string, boolean]> = [];
    const append = RunLedger.prototype.append;
    vi.spyOn(RunLedger.prototype, "append").mockImplementation(async function (this: RunLedger, record: LedgerRecord) {
      held.push([record.type, existsSync(lease)]);
      return append.call(this, record);
    });
    await new Supervisor(job).supervise();
    // a session record is written only if Codex names its session before it ends (the end carries it anyway)
    expect(held.filter(([type]) => type !== "session")).toEqual([
      ["start", true],
      ["end", false],
    ]);
    expect((await new RunLedger(stateDir).find(runId))?.end?.status).toBe("completed");
  });
});
