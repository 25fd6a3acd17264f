// A supervisor told to stop before it has started Codex (the server gave up waiting for the start record,
// src/runs/supervisor-spawn.ts) starts nothing and records nothing. The built supervisor, a fixture `codex`
// that leaves a file when it is started.
import { existsSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDir } from "../../src/contract/index.js";
import { startSupervisor, supervisorJob } from "./supervise.js";

describe("a supervisor stopped before it starts Codex", () => {
  it("starts nothing and records nothing when SIGTERM comes before its job", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccm-stopped-"));
    const stateDir = join(dir, "state");
    const started = join(dir, "codex-was-started");
    const bin = join(dir, "codex");
    writeFileSync(bin, `#!/usr/bin/env bash\ntouch ${JSON.stringify(started)}\nsleep 30\n`, { mode: 0o755 });
    const runId = "run_stopped00001";
    await mkdir(runDir(stateDir, runId), { recursive: true, mode: 0o700 });
    const job = supervisorJob(dir, stateDir, runId, bin);
    const { child, exited, stderr } = startSupervisor(dir, runId);
    // its handlers are installed before it reads its job: once it has read most of a megabyte (more than a
    // pipe holds) of the job's trailing blanks, it is reading, and the job has not yet ended
    await new Promise((resolve) => child.stdin.write(JSON.stringify(job) + " ".repeat(1 << 20), resolve));
    child.kill("SIGTERM");
    child.stdin.end();
    expect([await exited, stderr()]).toEqual([0, ""]);
    // before: the SIGTERM was dropped (no supervisor yet), Codex started and the run was recorded
    expect(existsSync(started)).toBe(false);
    expect(existsSync(join(stateDir, "runs.jsonl"))).toBe(false);
  });
});
