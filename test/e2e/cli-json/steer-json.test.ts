// `codex-control-mcp steer --json` against a real app-server run (pinned Codex CLI, fake model): the
// steer_run tool's structuredContent, the run and the turn the message went into.
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { RunView } from "../../../src/runs/run-manager.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { connect, testConfig, textOf, type Connected } from "../../support/mcp.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "dist", "cli.js");
let model: FakeModel;
let home: string;
let workdir: string;
let mcp: Connected;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "cli-steer"));
  mcp = await connect(
    testConfig({ codexHome: home, codexBin: PINNED_CODEX, engine: "app-server", childEnv: codexEnv(home) }),
  );
});
afterAll(async () => {
  await mcp.close();
  await model.close();
});

function viewOf(result: Awaited<ReturnType<Connected["call"]>>): RunView {
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as unknown as RunView;
}

it("steer --json is steer_run's answer: the run and steered_turn_id", async () => {
  const run = viewOf(
    await mcp.call("run_codex", {
      cwd: workdir,
      skip_git_repo_check: true,
      background: true,
      prompt: "please STEPS: RUN:sleep 3 ;; SAY:first answer",
    }),
  );
  for (;;) {
    const view = viewOf(await mcp.call("run_status", { run_id: run.run_id }));
    if (view.recent_events.some((event) => /sleep 3/.test(event.message))) break;
    expect(view.status).toBe("running");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [CLI, "steer", run.run_id, "also say hi", "--json"],
    {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: home,
        CODEX_HOME: home,
        CODEX_CONTROL_STATE_DIR: mcp.config.runner.stateDir,
      },
    },
  );
  expect(stderr).toBe("");
  const answer = JSON.parse(stdout) as Record<string, unknown>;
  expect(answer).toMatchObject({ run_id: run.run_id, engine: "app-server", status: "running" });
  expect(answer.steered_turn_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(Object.keys(answer).sort()).toEqual(
    [
      ...Object.keys(viewOf(await mcp.call("run_status", { run_id: run.run_id }))).filter((key) => key !== "data_note"),
      "steered_turn_id",
    ].sort(),
  );
});
