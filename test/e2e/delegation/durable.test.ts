// Runs that outlive the server that started them: followed, cancelled and limited from any process that
// shares the state dir (another server, the CLI), with the real pinned Codex CLI and the fake model.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunLedger } from "../../../src/contract/index.js";
import { stillRunning } from "../../../src/codex/liveness.js";
import { processesOfRun } from "../../../src/codex/processes.js";
import type { RunView } from "../../../src/runs/run-manager.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { connect, testConfig, textOf, type Connected, type TestConfig } from "../../support/mcp.js";
import { CLI, serveStdio } from "../../support/stdio-server.js";
import { watchdogPids } from "../../support/watchdogs.js";

let model: FakeModel;
let home: string;
let workdir: string;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "durable"));
});
afterAll(async () => model.close());

const newStateDir = () => mkdtemp(join(tmpdir(), "ccm-state-"));

/** An in-memory server whose runs outlive it (the default outside tests). */
async function server(stateDir: string, settings: Partial<TestConfig> = {}): Promise<Connected> {
  return connect(
    testConfig({
      codexHome: home,
      codexBin: PINNED_CODEX,
      stateDir,
      stopRunsOnExit: false,
      ...settings,
      childEnv: codexEnv(home),
    }),
  );
}

function stdioServer(stateDir: string) {
  return serveStdio(["--codex-bin", PINNED_CODEX, "--state-dir", stateDir, "--kill-grace-ms", "1000"], codexEnv(home));
}

const runCodex = async (mcp: Connected, args: Record<string, unknown>): Promise<RunView> => {
  const result = await mcp.call("run_codex", { cwd: workdir, skip_git_repo_check: true, ...args });
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as unknown as RunView;
};
const statusOf = async (mcp: Connected, args: Record<string, unknown>): Promise<RunView> =>
  (await mcp.call("run_status", args)).structuredContent as unknown as RunView;

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return probe();
}

/** Nothing of the runs is left: no process carrying their marker, and their supervisors have exited. */
async function expectNothingLeft(stateDir: string, runIds: string[]): Promise<void> {
  const ledger = new RunLedger(stateDir);
  for (const runId of runIds) {
    expect(await processesOfRun(runId)).toEqual([]);
    const supervisor = (await ledger.find(runId))?.start.supervisor;
    expect(supervisor?.pid).toBeGreaterThan(0);
    // it exits right after recording the end
    expect(
      await until(
        () => stillRunning(supervisor ?? { pid: 0, started: null }),
        (running) => !running,
      ),
    ).toBe(false);
  }
}

/** Waits for a run to be running the given command (so its process tree is there). */
async function runningCommand(mcp: Connected, runId: string, command: string): Promise<void> {
  await until(
    () => statusOf(mcp, { run_id: runId, wait_ms: 200 }),
    (view) => view.recent_events.some((event) => event.message === `running: ${command}`),
  );
}

describe("a run outlives the server that started it", () => {
  it("a background run whose server's stdin is closed right after the start goes on, and a new server sees it completed", async () => {
    const stateDir = await newStateDir();
    const first = await stdioServer(stateDir);
    const started = (
      await first.call("run_codex", {
        prompt: "please RUN:sleep 1; echo durable",
        cwd: workdir,
        skip_git_repo_check: true,
        background: true,
      })
    ).structuredContent as unknown as RunView;
    expect(started.status).toBe("running");
    first.child.stdin.end();
    await first.exited();
    expect(first.child.exitCode).toBe(0);
    const second = await server(stateDir);
    try {
      const ended = await statusOf(second, { run_id: started.run_id, wait_ms: 60_000 });
      expect(ended).toMatchObject({
        run_id: started.run_id,
        status: "completed",
        final_message: "Done. The tool said: durable",
        session_id: started.session_id,
        error: null,
      });
      expect(ended.recent_events.map((event) => event.message)).toContain("running: sleep 1; echo durable");
      const summary = (await second.call("session_summary", { session_id: started.session_id })).structuredContent as {
        status: string;
      };
      expect(summary.status).toBe("completed");
    } finally {
      await second.close();
    }
    await expectNothingLeft(stateDir, [started.run_id]);
  });

  it("the hard timeout holds after the server is SIGKILLed: the run ends by timeout with no process left", async () => {
    const stateDir = await newStateDir();
    const first = await stdioServer(stateDir);
    const started = (
      await first.call("run_codex", {
        prompt: "please HANG",
        cwd: workdir,
        skip_git_repo_check: true,
        background: true,
        timeout_ms: 3000,
      })
    ).structuredContent as unknown as RunView;
    expect(started.status).toBe("running");
    first.child.kill("SIGKILL");
    await first.exited();
    const ledger = new RunLedger(stateDir);
    const recorded = await until(
      () => ledger.find(started.run_id),
      (entry) => entry?.end !== null,
    );
    expect(recorded?.end).toMatchObject({
      status: "timeout",
      error: "timed out: no result within 3000 ms",
      session_id: started.session_id,
    });
    await expectNothingLeft(stateDir, [started.run_id]);
  });

  it("--stop-runs-on-exit keeps the old behaviour: closing stdin cancels the server's runs", async () => {
    const stateDir = await newStateDir();
    const first = await serveStdio(
      ["--codex-bin", PINNED_CODEX, "--state-dir", stateDir, "--kill-grace-ms", "1000", "--stop-runs-on-exit"],
      codexEnv(home),
    );
    const started = (
      await first.call("run_codex", {
        prompt: "please HANG",
        cwd: workdir,
        skip_git_repo_check: true,
        background: true,
      })
    ).structuredContent as unknown as RunView;
    first.child.stdin.end();
    await first.exited();
    expect((await new RunLedger(stateDir).find(started.run_id))?.end).toMatchObject({
      status: "cancelled",
      error: "cancelled: the server shut down (stdin closed)",
    });
    await expectNothingLeft(stateDir, [started.run_id]);
  });
});

describe("any process of the state dir follows and stops any run", () => {
  it("a second server sees the first one's run running with its progress, and cancels it", async () => {
    const stateDir = await newStateDir();
    const first = await server(stateDir);
    const second = await server(stateDir);
    try {
      const started = await runCodex(first, { prompt: "please RUN:sleep 30", background: true });
      await runningCommand(second, started.run_id, "sleep 30");
      const seen = await statusOf(second, { run_id: started.run_id });
      expect(seen).toMatchObject({ status: "running", session_id: started.session_id, error: null });
      expect(textOf(await second.call("run_status", { run_id: started.run_id }))).toContain("Now: “running: sleep 30”");
      const listed = (await second.call("run_status", {})).structuredContent as { runs: RunView[] };
      expect(listed.runs.map((view) => [view.run_id, view.status])).toEqual([[started.run_id, "running"]]);
      const summary = (await second.call("session_summary", { session_id: started.session_id })).structuredContent as {
        diagnosis: { category: string };
      };
      expect(summary.diagnosis.category).toBe("running");
      const sessions = (await second.call("list_sessions", { limit: 50 })).structuredContent as {
        sessions: Array<{ session_id: string; status: string; running_run_id: string | null }>;
      };
      expect(sessions.sessions.find((session) => session.session_id === started.session_id)).toMatchObject({
        status: "incomplete",
        running_run_id: started.run_id,
      });

      const cancelled = (await second.call("cancel_run", { run_id: started.run_id }))
        .structuredContent as unknown as RunView;
      expect(cancelled).toMatchObject({
        run_id: started.run_id,
        status: "cancelled",
        error: "cancelled: cancel_run was called",
        session_id: started.session_id,
      });
      expect(await statusOf(first, { run_id: started.run_id })).toMatchObject({
        status: "cancelled",
        error: "cancelled: cancel_run was called",
      });
      await expectNothingLeft(stateDir, [started.run_id]);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("two servers sharing a state dir respect one concurrency cap and one writer per directory", async () => {
    const stateDir = await newStateDir();
    const first = await server(stateDir, { maxConcurrent: 1, queueWaitMs: 300 });
    const second = await server(stateDir, { maxConcurrent: 1, queueWaitMs: 300 });
    const ids: string[] = [];
    try {
      const writer = await runCodex(first, { prompt: "please HANG", background: true });
      ids.push(writer.run_id);
      const busy = await second.call("run_codex", { cwd: workdir, skip_git_repo_check: true, prompt: "please say hi" });
      expect(textOf(busy)).toBe(
        `run ${writer.run_id} is already writing in ${workdir}; two writers in one directory trample each other. Wait for it (run_status), cancel it (cancel_run), use mode "read-only", or pass allow_concurrent: true.`,
      );
      const full = await second.call("run_codex", {
        cwd: workdir,
        skip_git_repo_check: true,
        prompt: "please say hi",
        mode: "read-only",
      });
      expect(textOf(full)).toBe(
        "1 runs are already running (the limit, --max-concurrent) and none finished within 300 ms. Wait for one (run_status) or cancel one (cancel_run), then try again.",
      );
      await second.call("cancel_run", { run_id: writer.run_id });
      const next = await runCodex(second, { prompt: "please say hi", mode: "read-only" });
      ids.push(next.run_id);
      expect(next.status).toBe("completed");
      await expectNothingLeft(stateDir, ids);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("a client's cancellation of a waiting run_codex call still cancels that run", async () => {
    const stateDir = await newStateDir();
    const mcp = await server(stateDir);
    try {
      const abort = new AbortController();
      const call = mcp.call(
        "run_codex",
        { cwd: workdir, skip_git_repo_check: true, prompt: "please RUN:sleep 30" },
        { signal: abort.signal },
      );
      const ledger = new RunLedger(stateDir);
      const entry = await until(
        async () => (await ledger.runs())[0],
        (found) => found !== undefined,
      );
      const runId = entry?.start.run_id ?? "";
      await runningCommand(mcp, runId, "sleep 30");
      abort.abort();
      await expect(call).rejects.toThrow();
      const ended = await statusOf(mcp, { run_id: runId, wait_ms: 30_000 });
      expect(ended).toMatchObject({ status: "cancelled", error: "cancelled: the client cancelled the request" });
      await expectNothingLeft(stateDir, [runId]);
    } finally {
      await mcp.close();
    }
  });

  it("a SIGKILLed supervisor's Codex is found and stopped by the next call, which records why", async () => {
    const stateDir = await newStateDir();
    const mcp = await server(stateDir);
    try {
      const schema = {
        type: "object",
        properties: { ok: { type: "boolean" } },
        required: ["ok"],
        additionalProperties: false,
      };
      const started = await runCodex(mcp, { prompt: "please RUN:sleep 30", background: true, output_schema: schema });
      await runningCommand(mcp, started.run_id, "sleep 30");
      const inputs = join(stateDir, "runs", started.run_id, "inputs");
      expect(await readdir(inputs)).toEqual(["schema.json"]);
      const supervisor = (await new RunLedger(stateDir).find(started.run_id))?.start.supervisor;
      // its watchdog first (killed too, say): else it stops the run's Codex itself at once (the case below)
      const [watchdog] = await watchdogPids(started.run_id);
      process.kill(watchdog ?? 0, "SIGKILL");
      process.kill(supervisor?.pid ?? 0, "SIGKILL");
      await until(
        () => stillRunning(supervisor ?? { pid: 0, started: null }),
        (running) => !running,
      );
      expect((await processesOfRun(started.run_id)).length).toBeGreaterThan(1);
      const view = await statusOf(mcp, { run_id: started.run_id });
      expect(view.status).toBe("failed");
      expect(view.error).toMatch(
        new RegExp(
          `^the run's supervisor \\(pid ${supervisor?.pid}\\) stopped before the run ended; [1-9]\\d* process\\(es\\) still carrying the run's marker were stopped by the next process that looked at it \\(pid ${process.pid}\\)\\. See session_summary for what the session log says\\.$`,
        ),
      );
      expect((await new RunLedger(stateDir).find(started.run_id))?.end).toMatchObject({
        status: "failed",
        signal: "SIGKILL",
        session_id: started.session_id,
      });
      expect(await processesOfRun(started.run_id)).toEqual([]);
      // the run's inputs go with it, removed by the process that settled it
      expect(existsSync(inputs)).toBe(false);
    } finally {
      await mcp.close();
    }
  });

  it("a SIGKILLed supervisor's Codex is stopped by its watchdog; the next call records the end, saying so", async () => {
    const stateDir = await newStateDir();
    const mcp = await server(stateDir);
    try {
      const started = await runCodex(mcp, { prompt: "please RUN:sleep 30", background: true });
      await runningCommand(mcp, started.run_id, "sleep 30");
      const supervisor = (await new RunLedger(stateDir).find(started.run_id))?.start.supervisor;
      process.kill(supervisor?.pid ?? 0, "SIGKILL");
      // nobody looks at the run meanwhile: before the watchdog, its Codex ran on until a call did
      await until(
        async () => (await processesOfRun(started.run_id)).length,
        (left) => left === 0,
      );
      expect(await processesOfRun(started.run_id)).toEqual([]);
      const view = await statusOf(mcp, { run_id: started.run_id });
      expect([view.status, view.error]).toEqual([
        "failed",
        `the run's supervisor (pid ${supervisor?.pid}) stopped before the run ended; no process carrying the run's marker was left (its watchdog stops them once the supervisor is gone). See session_summary for what the session log says.`,
      ]);
    } finally {
      await mcp.close();
    }
  });
});

describe("what a run ran with is its own turn's, read by any process of the state dir", () => {
  it("a later resume with other settings does not make the earlier run's effective settings its own", async () => {
    const stateDir = await newStateDir();
    const first = await server(stateDir);
    let runId: string;
    try {
      const run = await runCodex(first, { prompt: "please say hi" });
      runId = run.run_id;
      const resumed = await first.call("resume_session", {
        session_id: run.session_id,
        prompt: "please say more",
        mode: "read-only",
        model: "other-model",
      });
      expect((resumed.structuredContent as unknown as RunView).status).toBe("completed");
    } finally {
      await first.close();
    }
    // a new process: nothing of the first run's view is kept in memory
    const second = await server(stateDir);
    try {
      const view = await statusOf(second, { run_id: runId });
      // before: the resume's turn, "sandbox is read-only, asked for workspace-write"
      expect(view.effective).toMatchObject({
        model: "mock-model",
        sandbox: "workspace-write",
        mismatch: false,
        differences: [],
      });
    } finally {
      await second.close();
    }
  });
});

describe("the CLI for people", () => {
  const cli = promisify(execFile);
  const run = (stateDir: string, args: string[]) =>
    cli(process.execPath, [CLI, ...args], { env: { ...codexEnv(home), CODEX_CONTROL_STATE_DIR: stateDir } }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );

  it("runs, status and cancel follow and stop a run a server started", async () => {
    const stateDir = await newStateDir();
    const mcp = await server(stateDir);
    try {
      const started = await runCodex(mcp, { prompt: "please RUN:sleep 30", background: true });
      const listed = await run(stateDir, ["runs", "--json"]);
      expect(listed.code).toBe(0);
      expect(
        (JSON.parse(listed.stdout) as { runs: RunView[] }).runs.map((view) => [
          view.run_id,
          view.status,
          view.session_id,
          view.cwd,
        ]),
      ).toEqual([[started.run_id, "running", started.session_id, workdir]]);
      const table = (await run(stateDir, ["runs"])).stdout.split("\n");
      expect(table[0]).toMatch(/^RUN_ID +STATUS +SESSION +CWD +STARTED +DURATION$/);
      expect(table[1]).toMatch(
        new RegExp(
          `^${started.run_id} +running +${started.session_id} +${workdir} +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\S+ +\\d+ s$`,
        ),
      );

      const status = await run(stateDir, ["status", started.run_id, "--json"]);
      expect(status.code).toBe(0);
      const tool = await statusOf(mcp, { run_id: started.run_id });
      // the same run object; the tool's result also carries data_note, its word to the model about log text
      expect(Object.keys(JSON.parse(status.stdout) as object)).toEqual(
        Object.keys(tool).filter((key) => key !== "data_note"),
      );
      expect(JSON.parse(status.stdout)).toMatchObject({
        run_id: started.run_id,
        status: "running",
        session_id: started.session_id,
        cwd: workdir,
        mode: "sandboxed",
      });

      // the CLI's diagnosis (another process, the same registry) agrees with the tool: running, with what it does now
      await runningCommand(mcp, started.run_id, "sleep 30");
      const printed = await run(stateDir, ["summary", started.session_id ?? "", "--json"]);
      expect(printed.code).toBe(3);
      const summary = (await mcp.call("session_summary", { session_id: started.session_id })).structuredContent as {
        diagnosis: { category: string; activity: { message: string } | null; next_step: string };
      };
      expect(summary.diagnosis).toMatchObject({
        category: "running",
        activity: { message: "running: sleep 30" },
        next_step: `Wait for it: call run_status with run_id "${started.run_id}" (and wait_ms) to follow it, or cancel_run to stop it. Do not resume it while it runs.`,
      });
      // each reader is told what it can do: a person gets the CLI's commands, a read-only server's agent no cancel_run
      expect((JSON.parse(printed.stdout) as { diagnosis: unknown }).diagnosis).toEqual({
        ...summary.diagnosis,
        next_step: `Wait for it: follow it with \`codex-control-mcp status ${started.run_id} --wait\`, stop it with \`codex-control-mcp cancel ${started.run_id}\`. Do not resume it while it runs.`,
      });
      // the report too, from the tool and the CLI: the session is running, read from the ledger once
      const sessionsIn = (report: { rows: Array<{ key: string; sessions: number }> }, category: string) =>
        report.rows.find((row) => row.key === category)?.sessions ?? 0;
      const toolReport = (await mcp.call("sessions_report", { group_by: "category" })).structuredContent as {
        rows: Array<{ key: string; sessions: number }>;
      };
      expect(sessionsIn(toolReport, "running")).toBe(1);
      const cliReport = await run(stateDir, ["report", "--by", "category", "--json"]);
      expect(JSON.parse(cliReport.stdout)).toMatchObject({ rows: toolReport.rows });
      // a state dir that recorded no run (no ledger: the CLI does not load the run wing) knows it from Codex's
      // writer lock on Linux (/proc/locks); elsewhere it says interrupted
      const elsewhere = await run(await newStateDir(), ["report", "--by", "category", "--json"]);
      const unknowing = JSON.parse(elsewhere.stdout) as typeof toolReport;
      const live = process.platform === "linux" ? 1 : 0;
      expect([sessionsIn(unknowing, "running"), sessionsIn(unknowing, "interrupted")]).toEqual([
        live,
        sessionsIn(toolReport, "interrupted") + 1 - live,
      ]);
      const reader = await connect({
        ...testConfig({ codexHome: home, codexBin: PINNED_CODEX, stateDir, childEnv: codexEnv(home) }),
        readOnly: true,
      });
      try {
        const readOnly = (await reader.call("session_summary", { session_id: started.session_id }))
          .structuredContent as typeof summary;
        expect(readOnly.diagnosis).toEqual({
          ...summary.diagnosis,
          next_step: `Wait for it: call run_status with run_id "${started.run_id}" (and wait_ms) to follow it; this server is read-only and has no cancel_run, so to stop it run \`codex-control-mcp cancel ${started.run_id}\` in a shell. Do not resume it while it runs.`,
        });
        expect(textOf(await reader.call("run_status", { run_id: started.run_id })).split("\n")).toContain(
          `Still running: call run_status with run_id "${started.run_id}" (and wait_ms) to follow it; this server is read-only and has no cancel_run, so to stop it run \`codex-control-mcp cancel ${started.run_id}\` in a shell.`,
        );
      } finally {
        await reader.close();
      }

      const cancel = await run(stateDir, ["cancel", started.run_id]);
      expect(cancel.code).toBe(0);
      expect(cancel.stdout.split("\n")[0]).toMatch(
        new RegExp(`^Run ${started.run_id}: cancelled · session ${started.session_id} · `),
      );
      const after = await run(stateDir, ["status", started.run_id, "--json", "--wait"]);
      expect(after.code).toBe(3);
      expect(JSON.parse(after.stdout)).toMatchObject({
        status: "cancelled",
        error: "cancelled: cancelled from the command line (codex-control-mcp cancel)",
      });
      expect(await statusOf(mcp, { run_id: started.run_id })).toMatchObject({ status: "cancelled" });
      expect((await run(stateDir, ["status", "run_nope00"])).code).toBe(1);
      await expectNothingLeft(stateDir, [started.run_id]);
    } finally {
      await mcp.close();
    }
  });

  it("export leaves out a session a run is still writing, and says so", async () => {
    const stateDir = await newStateDir();
    const mcp = await server(stateDir);
    const sent: string[] = []; // the session id of each session span the collector receives
    const collector = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { resourceSpans: OtlpResource[] };
        for (const span of body.resourceSpans.flatMap((resource) =>
          resource.scopeSpans.flatMap((scope) => scope.spans),
        ))
          if (span.name === "invoke_agent codex")
            sent.push(span.attributes.find((entry) => entry.key === "gen_ai.conversation.id")?.value.stringValue ?? "");
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    try {
      const started = await runCodex(mcp, { prompt: "please RUN:sleep 30", background: true });
      await runningCommand(mcp, started.run_id, "sleep 30");
      const exported = await run(stateDir, ["export", "--otlp", url, "--json"]);
      expect(exported.code).toBe(0);
      const summary = JSON.parse(exported.stdout) as { sessions: number; sessions_running: number };
      expect(summary.sessions_running).toBe(1);
      expect([sent.length, sent.includes(started.session_id ?? "")]).toEqual([summary.sessions, false]);
      const text = await run(stateDir, ["export", "--otlp", url]);
      expect(text.stdout.trim()).toMatch(
        / Not sent: 1 session a run is still writing; export again when they end \(the same ids\)\.$/,
      );
      // a state dir that knows no run: Codex's writer lock says it is still written on Linux (/proc/locks);
      // elsewhere it is sent as a failed, interrupted session
      sent.length = 0;
      const unknowing = await run(await newStateDir(), ["export", "--otlp", url, "--json"]);
      const linux = process.platform === "linux";
      expect((JSON.parse(unknowing.stdout) as typeof summary).sessions).toBe(summary.sessions + (linux ? 0 : 1));
      expect(sent.includes(started.session_id ?? "")).toBe(!linux);
      await mcp.call("cancel_run", { run_id: started.run_id });
      await expectNothingLeft(stateDir, [started.run_id]);
    } finally {
      await mcp.close();
      await new Promise<void>((resolve) => collector.close(() => resolve()));
    }
  });
});

interface OtlpResource {
  scopeSpans: Array<{
    spans: Array<{ name: string; attributes: Array<{ key: string; value: { stringValue?: string } }> }>;
  }>;
}
