// A run's directory replaced by a symbolic link (to someone's project, a private folder) after the server made
// it and before its supervisor writes there: the supervisor proves the directory its own (lstat: a directory,
// not a link, this user's) before it writes, starts no Codex and records the run as failed in the ledger,
// which lives outside the run's directory. The link's target is left as it was. The built supervisor, a
// fixture `codex` that leaves a file when it is started.
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jobSchema, runDir, runsDir } from "../../src/contract/index.js";
import { SUPERVISOR_MARKER } from "../../src/codex/processes.js";
import { supervisorEntry } from "../../src/runs/run-manager.js";

describe("a supervisor whose run directory became a link", () => {
  it("writes nothing through it, starts no Codex and records the run as failed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccm-rundir-link-"));
    const stateDir = join(dir, "state");
    const started = join(dir, "codex-was-started");
    const bin = join(dir, "codex");
    writeFileSync(bin, `#!/usr/bin/env bash\ntouch ${JSON.stringify(started)}\nexit 0\n`, { mode: 0o755 });
    const victim = join(dir, "private");
    await mkdir(join(victim, "inputs"), { recursive: true });
    writeFileSync(join(victim, "inputs", "keep.txt"), "PRIVATE");
    const runId = "run_linkeddir0001";
    await mkdir(runsDir(stateDir), { recursive: true, mode: 0o700 });
    // the plant: where the server made the run's directory, a link to the private folder
    await symlink(victim, runDir(stateDir, runId));
    const job = jobSchema.parse({
      runId,
      stateDir,
      codexHome: dir,
      codexBin: bin,
      argv: ["exec", "--json", "-"],
      engine: "exec",
      thread: null,
      workspace: { path: dir, dev: 0, ino: 0 },
      env: { PATH: process.env.PATH ?? "" },
      prompt: "x",
      mode: "read-only",
      model: null,
      timeoutMs: 60_000,
      killGraceMs: 300,
      codexVersion: "0.171.0",
      terminalEvents: true,
      discoverSession: false,
      resumeOf: null,
      skipGitRepoCheck: false,
      recordPrompt: false,
      serverPid: process.pid,
    });
    const child = spawn(process.execPath, [supervisorEntry()], {
      stdio: ["pipe", "ignore", "pipe"],
      env: { ...process.env, [SUPERVISOR_MARKER]: runId },
      cwd: dir,
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.stdin.end(JSON.stringify(job));
    expect([await exited, stderr]).toEqual([0, ""]);
    // before: Codex was started, state.json was written into the private folder and its inputs/ removed
    expect(await readdir(victim)).toEqual(["inputs"]);
    expect(existsSync(started)).toBe(false);
    expect(await readFile(join(victim, "inputs", "keep.txt"), "utf8")).toBe("PRIVATE");
    const records = (await readFile(join(stateDir, "runs.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((record) => record.type)).toEqual(["start", "end"]);
    expect([records[1]?.status, records[1]?.error]).toEqual([
      "failed",
      `the run's directory was not written: ${runDir(stateDir, runId)} is a symbolic link; the state dir holds only directories this server made. Remove it (the server makes it again), or choose another state dir with --state-dir.`,
    ]);
  });
});
