// The cancel request a server leaves for a supervisor that has not started Codex yet (its call was cancelled
// during the start wait), where something that is no request already sits at `cancel` in the run's directory:
// a FIFO, a directory, a file over the cap, a link to someone's file. The supervisor passes over each of them
// (never waits on it, never follows it), so the server puts its request in their place; the link's target is
// never touched. cancel_run of a started run does the same. The built supervisor; a `codex` fixture that answers the probe and marks each run it starts.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runDir } from "../../src/contract/index.js";
import { RUN_MARKER } from "../../src/codex/processes.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { Lease } from "../../src/runs/scheduler.js";
import { testConfig } from "../support/mcp.js";
import { QUICK_SUCCESS, stubCodex } from "../support/stub-codex.js";

afterEach(() => void vi.restoreAllMocks());

const PLANTS = {
  fifo: (path: string) => execFileSync("mkfifo", [path]),
  directory: (path: string) => mkdir(join(path, "inside"), { recursive: true }),
  "file over the cap": (path: string) => writeFile(path, "x".repeat(64 * 1024)),
  "link to a private file": (path: string, victim: string) => symlink(victim, path),
} as const;

describe("a call cancelled while its supervisor starts, with something else planted at `cancel`", () => {
  it.each(Object.keys(PLANTS) as Array<keyof typeof PLANTS>)(
    "%s: the request takes its place, no Codex starts, the run is recorded as cancelled",
    async (kind) => {
      const dir = await mkdtemp(join(tmpdir(), "ccm-planted-"));
      const started = join(dir, "codex-was-started");
      const victim = join(dir, "private.txt");
      await writeFile(victim, "PRIVATE");
      const probe = await stubCodex(QUICK_SUCCESS);
      const bin = join(dir, "codex");
      await writeFile(
        bin,
        `#!/usr/bin/env bash\nif [ -n "$${RUN_MARKER}" ]; then touch ${JSON.stringify(started)}; fi\nexec ${JSON.stringify(probe)} "$@"\n`,
      );
      await chmod(bin, 0o755);
      const { runner } = testConfig({ codexHome: dir, codexBin: bin });
      const manager = new RunManager({ ...runner, stopRunsOnExit: false });
      const gaveUp = new AbortController();
      const handOver = Lease.prototype.handOver;
      // the host gives up once the supervisor is spawned, before it has read its job; `cancel` is taken already
      vi.spyOn(Lease.prototype, "handOver").mockImplementation(async function (this: Lease, ...args) {
        await handOver.apply(this, args);
        const runId = (JSON.parse(await readFile(this.path, "utf8")) as { run_id: string }).run_id;
        await PLANTS[kind](join(runDir(manager.config.stateDir, runId), "cancel"), victim);
        gaveUp.abort("the host's tool timeout");
      });
      const cwd = await mkdtemp(join(tmpdir(), "ccm-planted-cwd-"));
      const runId = await manager.start({
        prompt: "x",
        cwd,
        mode: "read-only",
        skipGitRepoCheck: true,
        signal: gaveUp.signal,
      });
      const ended = await manager.registry.wait(runId, 60_000);
      // before: the request could not be made (EEXIST), the supervisor passed over what was there, and Codex
      // was started for a call that was gone (the run completed)
      expect([ended?.status, ended?.error]).toEqual([
        "cancelled",
        "cancelled: the client cancelled the request (before Codex was started)",
      ]);
      expect(existsSync(started)).toBe(false);
      expect(await readFile(victim, "utf8")).toBe("PRIVATE");
    },
  );
});

describe("cancel_run of a started run, with something else planted at `cancel`", () => {
  it.each(Object.keys(PLANTS) as Array<keyof typeof PLANTS>)(
    "%s: the request takes its place and the run is cancelled",
    async (kind) => {
      const dir = await mkdtemp(join(tmpdir(), "ccm-planted-"));
      const victim = join(dir, "private.txt");
      await writeFile(victim, "PRIVATE");
      const bin = await stubCodex(`exec sleep 600`);
      const { runner } = testConfig({ codexHome: dir, codexBin: bin });
      const manager = new RunManager({ ...runner, stopRunsOnExit: false });
      const cwd = await mkdtemp(join(tmpdir(), "ccm-planted-cwd-"));
      const runId = await manager.start({ prompt: "x", cwd, mode: "read-only", skipGitRepoCheck: true });
      await PLANTS[kind](join(runDir(manager.config.stateDir, runId), "cancel"), victim);
      // before: the request could not be made, the supervisor passed over what was there, and cancel_run
      // answered after its whole wait (three kill grace periods and 10 s) with the run still running
      try {
        const ended = await manager.registry.cancel(runId, "cancel_run was called");
        expect([ended?.status, ended?.error]).toEqual(["cancelled", "cancelled: cancel_run was called"]);
        expect(await readFile(victim, "utf8")).toBe("PRIVATE");
      } finally {
        // a run the cancel missed (the code before the fix) is not left running
        const entry = await manager.registry.ledger.find(runId);
        if (!entry?.end && entry?.start.pgid) process.kill(-entry.start.pgid, "SIGKILL");
      }
    },
  );
});
