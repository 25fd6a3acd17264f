// More edges of the run wing: what a pending approval's text names as the way to answer it, on servers that
// allow different answerers; an app-server that is slow to start. Real pinned Codex CLI, fake model.
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processesOfRun } from "../../../src/codex/processes.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { until, viewOf } from "../../support/run-views.js";
import { stuckAppServer } from "../../support/stub-codex.js";
import { connect, testConfig, textOf, type ClientOptions, type TestConfig } from "../../support/mcp.js";

let model: FakeModel;
let home: string;
let workdir: string;
let stateDir: string;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "edges-b"));
  stateDir = testConfig({ codexHome: home }).runner.stateDir;
});
afterAll(async () => model.close());

function server(
  settings: Partial<TestConfig> & { allowCallerApprovals?: boolean; readOnly?: boolean } = {},
  client?: ClientOptions,
) {
  const { allowCallerApprovals, readOnly, ...runner } = settings;
  const config = testConfig({
    codexHome: home,
    codexBin: PINNED_CODEX,
    stateDir,
    engine: "app-server",
    approvalTimeoutMs: 60_000,
    ...runner,
    childEnv: codexEnv(home),
  });
  return connect(
    { ...config, allowCallerApprovals: allowCallerApprovals === true, readOnly: readOnly === true },
    client,
  );
}

const escalate = (file: string) => `please STEPS: ESCALATE:touch ${file} ;; SAY:finished`;
const approvalLine = (text: string) => text.split("\n").find((line) => line.startsWith("Approval a1 pending"));

describe("a pending approval's text names what answers it on this server", () => {
  it("names respond_approval only where the operator allowed callers; else the CLI's approve and the timeout", async () => {
    const plain = await server();
    const allowing = await server({ allowCallerApprovals: true });
    const asking = await server({}, { capabilities: { elicitation: {} } });
    // a --read-only server asks nobody, whatever its client declared
    const readOnly = await server({ readOnly: true }, { capabilities: { elicitation: {} } });
    let readOnlyAsked = false;
    readOnly.client.setRequestHandler(ElicitRequestSchema, () => {
      readOnlyAsked = true;
      return Promise.resolve({ action: "cancel" as const });
    });
    // its user never answers: the dialog stays open until the approval is settled (a ping first: the SDK's
    // client ignores a cancellation of request id 0)
    await asking.server.server.server.ping();
    asking.client.setRequestHandler(ElicitRequestSchema, (_request, extra) => {
      return new Promise((resolve) => extra.signal.addEventListener("abort", () => resolve({ action: "cancel" })));
    });
    try {
      const outside = join(dirname(workdir), "answer-words.txt");
      const run = viewOf(
        await plain.call("run_codex", {
          cwd: workdir,
          skip_git_repo_check: true,
          background: true,
          mode: "ask",
          prompt: escalate(outside),
        }),
      );
      await until(
        async () => viewOf(await plain.call("run_status", { run_id: run.run_id })).pending_approvals.length,
        (pending) => pending === 1,
      );
      const what = `Approval a1 pending: command “/bin/bash -lc 'touch ${outside}'” in ${workdir}, because “needs to write outside the workspace”`;
      // default server, a client without elicitation: respond_approval would be refused, nobody is asked
      expect(approvalLine(textOf(await plain.call("run_status", { run_id: run.run_id })))).toBe(
        `${what}; a person answers with \`codex-control-mcp approve ${run.run_id} a1 <approve|cancel>\` in a terminal (this client cannot ask its user, and respond_approval is disabled on this server), or it is declined when nobody answers in time.`,
      );
      expect(approvalLine(textOf(await asking.call("run_status", { run_id: run.run_id })))).toBe(
        `${what}; the host's user is asked in a dialog; a person can also answer with \`codex-control-mcp approve ${run.run_id} a1 <approve|cancel>\` in a terminal (respond_approval is disabled on this server), or it is declined when nobody answers in time.`,
      );
      // before: "this client cannot ask its user", of a client that declared elicitation
      expect(approvalLine(textOf(await readOnly.call("run_status", { run_id: run.run_id })))).toBe(
        `${what}; a person answers with \`codex-control-mcp approve ${run.run_id} a1 <approve|cancel>\` in a terminal, or in the dialog of the host whose server started the run where it can ask (this server is read-only: it asks nobody, and respond_approval is disabled), or it is declined when nobody answers in time.`,
      );
      expect(approvalLine(textOf(await allowing.call("run_status", { run_id: run.run_id })))).toBe(
        `${what}; answer with respond_approval (approve | cancel).`,
      );
      viewOf(await allowing.call("respond_approval", { run_id: run.run_id, approval_id: "a1", decision: "approve" }));
      const ended = viewOf(await plain.call("run_status", { run_id: run.run_id, wait_ms: 60_000 }));
      expect(ended.status).toBe("completed");
      expect(readOnlyAsked).toBe(false);
    } finally {
      await plain.close();
      await allowing.close();
      await asking.close();
      await readOnly.close();
      await rm(join(dirname(workdir), "answer-words.txt"), { force: true });
    }
  });
});

describe('engine "app-server": a slow start', () => {
  it("is recorded once the app-server is spawned, so it can be followed and cancelled, and nothing is left", async () => {
    const mcp = await server({ codexBin: await stuckAppServer() });
    try {
      const answer = await mcp.call("run_codex", {
        cwd: workdir,
        skip_git_repo_check: true,
        mode: "read-only",
        wait_ms: 1000,
        prompt: "please say hi",
      });
      // before: no start until turn/start, so the call failed after 30 s ("did not record the start … a bug")
      const run = viewOf(answer);
      expect([run.status, run.session_id]).toEqual(["running", null]);
      expect((await processesOfRun(run.run_id)).length).toBeGreaterThan(0);
      const cancelled = viewOf(await mcp.call("cancel_run", { run_id: run.run_id }));
      expect([cancelled.status, cancelled.error]).toEqual(["cancelled", "cancelled: cancel_run was called"]);
      expect(await processesOfRun(run.run_id)).toEqual([]);
    } finally {
      await mcp.close();
    }
  });
});

describe("a state file a later version wrote", () => {
  it("an approval value this version does not know reads as unknown; the run's state is kept, not ignored whole", async () => {
    const mcp = await server({ engine: "exec" });
    try {
      const run = viewOf(
        await mcp.call("run_codex", {
          cwd: workdir,
          skip_git_repo_check: true,
          mode: "read-only",
          prompt: "please say hi",
        }),
      );
      expect(run.status).toBe("completed");
      const path = join(stateDir, "runs", run.run_id, "state.json");
      const state = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
      const later = {
        approval_id: "a1",
        kind: "network_access",
        summary: "reach example.com",
        cwd: null,
        reason: null,
        decisions: ["approve", "approve_for_host", "decline"],
        requested_at: "2026-12-05T10:00:00.000Z",
        status: "withdrawn",
        decision: null,
        answered_by: "policy",
        answered_at: null,
      };
      await writeFile(path, JSON.stringify({ ...state, approvals: [later] }));
      const status = await mcp.call("run_status", { run_id: run.run_id });
      const view = viewOf(status);
      expect(
        textOf(status)
          .split("\n")
          .filter((line) => line.startsWith("Approval a1")),
      ).toEqual([
        "Approval a1 is in a state this version does not know (a newer codex-control-mcp wrote it): unknown “reach example.com”.",
      ]);
      // before: the whole state was ignored ("does not match its schema"): no approvals, no events, no files
      expect(view.approvals).toEqual([
        {
          ...later,
          kind: "unknown",
          decisions: ["approve", "unknown", "decline"],
          status: "unknown",
          answered_by: "unknown",
        },
      ]);
      expect(view.recent_events.map((event) => event.message)).toEqual(run.recent_events.map((event) => event.message));
      expect(view.recent_events.length).toBeGreaterThan(0);
      // a field that decides what runs stays strict: a mode this version does not know leaves the state unread
      await writeFile(path, JSON.stringify({ ...state, mode: "sometime-later" }));
      const strict = viewOf(await mcp.call("run_status", { run_id: run.run_id }));
      expect([strict.status, strict.mode, strict.recent_events]).toEqual(["completed", "read-only", []]);
    } finally {
      await mcp.close();
    }
  });
});
