// Codex's own process exited, but a process outside its group and marker (a command's detached grandchild:
// setsid, the marker dropped) still held its stdout open. The supervisor waited for the pipe's end, so the run
// never ended, not even at its hard timeout (it beat on, `running`, holding its slot). Now Codex's output is read
// for OUTPUT_DRAIN_MS more after Codex exits (what Codex wrote before exiting is all read), then left; the end
// names the holder. The built supervisor; a stub `codex`, and the real CLI behind a wrapper that forks the holder.
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunLedger, runDir } from "../../src/contract/index.js";
import { stillRunning } from "../../src/codex/liveness.js";
import { RUN_MARKER } from "../../src/codex/processes.js";
import { OUTPUT_DRAIN_MS } from "../../src/supervisor/codex-process.js";
import type { RunView } from "../../src/runs/run-manager.js";
import { codexEnv, makeCodexHome } from "../support/codex-home.js";
import { startFakeModel, type FakeModel } from "../support/fake-model.js";
import { withCodexServer } from "../support/mcp.js";
import { QUICK_SUCCESS, stubCodex } from "../support/stub-codex.js";
import { supervise } from "./supervise.js";
import { FORK_HOLDER, holderOf, holdingCodex } from "../support/output-holder.js";

const holders: number[] = [];
afterAll(() => {
  for (const pid of holders) process.kill(pid, "SIGKILL");
});

const note = (pid: number) =>
  `Codex exited, but its output was still held open ${OUTPUT_DRAIN_MS} ms later by a process outside the run (pid ${pid}): it was read no further`;

describe("Codex's output held open by a process outside the run", () => {
  it("does not keep the run from ending; what Codex wrote is read and the holder named", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccm-output-held-"));
    const stateDir = join(dir, "state");
    const pidFile = join(dir, "holder.pid");
    const runId = "run_outputheld0001";
    const bin = await stubCodex(`${FORK_HOLDER}\n${QUICK_SUCCESS}`);
    await mkdir(runDir(stateDir, runId), { recursive: true, mode: 0o700 });
    // before: the supervisor never exited (bounded here at the job's 60 s timeout and more)
    const [code] = await Promise.race([
      supervise(dir, stateDir, runId, bin, { [RUN_MARKER]: runId, HOLDER_PID: pidFile }),
      new Promise<[string]>((resolve) => setTimeout(() => resolve(["still running after 20 s"]), 20_000).unref()),
    ]);
    const holder = await holderOf(pidFile, holders);
    expect(code).toBe(0);
    const end = (await new RunLedger(stateDir).find(runId))?.end;
    expect([end?.status, end?.final_message, end?.session_id, end?.error]).toEqual([
      "completed",
      "ok",
      "01a20a99-0000-7000-8000-00000000000a",
      note(holder),
    ]);
    // left to itself: not the run's to kill
    expect(await stillRunning({ pid: holder, started: null })).toBe(true);
  }, 30_000);

  describe("with the real CLI", () => {
    let model: FakeModel;
    let home: string;
    let workdir: string;
    beforeAll(async () => {
      model = await startFakeModel();
      ({ home, workdir } = await makeCodexHome(model.url, "output-held"));
    });
    afterAll(async () => model.close());

    it("loses none of the events Codex wrote before it exited", async () => {
      const dir = await mkdtemp(join(tmpdir(), "ccm-output-held-real-"));
      const { bin, pidFile } = await holdingCodex(dir, "exec");
      await withCodexServer(
        home,
        { codexBin: bin, childEnv: { ...codexEnv(home), HOLDER_PID: pidFile } },
        async (mcp) => {
          const view = (
            await mcp.call("run_codex", {
              cwd: workdir,
              skip_git_repo_check: true,
              prompt: "please say hi",
              mode: "read-only",
              wait_ms: 30_000,
            })
          ).structuredContent as unknown as RunView;
          const holder = await holderOf(pidFile, holders);
          expect([view.status, view.final_message, view.error]).toEqual(["completed", "plain answer", note(holder)]);
          expect(view.session_id).not.toBeNull();
          expect(view.usage?.output).toBe(40);
        },
      );
    }, 60_000);
  });
});
