// Edges of the run wing a host's user meets: an app-server run that cannot load its config, and approvals of
// mode "ask" that become moot (the run cancelled while one waits, one answered elsewhere while the host's
// dialog is open). Real pinned Codex CLI, fake model.
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../../../src/runs/run-manager.js";
import { processesOfRun } from "../../../src/codex/processes.js";
import { supervisorFailure } from "../../../src/runs/run-manager.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { pasted, withPrompt } from "../../support/pasted.js";
import { until, viewOf } from "../../support/run-views.js";
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

describe('engine "app-server": any text reaches Codex', () => {
  it("a prompt with a lone surrogate runs, the surrogate as U+FFFD, as on exec (the app-server never answered it)", async () => {
    const mcp = await server();
    try {
      const view = viewOf(
        await mcp.call("run_codex", { cwd: workdir, skip_git_repo_check: true, prompt: "please RUN:echo \ud800 done" }),
      );
      expect([view.status, view.final_message]).toEqual(["completed", "Done. The tool said: \ufffd done"]);
    } finally {
      await mcp.close();
    }
  });
});

describe('mode "ask": an approval that becomes moot', () => {
  it("cancelled while an approval waits: the approval is unanswered, the host's dialog withdrawn, nothing left", async () => {
    const mcp = await server({}, { capabilities: { elicitation: {} } });
    const seen = await neverAnswering(mcp);
    try {
      const outside = join(dirname(workdir), "cancelled-while-asking.txt");
      const run = viewOf(
        await mcp.call("run_codex", {
          cwd: workdir,
          skip_git_repo_check: true,
          background: true,
          mode: "ask",
          prompt: escalate(outside),
        }),
      );
      await until(
        async () => seen.asked.length,
        (asked) => asked === 1,
      );
      const cancelled = viewOf(await mcp.call("cancel_run", { run_id: run.run_id }));
      expect(cancelled).toMatchObject({ status: "cancelled", error: "cancelled: cancel_run was called" });
      expect(cancelled.pending_approvals).toEqual([]);
      expect(
        cancelled.approvals?.map((entry) => [entry.approval_id, entry.status, entry.decision, entry.answered_by]),
      ).toEqual([["a1", "unanswered", null, null]]);
      expect(textOf(await mcp.call("run_status", { run_id: run.run_id }))).toContain(
        `Approval a1 was not answered before the run ended; Codex did not run it (command “/bin/bash -lc 'touch ${outside}'”).`,
      );
      expect(
        await until(
          async () => seen.withdrawn.length,
          (withdrawn) => withdrawn === 1,
        ),
      ).toBe(1);
      expect(await processesOfRun(run.run_id)).toEqual([]);
      expect(existsSync(outside)).toBe(false);
      // the ended run's record stays as it was published at the end
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await statusOf(mcp, run.run_id)).approvals?.[0]?.status).toBe("unanswered");
    } finally {
      await mcp.close();
    }
  });

  it("a server that did not start the run asks its host's user when run_status follows it (the first one is gone)", async () => {
    // without an asker the approval would be declined after 10 s
    const first = await server({ stopRunsOnExit: false, approvalTimeoutMs: 10_000 });
    const outside = join(dirname(workdir), "asked-after-restart.txt");
    const run = viewOf(
      await first.call("run_codex", {
        cwd: workdir,
        skip_git_repo_check: true,
        background: true,
        mode: "ask",
        prompt: escalate(outside),
      }),
    );
    await until(
      () => statusOf(first, run.run_id),
      (view) => view.pending_approvals.length === 1,
    );
    await first.close();
    const second = await server({}, { capabilities: { elicitation: {} } });
    const asked: string[] = [];
    second.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return { action: "accept", content: { decision: "approve" } };
    });
    try {
      // polled as a host polls: one question, however many polls
      const view = await until(
        () => statusOf(second, run.run_id),
        (current) => current.status !== "running",
      );
      expect(view.status).toBe("completed");
      expect(view.approvals?.map((entry) => [entry.status, entry.decision, entry.answered_by])).toEqual([
        ["answered", "approve", "user"],
      ]);
      expect(asked).toHaveLength(1);
      expect(existsSync(outside)).toBe(true);
    } finally {
      await second.close();
    }
  });

  it("answered from another server while the host's dialog is open: the dialog is withdrawn, the answer stands", async () => {
    const first = await server({}, { capabilities: { elicitation: {} } });
    const seen = await neverAnswering(first);
    const second = await server({ allowCallerApprovals: true });
    try {
      const outside = join(dirname(workdir), "answered-elsewhere.txt");
      const run = viewOf(
        await first.call("run_codex", {
          cwd: workdir,
          skip_git_repo_check: true,
          background: true,
          mode: "ask",
          prompt: escalate(outside),
        }),
      );
      await until(
        async () => seen.asked.length,
        (asked) => asked === 1,
      );
      viewOf(await second.call("respond_approval", { run_id: run.run_id, approval_id: "a1", decision: "approve" }));
      expect(
        await until(
          async () => seen.withdrawn.length,
          (withdrawn) => withdrawn === 1,
        ),
      ).toBe(1);
      const view = await until(
        () => statusOf(first, run.run_id),
        (current) => current.status !== "running",
      );
      expect(view.status).toBe("completed");
      expect(view.approvals?.map((entry) => [entry.status, entry.decision, entry.answered_by])).toEqual([
        ["answered", "approve", "caller"],
      ]);
      expect(existsSync(outside)).toBe(true);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe("hostile input to the run tools: a clear refusal naming the fix, nothing started", () => {
  it("a model or profile name with a control character is refused before anything runs", async () => {
    const mcp = await server({ engine: "exec", allowProfile: true });
    try {
      const before = (await mcp.call("run_status", {})).structuredContent as { runs: RunView[] };
      const model = await mcp.call("run_codex", {
        cwd: workdir,
        skip_git_repo_check: true,
        prompt: "hi",
        model: "a\u0000b",
      });
      expect(model.isError).toBe(true);
      expect(textOf(model)).toBe(
        'model "a\\u0000b" contains a control character (a NUL, a line break, …): pass the name as Codex lists it.',
      );
      const profile = await mcp.call("run_codex", {
        cwd: workdir,
        skip_git_repo_check: true,
        prompt: "hi",
        profile: "p\nq",
      });
      expect(textOf(profile)).toBe(
        'profile "p\\u000aq" contains a control character (a NUL, a line break, …): pass the name as Codex lists it.',
      );
      const after = (await mcp.call("run_status", {})).structuredContent as { runs: RunView[] };
      expect(after.runs.length).toBe(before.runs.length);
    } finally {
      await mcp.close();
    }
  });

  it("a file where the state dir's leases directory goes is named, with the fix, and the server stays up", async () => {
    const mcp = await server({ engine: "exec", stateDir: testConfig({ codexHome: home }).runner.stateDir });
    const leases = join(mcp.config.runner.stateDir, "leases");
    try {
      await rm(leases, { recursive: true, force: true });
      await writeFile(leases, "not a directory");
      const refused = await mcp.call("run_codex", { cwd: workdir, skip_git_repo_check: true, prompt: "hi" });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toBe(
        `${leases} is not a directory; the state dir holds only directories this server made. Remove it (the server makes it again), or choose another state dir with --state-dir.`,
      );
      await rm(leases);
      expect(
        viewOf(await mcp.call("run_codex", { cwd: workdir, skip_git_repo_check: true, prompt: "hi" })).status,
      ).toBe("completed");
    } finally {
      await mcp.close();
    }
  });

  it("a supervisor that dies at once is reported by its message, not its stack frames", () => {
    expect(
      supervisorFailure(
        "codex-control-mcp supervisor: TypeError [ERR_INVALID_ARG_VALUE]: The argument 'args[3]' must be a string without null bytes. Received '--model=a\\x00b'\n    at spawn (node:child_process:1:1)\n    at CodexRun.start (file:///x/dist/supervisor.js:424:19)\n    at async main (file:///x/dist/supervisor.js:1077:3)\n",
      ),
    ).toBe(
      "codex-control-mcp supervisor: TypeError [ERR_INVALID_ARG_VALUE]: The argument 'args[3]' must be a string without null bytes. Received '--model=a\\x00b'",
    );
  });
});

describe("a server whose state dir is under /tmp", () => {
  it("prints a sandboxed resume command kept out of /tmp, as resume_session is: pasted, it cannot write there", async () => {
    const mcp = await server({ engine: "exec" });
    try {
      const view = viewOf(await mcp.call("run_codex", { cwd: workdir, skip_git_repo_check: true, prompt: "hi" }));
      expect(mcp.config.runner.stateDir.startsWith("/tmp/")).toBe(true);
      // the test root is $TMPDIR too (global-setup.ts), which holds the state dir as well
      expect(process.env.TMPDIR && mcp.config.runner.stateDir.startsWith(process.env.TMPDIR)).toBe(true);
      expect(view.resume_command).toBe(
        `CODEX_HOME=${home} ${PINNED_CODEX} exec --cd ${workdir} --sandbox workspace-write --skip-git-repo-check -c sandbox_workspace_write.exclude_slash_tmp=true -c sandbox_workspace_write.exclude_tmpdir_env_var=true resume ${view.session_id} 'Continue where you left off.'`,
      );
      // /tmp outside the workspace: resume_session's sandbox refuses the write, and so does the pasted command's
      const viaTool = join(dirname(workdir), "resumed-by-tool.txt");
      const resumed = viewOf(
        await mcp.call("resume_session", { session_id: view.session_id, prompt: `please RUN:touch ${viaTool}` }),
      );
      expect(resumed.status).toBe("completed");
      expect(existsSync(viaTool)).toBe(false);
      const viaPaste = join(dirname(workdir), "resumed-by-paste.txt");
      const { code, stderr } = await pasted(
        withPrompt(view.resume_command ?? "", `please RUN:touch ${viaPaste}`),
        codexEnv(home),
      );
      expect(code, stderr).toBe(0);
      expect(existsSync(viaPaste)).toBe(false);
    } finally {
      await mcp.close();
    }
  });
});

describe("a run waiting for a slot", () => {
  it("is not started once its call is cancelled (a host's tool timeout): no run of nobody's starts later", async () => {
    const mcp = await server({
      engine: "exec",
      maxConcurrent: 1,
      queueWaitMs: 30_000,
      stateDir: testConfig({ codexHome: home }).runner.stateDir,
    });
    try {
      const first = viewOf(
        await mcp.call("run_codex", {
          cwd: workdir,
          skip_git_repo_check: true,
          prompt: "please HANG",
          background: true,
          mode: "read-only",
        }),
      );
      const gaveUp = new AbortController();
      const queued = mcp
        .call(
          "run_codex",
          { cwd: workdir, skip_git_repo_check: true, prompt: "please say hi", mode: "read-only" },
          { signal: gaveUp.signal },
        )
        .catch((error: unknown) => String(error));
      await new Promise((resolve) => setTimeout(resolve, 500));
      gaveUp.abort("the host's tool timeout");
      expect(await queued).toContain("the host's tool timeout");
      viewOf(await mcp.call("cancel_run", { run_id: first.run_id }));
      // the slot is free: a run still queued would take it within a poll (100 ms)
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const { runs } = (await mcp.call("run_status", {})).structuredContent as { runs: RunView[] };
      expect(runs.map((run) => [run.run_id, run.status])).toEqual([[first.run_id, "cancelled"]]);
    } finally {
      await mcp.close();
    }
  });
});

describe("a poll that is cancelled", () => {
  it("a cancelled run_status wait (a host's tool timeout) ends the wait, not the run", async () => {
    const mcp = await server({ engine: "exec" });
    try {
      const run = viewOf(
        await mcp.call("run_codex", {
          cwd: workdir,
          skip_git_repo_check: true,
          background: true,
          prompt: "please RUN:sleep 2; echo polled",
        }),
      );
      const gaveUp = new AbortController();
      const poll = mcp
        .call("run_status", { run_id: run.run_id, wait_ms: 60_000 }, { signal: gaveUp.signal })
        .catch((error: unknown) => String(error));
      await until(
        () => statusOf(mcp, run.run_id),
        (view) => view.recent_events.some((event) => event.message === "running: sleep 2; echo polled"),
      );
      gaveUp.abort("the host's tool timeout");
      expect(await poll).toContain("the host's tool timeout");
      const ended = viewOf(await mcp.call("run_status", { run_id: run.run_id, wait_ms: 30_000 }));
      expect([ended.status, ended.error, ended.final_message]).toEqual([
        "completed",
        null,
        "Done. The tool said: polled",
      ]);
      // an ended exec run is not to be waited for: the refusal says it ended and how to go on
      const steer = await mcp.call("steer_run", { run_id: run.run_id, message: "one more thing" });
      expect([steer.isError, textOf(steer)]).toEqual([
        true,
        `run ${run.run_id} has ended (completed); continue its session with resume_session (session_id ${ended.session_id}).`,
      ]);
    } finally {
      await mcp.close();
    }
  });
});
