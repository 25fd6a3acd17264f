// While a call waits for a run and the client gave a progress token, a progress notification comes at
// least every heartbeat interval, even while Codex says nothing (a slow model). Counted, never timed: the
// interval is shortened to 100 ms and the fake model takes a second per answer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../../../src/runs/run-manager.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { connect, testConfig, type Connected } from "../../support/mcp.js";

let model: FakeModel;
let home: string;
let workdir: string;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "heartbeat"));
});
afterAll(async () => {
  await model.close();
});

async function progressDuringSlowRun(heartbeatMs: number): Promise<{ view: RunView; messages: string[] }> {
  const mcp: Connected = await connect(
    testConfig({ codexHome: home, codexBin: PINNED_CODEX, childEnv: codexEnv(home), heartbeatMs }),
  );
  try {
    model.delayMs = 1000;
    const messages: string[] = [];
    const result = await mcp.call(
      "run_codex",
      { cwd: workdir, skip_git_repo_check: true, prompt: "say something slowly" },
      { onprogress: (p) => messages.push(p.message ?? "") },
    );
    return { view: result.structuredContent as unknown as RunView, messages };
  } finally {
    model.delayMs = 0;
    await mcp.close();
  }
}

describe("the heartbeat", () => {
  it("sends progress while Codex is silent, with the elapsed time and the last thing Codex did", async () => {
    const { view, messages } = await progressDuringSlowRun(100);
    expect(view.status).toBe("completed");
    const beats = messages.filter((message) => message.startsWith("still running ("));
    expect(beats.length).toBeGreaterThanOrEqual(3);
    expect(beats.every((beat) => /^still running \(\d+ s\)(; last: .+)?$/.test(beat))).toBe(true);
    expect(beats.some((beat) => beat.includes("; last: "))).toBe(true);
  });

  it("is what makes those notifications: with a heartbeat longer than the run there are none", async () => {
    const { view, messages } = await progressDuringSlowRun(600_000);
    expect(view.status).toBe("completed");
    expect(messages.filter((message) => message.startsWith("still running ("))).toEqual([]);
  });
});
