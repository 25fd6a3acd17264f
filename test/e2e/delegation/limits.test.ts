// Policy and limits of delegation, older CLIs, and faults the real CLI cannot show (a stub `codex`).
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunLedger } from "../../../src/contract/index.js";
import { DEPTH_MARKER, groupMembers, processesOfRun } from "../../../src/codex/processes.js";
import type { RunView } from "../../../src/runs/run-manager.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { codexVersion, PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import {
  connect,
  testConfig,
  textOf,
  type Connected,
  type TestConfig,
  withCodexServer,
  seedSession,
} from "../../support/mcp.js";
import { stubCodex } from "../../support/stub-codex.js";

let model: FakeModel;
let home: string;
let workdir: string;
/** A finished session made by the pinned CLI, for the resume cases. */
let sessionId: string;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "limits"));
  sessionId = await seedSession(home, workdir, "please RUN:echo seed");
});
afterAll(async () => model.close());

const withServer = (settings: Partial<TestConfig>, body: (mcp: Connected) => Promise<void>) =>
  withCodexServer(home, settings, body);

const start = (mcp: Connected, args: Record<string, unknown>) =>
  mcp.call("run_codex", { cwd: workdir, skip_git_repo_check: true, ...args });

/**
 * The session's log under CODEX_HOME/sessions, once there: Codex prints the session id before its writer task has
 * created the file (on a loaded machine, a while before).
 */
async function logWritten(sessionId: string): Promise<string> {
  for (;;) {
    const name = (await readdir(join(home, "sessions"), { recursive: true })).find((entry) =>
      entry.endsWith(`${sessionId}.jsonl`),
    );
    if (name !== undefined) return name;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The run's session id once Codex has printed it (at most 10 s), else null. */
async function sessionOf(mcp: Connected, run: RunView): Promise<string | null> {
  let sessionId = run.session_id;
  for (let i = 0; sessionId === null && i < 100; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    sessionId = ((await mcp.call("run_status", { run_id: run.run_id })).structuredContent as unknown as RunView)
      .session_id;
  }
  return sessionId;
}

async function expectGone(mcp: Connected, runId: string): Promise<void> {
  const recorded = await new RunLedger(mcp.config.runner.stateDir).find(runId);
  expect(await groupMembers(recorded?.start.pgid ?? 0)).toEqual([]);
  expect(await processesOfRun(runId)).toEqual([]);
}

describe("limits", () => {
  it("refuses a run beyond --max-concurrent once the bounded queue wait is over", async () => {
    await withServer({ maxConcurrent: 1, queueWaitMs: 300 }, async (mcp) => {
      const first = (await start(mcp, { prompt: "please HANG", background: true, mode: "read-only" }))
        .structuredContent as unknown as RunView;
      expect(first.status).toBe("running");
      const second = await start(mcp, { prompt: "please say hi", mode: "read-only" });
      expect(second.isError).toBe(true);
      expect(textOf(second)).toBe(
        "1 runs are already running (the limit, --max-concurrent) and none finished within 300 ms. Wait for one (run_status) or cancel one (cancel_run), then try again.",
      );
      await mcp.call("cancel_run", { run_id: first.run_id });
      const third = (await start(mcp, { prompt: "please say hi", mode: "read-only" }))
        .structuredContent as unknown as RunView;
      expect(third.status).toBe("completed");
    });
  });

  it("a queued run starts when a slot frees up within the wait", async () => {
    await withServer({ maxConcurrent: 1, queueWaitMs: 30_000 }, async (mcp) => {
      const first = (await start(mcp, { prompt: "please RUN:sleep 1", background: true, mode: "read-only" }))
        .structuredContent as unknown as RunView;
      const second = (await start(mcp, { prompt: "please say hi", mode: "read-only" }))
        .structuredContent as unknown as RunView;
      expect(second.status).toBe("completed");
      expect(
        ((await mcp.call("run_status", { run_id: first.run_id })).structuredContent as unknown as RunView).status,
      ).toBe("completed");
    });
  });

  it("the time a run waits in the queue is spent from its call's wait, and the run goes on", async () => {
    await withServer({ maxConcurrent: 1, queueWaitMs: 30_000 }, async (mcp) => {
      await start(mcp, { prompt: "please RUN:sleep 3", background: true, mode: "read-only" });
      const began = Date.now();
      // queued about 3 s, more than its whole wait: it answers as soon as it has started, still running
      const queued = (await start(mcp, { prompt: "please say hi", mode: "read-only", wait_ms: 2000 }))
        .structuredContent as unknown as RunView;
      expect(Date.now() - began).toBeGreaterThanOrEqual(2000);
      expect(queued.status).toBe("running");
      const ended = (await mcp.call("run_status", { run_id: queued.run_id, wait_ms: 30_000 }))
        .structuredContent as unknown as RunView;
      expect(ended.status).toBe("completed");
    });
  });

  it("one writer per directory, unless allow_concurrent; readers are always allowed", async () => {
    await withServer({}, async (mcp) => {
      const writer = (await start(mcp, { prompt: "please HANG", background: true }))
        .structuredContent as unknown as RunView;
      const second = await start(mcp, { prompt: "please say hi" });
      expect(textOf(second)).toBe(
        `run ${writer.run_id} is already writing in ${workdir}; two writers in one directory trample each other. Wait for it (run_status), cancel it (cancel_run), use mode "read-only", or pass allow_concurrent: true.`,
      );
      expect(
        ((await start(mcp, { prompt: "please say hi", mode: "read-only" })).structuredContent as unknown as RunView)
          .status,
      ).toBe("completed");
      expect(
        (
          (await start(mcp, { prompt: "please say hi", allow_concurrent: true }))
            .structuredContent as unknown as RunView
        ).status,
      ).toBe("completed");
      await mcp.call("cancel_run", { run_id: writer.run_id });
      await expectGone(mcp, writer.run_id);
    });
  });

  it("a session still running whose log Codex has not written yet is refused as running, not as unknown", async () => {
    await withServer({}, async (mcp) => {
      const writer = (await start(mcp, { prompt: "please HANG", background: true }))
        .structuredContent as unknown as RunView;
      const sessionId = await sessionOf(mcp, writer);
      expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
      // the log out of CODEX_HOME, as before Codex writes it (Codex goes on writing to the file it opened)
      const name = await logWritten(sessionId!);
      expect(name).toMatch(/^\d{4}\/\d{2}\/\d{2}\/rollout-/);
      await rename(join(home, "sessions", name), join(home, `moved-${sessionId}.jsonl`));
      // before: "no session … in CODEX_HOME", which sends an agent to start the work again beside the run
      const resumed = await mcp.call("resume_session", { session_id: sessionId, prompt: "more" });
      expect([resumed.isError, textOf(resumed)]).toEqual([
        true,
        `session ${sessionId} is still running in run ${writer.run_id}: follow it with run_status, steer it with steer_run (engine "app-server"), or stop it with cancel_run; resume it once that run has ended.`,
      ]);
      await mcp.call("cancel_run", { run_id: writer.run_id });
      await expectGone(mcp, writer.run_id);
    });
  });

  it("a session still running is not resumed, in any mode: the answer names its run; once it ended, it is", async () => {
    await withServer({}, async (mcp) => {
      const writer = (await start(mcp, { prompt: "please HANG", background: true }))
        .structuredContent as unknown as RunView;
      const sessionId = await sessionOf(mcp, writer);
      expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
      // a Codex cancelled before it created its log leaves no session to resume at the end (a loaded CI saw it)
      await logWritten(sessionId!);
      const refusal = `session ${sessionId} is still running in run ${writer.run_id}: follow it with run_status, steer it with steer_run (engine "app-server"), or stop it with cancel_run; resume it once that run has ended.`;
      // before: a read-only or allow_concurrent resume started a Codex that failed ("already has an active writer")
      for (const extra of [{ mode: "read-only" }, { allow_concurrent: true }]) {
        const resumed = await mcp.call("resume_session", { session_id: sessionId, prompt: "more", ...extra });
        expect([resumed.isError, textOf(resumed)]).toEqual([true, refusal]);
      }
      await mcp.call("cancel_run", { run_id: writer.run_id });
      await expectGone(mcp, writer.run_id);
      const resumed = (await mcp.call("resume_session", { session_id: sessionId, prompt: "please say hi" }))
        .structuredContent as unknown as RunView;
      expect([resumed.status, resumed.session_id]).toEqual(["completed", sessionId]);
    });
  });

  it("refuses to delegate from inside a delegated run (depth marker)", async () => {
    await withServer({ childEnv: { [DEPTH_MARKER]: "1" } }, async (mcp) => {
      const refused = await start(mcp, { prompt: "please say hi" });
      expect(textOf(refused)).toBe(
        "this server runs inside a Codex run that codex-control-mcp started (delegation depth 1); starting another would recurse. The operator can allow deeper delegation with --max-depth.",
      );
    });
  });

  it("checks cwd and images before anything runs", async () => {
    await withServer({}, async (mcp) => {
      expect(textOf(await start(mcp, { prompt: "x", cwd: "relative/dir" }))).toBe(
        'cwd must be an absolute path, got "relative/dir".',
      );
      expect(textOf(await start(mcp, { prompt: "x", cwd: join(workdir, "missing") }))).toBe(
        `cwd ${join(workdir, "missing")} does not exist: pass an existing project directory.`,
      );
      const file = join(workdir, "a-file.txt");
      await writeFile(file, "x");
      expect(textOf(await start(mcp, { prompt: "x", cwd: file }))).toBe(
        `cwd ${file} is not a directory: pass the project directory Codex should work in.`,
      );
      expect(textOf(await start(mcp, { prompt: "x", images: [join(workdir, "nope.png")] }))).toBe(
        `image ${join(workdir, "nope.png")} is not a readable file.`,
      );
      expect(textOf(await start(mcp, { prompt: "x", config: { "bad key": 1 } }))).toBe(
        'config key "bad key" is not a dotted config path (letters, digits, _ and -, joined by dots).',
      );
      expect(textOf(await start(mcp, { prompt: "x", timeout_ms: 999_999_999 }))).toBe(
        "timeout_ms 999999999 is above this server's maximum of 14400000 ms (--max-timeout-ms).",
      );
    });
  });

  it("resume_session refuses unknown and archived sessions before anything runs", async () => {
    await withServer({}, async (mcp) => {
      const unknown = await mcp.call("resume_session", {
        session_id: "ffffffff-0000-4000-8000-000000000000",
        prompt: "x",
      });
      expect(textOf(unknown)).toMatch(/^no session "ffffffff-0000-4000-8000-000000000000" in CODEX_HOME/);
      const source =
        (await readdir(join(home, "sessions"), { recursive: true })).find((name) =>
          name.endsWith(`${sessionId}.jsonl`),
        ) ?? "";
      await mkdir(join(home, "archived_sessions"), { recursive: true });
      const archivedId = "01a20a99-0000-7000-8000-0000000000aa";
      const text = (await readFile(join(home, "sessions", source), "utf8")).split(sessionId).join(archivedId);
      await writeFile(join(home, "archived_sessions", `rollout-2026-11-23T00-00-00-${archivedId}.jsonl`), text);
      expect(textOf(await mcp.call("resume_session", { session_id: archivedId, prompt: "x" }))).toBe(
        `session ${archivedId} is archived, and Codex cannot resume an archived session. Run \`codex unarchive ${archivedId}\` first.`,
      );
      expect((await new RunLedger(mcp.config.runner.stateDir).runs()).length).toBe(0);
    });
  });

  it("a missing Codex binary is a clear error naming CODEX_BIN and the install command", async () => {
    await withServer({ codexBin: "/nonexistent/codex" }, async (mcp) => {
      const result = await start(mcp, { prompt: "please say hi" });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toBe(
        'cannot run the Codex CLI at "/nonexistent/codex" (ENOENT). Install it with `npm install -g @openai/codex`, or set CODEX_BIN to its path.',
      );
    });
  });
});

describe("older Codex CLIs", () => {
  it("0.39.0: the legacy `{id,msg}` stream, the session id found from its new rollout, and resume", async () => {
    const codex039 = await codexVersion("0.39.0");
    await withServer({ codexBin: codex039 }, async (mcp) => {
      const view = (await start(mcp, { prompt: "please RUN:echo legacy" })).structuredContent as unknown as RunView;
      expect(view).toMatchObject({
        status: "completed",
        exit_code: 0,
        final_message: "Done. The tool said: legacy",
        usage: { input: 2700, cached_input: 675, output: 100, reasoning_output: 50, total: 2800 },
        effective: { sandbox: "workspace-write", cwd: workdir, mismatch: false },
      });
      expect(view.session_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(view.rollout_path).toContain(view.session_id);
      expect(view.recent_events.map((event) => event.message)).toContain("running: echo legacy");

      const resumed = (
        await mcp.call("resume_session", { session_id: view.session_id, prompt: "now PATCH:legacy-patch.txt" })
      ).structuredContent as unknown as RunView;
      expect(resumed).toMatchObject({
        status: "completed",
        session_id: view.session_id,
        files_changed: [join(workdir, "legacy-patch.txt")],
      });
      const summary = (await mcp.call("session_summary", { session_id: view.session_id })).structuredContent as {
        turns: unknown[];
      };
      expect(summary.turns).toHaveLength(2);
    });
  });

  it("0.20.0 cannot resume: refused before anything runs", async () => {
    const codex020 = await codexVersion("0.20.0");
    await withServer({ codexBin: codex020 }, async (mcp) => {
      const result = await mcp.call("resume_session", { session_id: sessionId, prompt: "continue" });
      expect(textOf(result)).toBe(
        "Codex 0.20.0 cannot resume sessions (`codex exec resume` arrived in 0.35). Upgrade with `npm install -g @openai/codex`.",
      );
    });
  });
});

describe("faults shown by a stub codex", () => {
  it("a resume that lands in a different session fails loudly and is stopped", async () => {
    const other = "01a20a99-0000-7000-8000-000000000001";
    const stub = await stubCodex(
      `echo '{"type":"thread.started","thread_id":"${other}"}'; echo '{"type":"turn.started"}'; sleep 30`,
    );
    await withServer({ codexBin: stub }, async (mcp) => {
      const view = (await mcp.call("resume_session", { session_id: sessionId, prompt: "continue" }))
        .structuredContent as unknown as RunView;
      expect(view).toMatchObject({
        status: "failed",
        session_id: other,
        error: `Codex started a new session ${other} instead of resuming ${sessionId} (it does that when it cannot find the session it was asked for); the run was stopped.`,
      });
      await expectGone(mcp, view.run_id);
    });
  });

  it("exiting 0 without a terminal event is a failure, with stderr's last line", async () => {
    const stub = await stubCodex(
      `echo '{"type":"thread.started","thread_id":"01a20a99-0000-7000-8000-000000000002"}'; echo 'garbage that is not json'; echo 'fatal: something broke' >&2; exit 0`,
    );
    await withServer({ codexBin: stub }, async (mcp) => {
      const view = (await start(mcp, { prompt: "x" })).structuredContent as unknown as RunView;
      expect(view).toMatchObject({
        status: "failed",
        exit_code: 0,
        error: "codex exited without finishing the turn (no turn.completed event)",
        stderr_tail: "fatal: something broke\n",
      });
    });
  });

  it("a crash is `failed` with the exit code and the reason from stderr", async () => {
    const stub = await stubCodex(
      `echo 'Error: CODEX_HOME points to "/nope", but that path does not exist' >&2; exit 1`,
    );
    await withServer({ codexBin: stub }, async (mcp) => {
      const view = (await start(mcp, { prompt: "x" })).structuredContent as unknown as RunView;
      expect(view).toMatchObject({
        status: "failed",
        exit_code: 1,
        session_id: null,
        error: 'codex exited with code 1: Error: CODEX_HOME points to "/nope", but that path does not exist',
      });
    });
  });
});

describe("server shutdown", () => {
  it("stops every running run, records it as cancelled, and leaves no process", async () => {
    const mcp = await connect(testConfig({ codexHome: home, codexBin: PINNED_CODEX, childEnv: codexEnv(home) }));
    const runs = [];
    for (const prompt of ["please HANG", "please RUN:sleep 30"]) {
      runs.push(
        ((await start(mcp, { prompt, background: true, mode: "read-only" })).structuredContent as unknown as RunView)
          .run_id,
      );
    }
    await mcp.close();
    const ledger = new RunLedger(mcp.config.runner.stateDir);
    for (const runId of runs) {
      expect((await ledger.find(runId))?.end).toMatchObject({
        status: "cancelled",
        error: "cancelled: the server is shutting down",
      });
      await expectGone(mcp, runId);
    }
  });
});
