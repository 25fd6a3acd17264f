// Edges of the run wing a host's user meets: an app-server run that cannot load its config, and approvals of
// mode "ask" that become moot (the run cancelled while one waits, one answered elsewhere while the host's
// dialog is open). Real pinned Codex CLI, fake model.
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../../../src/runs/run-manager.js";
import { processesOfRun } from "../../../src/codex/processes.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { connect, testConfig, textOf, type ClientOptions, type Connected, type TestConfig } from "../../support/mcp.js";

let model: FakeModel;
let home: string;
let workdir: string;
let stateDir: string;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "edges"));
  stateDir = testConfig({ codexHome: home }).runner.stateDir;
});
afterAll(async () => model.close());

function server(settings: Partial<TestConfig> & { allowCallerApprovals?: boolean } = {}, client?: ClientOptions) {
  const { allowCallerApprovals, ...runner } = settings;
  const config = testConfig({
    codexHome: home,
    codexBin: PINNED_CODEX,
    stateDir,
    engine: "app-server",
    approvalTimeoutMs: 60_000,
    ...runner,
    childEnv: codexEnv(home),
  });
  return connect({ ...config, allowCallerApprovals: allowCallerApprovals === true }, client);
}

function viewOf(result: Awaited<ReturnType<Connected["call"]>>): RunView {
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as unknown as RunView;
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const statusOf = async (mcp: Connected, runId: string) => viewOf(await mcp.call("run_status", { run_id: runId }));

/**
 * A client whose user never answers: each dialog stays open until the server withdraws it. The server's first
 * request to it is a ping: the SDK's client ignores a cancellation of request id 0 (`if (!requestId) return`).
 */
async function neverAnswering(mcp: Connected): Promise<{ asked: string[]; withdrawn: string[] }> {
  await mcp.server.server.server.ping();
  const seen = { asked: [] as string[], withdrawn: [] as string[] };
  mcp.client.setRequestHandler(ElicitRequestSchema, (request, extra) => {
    seen.asked.push(request.params.message);
    return new Promise((resolve) =>
      extra.signal.addEventListener("abort", () => {
        seen.withdrawn.push(request.params.message);
        resolve({ action: "cancel" });
      }),
    );
  });
  return seen;
}

const escalate = (file: string) => `please STEPS: ESCALATE:touch ${file} ;; SAY:finished`;

describe('engine "app-server": errors in one line', () => {
  it("a config Codex cannot load is the run's error on one line, as on exec", async () => {
    const mcp = await server();
    try {
      const view = viewOf(
        await mcp.call("run_codex", {
          cwd: workdir,
          skip_git_repo_check: true,
          prompt: "hi",
          config: { model_reasoning_summary: "bogus" },
        }),
      );
      expect(view.status).toBe("failed");
      expect(view.error).toBe(
        "codex app-server did not start the run: rpc: codex app-server refused `thread/start`: failed to load configuration: unknown variant `bogus`, expected one of `auto`, `concise`, `detailed`, `none` in `model_reasoning_summary`",
      );
    } finally {
      await mcp.close();
    }
  });
});
