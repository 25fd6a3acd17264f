// The app-server engine's output held open by a process outside the run: `codex app-server`'s detached
// grandchild (its own session, without the run's marker) holding its stdout. The run still ends: the client
// takes the child's `exit`, not its stdio's `close`, and the supervisor exits by itself, so no drain as the exec
// engine's (OUTPUT_DRAIN_MS) is needed. Checked: with the client on `close`, this run is still `running` at 60 s.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../../src/runs/run-manager.js";
import { codexEnv, makeCodexHome } from "../support/codex-home.js";
import { startFakeModel, type FakeModel } from "../support/fake-model.js";
import { withCodexServer } from "../support/mcp.js";
import { holderOf, holdingCodex } from "../support/output-holder.js";

const holders: number[] = [];
afterAll(() => {
  for (const pid of holders) process.kill(pid, "SIGKILL");
});

describe("the app-server engine's output held open by a process outside the run", () => {
  let model: FakeModel;
  beforeAll(async () => {
    model = await startFakeModel();
  });
  afterAll(async () => model.close());

  it("does not keep the run from ending (real CLI)", async () => {
    const { home, workdir } = await makeCodexHome(model.url, "app-held");
    const dir = await mkdtemp(join(tmpdir(), "ccm-app-held-"));
    const { bin, pidFile } = await holdingCodex(dir, "app-server");
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
            engine: "app-server",
            wait_ms: 30_000,
          })
        ).structuredContent as unknown as RunView;
        await holderOf(pidFile, holders);
        expect([view.status, view.final_message, view.error]).toEqual(["completed", "plain answer", null]);
      },
    );
  }, 60_000);
});
