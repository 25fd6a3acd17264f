// Faults the real CLI cannot be made to show, through stub `codex` executables: every case ends with a
// status and a reason, bounded memory, and no process left behind.
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { appendFile, chmod, mkdtemp, readdir, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { RunLedger } from "../../../src/contract/index.js";
import { processesOfRun } from "../../../src/codex/processes.js";
import type { RunView } from "../../../src/runs/run-manager.js";
import { copyFixtureHome, type Fixture } from "../../support/fixtures.js";
import { connect, testConfig, textOf, type Connected } from "../../support/mcp.js";
import { serveStdio, type StdioServer } from "../../support/stdio-server.js";
import { QUICK_SUCCESS, stubCodex } from "../../support/stub-codex.js";

const SESSION = `echo '{"type":"thread.started","thread_id":"01a20a99-0000-7000-8000-00000000000b"}'; echo '{"type":"turn.started"}'`;
let home: string;
let fixtures: Fixture[];
let work: string;

beforeAll(async () => {
  ({ home, fixtures } = await copyFixtureHome());
  work = await realpath(await mkdtemp(join(tmpdir(), "ccm-faults-")));
});

async function withStub(
  body: string,
  settings: Record<string, unknown>,
  test: (mcp: Connected) => Promise<void>,
): Promise<void> {
  const mcp = await connect(testConfig({ codexHome: home, codexBin: await stubCodex(body), ...settings }));
  try {
    await test(mcp);
  } finally {
    await mcp.close();
  }
}

const run = async (mcp: Connected, args: Record<string, unknown>): Promise<RunView> =>
  (await mcp.call("run_codex", { cwd: work, allow_concurrent: true, ...args })).structuredContent as unknown as RunView;

async function leftovers(runIds: string[]): Promise<number[]> {
  return (await Promise.all(runIds.map((id) => processesOfRun(id)))).flat();
}

describe("a broken Codex binary", () => {
  it("not executable, or not the Rust CLI: the error names CODEX_BIN and the install command, and the server stays up", async () => {
    const notExecutable = join(work, "codex-not-executable");
    await writeFile(notExecutable, "#!/bin/sh\necho hi\n");
    const typescriptCli = join(work, "codex-typescript");
    await writeFile(
      typescriptCli,
      '#!/usr/bin/env bash\nif [ "$1" = "--version" ]; then echo "0.1.2505172129"; exit 0; fi\necho "error: unknown command exec" >&2; exit 1\n',
    );
    await chmod(typescriptCli, 0o755);
    for (const [bin, message] of [
      [
        notExecutable,
        `cannot run the Codex CLI at "${notExecutable}" (EACCES). Install it with \`npm install -g @openai/codex\`, or set CODEX_BIN to its path.`,
      ],
      [
        typescriptCli,
        `\`${typescriptCli} exec --help\` failed (exit 1): this does not look like the Rust Codex CLI. Install it with \`npm install -g @openai/codex\`, or set CODEX_BIN.`,
      ],
    ] as const) {
      const mcp = await connect(testConfig({ codexHome: home, codexBin: bin }));
      try {
        expect(textOf(await mcp.call("run_codex", { prompt: "x", cwd: work }))).toBe(message);
        expect((await mcp.call("list_sessions", {})).isError).toBeFalsy();
      } finally {
        await mcp.close();
      }
    }
  });
});

describe("a misbehaving run", () => {
  it("silence for minutes ends at the timeout, with the session id and nothing left running", async () => {
    await withStub(`${SESSION}; sleep 600`, {}, async (mcp) => {
      const view = await run(mcp, { prompt: "x", timeout_ms: 1500 });
      expect(view).toMatchObject({
        status: "timeout",
        session_id: "01a20a99-0000-7000-8000-00000000000b",
        error: "timed out: no result within 1500 ms",
      });
      expect(await leftovers([view.run_id])).toEqual([]);
    });
  });

  it("a crash mid-run is `failed` with the signal; the session id is kept", async () => {
    await withStub(`${SESSION}; kill -SEGV $$`, {}, async (mcp) => {
      const view = await run(mcp, { prompt: "x" });
      expect(view).toMatchObject({
        status: "failed",
        signal: "SIGSEGV",
        exit_code: null,
        session_id: "01a20a99-0000-7000-8000-00000000000b",
      });
      expect(view.error).toMatch(/^codex exited with SIGSEGV: /);
    });
  });

  it("exiting 0 with no output at all is a failure without a session", async () => {
    await withStub("exit 0", {}, async (mcp) => {
      expect(await run(mcp, { prompt: "x" })).toMatchObject({
        status: "failed",
        exit_code: 0,
        session_id: null,
        error: "codex exited without finishing the turn (no turn.completed event)",
        resume_command: null,
      });
    });
  });

  it("a ledger whose last record was torn by a kill mid-write still reads, the torn record skipped", async () => {
    await withStub(QUICK_SUCCESS, {}, async (mcp) => {
      const view = await run(mcp, { prompt: "x" });
      const ledger = new RunLedger(mcp.config.runner.stateDir);
      await appendFile(
        ledger.path,
        '{"type":"start","run_id":"run_torn","at":"2026-11-23T00:00:00Z","argv":["codex","exe',
      );
      expect((await ledger.runs()).map((entry) => entry.start.run_id)).toEqual([view.run_id]);
      const listed = (await mcp.call("run_status", {})).structuredContent as { runs: Array<{ run_id: string }> };
      expect(listed.runs.map((entry) => entry.run_id)).toEqual([view.run_id]);
      // the next record starts on its own line again
      const next = await run(mcp, { prompt: "x" });
      expect((await ledger.runs()).map((entry) => [entry.start.run_id, entry.end?.status])).toEqual([
        [view.run_id, "completed"],
        [next.run_id, "completed"],
      ]);
    });
  });

  it("100 MB of stdout garbage with no newline is dropped, not held; the run still ends with a reason", async () => {
    await withStub(`${SESSION}; head -c 100000000 /dev/zero | tr '\\0' 'g'; echo; exit 0`, {}, async (mcp) => {
      const before = process.memoryUsage().rss;
      const view = await run(mcp, { prompt: "x" });
      expect(view).toMatchObject({
        status: "failed",
        session_id: "01a20a99-0000-7000-8000-00000000000b",
        error: "codex exited without finishing the turn (no turn.completed event)",
      });
      // a 100 MB line held as a string would be 200 MB of UTF-16
      expect(process.memoryUsage().rss - before).toBeLessThan(120 * 1024 * 1024);
    });
  });

  it("megabytes of stderr keep only a bounded tail, and a huge last line is cut", async () => {
    await withStub(
      `head -c 20000000 /dev/zero | tr '\\0' 'e' >&2; echo >&2; echo 'fatal: the real reason' >&2; exit 3`,
      {},
      async (mcp) => {
        const view = await run(mcp, { prompt: "x" });
        expect(view).toMatchObject({
          status: "failed",
          exit_code: 3,
          error: "codex exited with code 3: fatal: the real reason",
        });
        expect(view.stderr_tail.length).toBeLessThanOrEqual(2000);
        expect(view.stderr_tail.endsWith("fatal: the real reason\n")).toBe(true);
        const recorded = await new RunLedger(mcp.config.runner.stateDir).find(view.run_id);
        expect(JSON.stringify(recorded).length).toBeLessThan(8000);
      },
    );
    await withStub(`head -c 3000 /dev/zero | tr '\\0' 'e' >&2; exit 4`, {}, async (mcp) => {
      expect((await run(mcp, { prompt: "x" })).error).toBe(`codex exited with code 4: …${"e".repeat(500)}`);
    });
  });

  it("100 timeout and cancel cycles in a row leave no process and no file handle behind", async () => {
    await withStub(`${SESSION}; sleep 30`, { killGraceMs: 200 }, async (mcp) => {
      const handlesBefore = (await readdir("/proc/self/fd")).length;
      const ids: string[] = [];
      for (let i = 0; i < 100; i++) {
        if (i % 10 === 0) {
          const view = await run(mcp, { prompt: "x", timeout_ms: 1000 });
          expect(view.status).toBe("timeout");
          ids.push(view.run_id);
        } else {
          const view = await run(mcp, { prompt: "x", background: true });
          const cancelled = (await mcp.call("cancel_run", { run_id: view.run_id }))
            .structuredContent as unknown as RunView;
          expect(cancelled.status).toBe("cancelled");
          ids.push(view.run_id);
        }
      }
      expect(await leftovers(ids)).toEqual([]);
      const handlesAfter = (await readdir("/proc/self/fd")).length;
      expect(handlesAfter - handlesBefore).toBeLessThanOrEqual(2);
      const runs = await new RunLedger(mcp.config.runner.stateDir).runs();
      expect(runs.filter((entry) => entry.end).length).toBe(100);
    });
  }, 300_000);

  it("8 concurrent runs and 200 read-only calls in parallel are all answered; the ledger stays consistent", async () => {
    await withStub(`sleep 0.5; ${QUICK_SUCCESS}`, { maxConcurrent: 8 }, async (mcp) => {
      const runs = Array.from({ length: 8 }, () => run(mcp, { prompt: "x" }));
      const reads = Array.from({ length: 200 }, (_, i) => {
        const entry = fixtures[i % fixtures.length] as Fixture;
        const tool = ["list_sessions", "session_summary", "last_function_calls", "token_usage"][i % 4] as string;
        return mcp.call(tool, tool === "list_sessions" ? { limit: 5 } : { session_id: entry.session_id });
      });
      const [views, answers] = await Promise.all([Promise.all(runs), Promise.all(reads)]);
      expect(views.map((view) => view.status)).toEqual(Array(8).fill("completed"));
      expect(answers.filter((answer) => answer.isError)).toEqual([]);
      const ledger = await new RunLedger(mcp.config.runner.stateDir).runs();
      const byId = (a: string[], b: string[]) => String(a[0]).localeCompare(String(b[0]));
      expect(ledger.map((entry) => [entry.start.run_id, entry.end?.status ?? ""]).sort(byId)).toEqual(
        views.map((view) => [view.run_id, "completed"]).sort(byId),
      );
      expect(ledger).toHaveLength(8);
    });
  }, 60_000);
});

describe("the server going away while runs are running", () => {
  let stub: string;
  beforeAll(async () => {
    stub = await stubCodex(`${SESSION}; sleep 300 & wait`);
  });

  /** The built server as a host starts it, spoken to in raw JSON-RPC lines, so its stdin can be closed. */
  function serve(stateDir: string, extra: string[] = []): Promise<StdioServer> {
    return serveStdio(["--codex-bin", stub, "--state-dir", stateDir, "--kill-grace-ms", "300", ...extra], {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      CODEX_HOME: home,
      CODEX_API_KEY: "sk-test",
    });
  }

  async function startFour(
    call: (name: string, args: object) => Promise<{ structuredContent?: { run_id?: string } }>,
  ): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const result = await call("run_codex", { prompt: "x", cwd: work, background: true, allow_concurrent: true });
      ids.push(result.structuredContent?.run_id ?? "");
    }
    return ids;
  }

  async function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => child.once("exit", resolve));
  }

  it.each(["stdin closed", "SIGTERM"])(
    "--stop-runs-on-exit, %s: every Codex process group is stopped and recorded as cancelled",
    async (how) => {
      const stateDir = await mkdtemp(join(tmpdir(), "ccm-state-"));
      const { child, call } = await serve(stateDir, ["--stop-runs-on-exit"]);
      const ids = await startFour(call);
      expect((await leftovers(ids)).length).toBeGreaterThanOrEqual(4);
      if (how === "SIGTERM") child.kill("SIGTERM");
      else child.stdin.end();
      await exited(child);
      expect(child.exitCode).toBe(0);
      expect(await leftovers(ids)).toEqual([]);
      const runs = await new RunLedger(stateDir).runs();
      expect(runs.map((entry) => entry.end?.status)).toEqual(["cancelled", "cancelled", "cancelled", "cancelled"]);
      expect(runs[0]?.end?.error).toBe(`cancelled: the server shut down (${how})`);
    },
  );

  it.each(["stdin closed", "SIGTERM", "SIGKILL"])(
    "%s: the runs outlive the server; the next server sees them running and cancels them",
    async (how) => {
      const stateDir = await mkdtemp(join(tmpdir(), "ccm-state-"));
      const first = await serve(stateDir);
      const ids = await startFour(first.call);
      if (how === "stdin closed") first.child.stdin.end();
      else first.child.kill(how as NodeJS.Signals);
      await exited(first.child);
      expect((await leftovers(ids)).length).toBeGreaterThanOrEqual(4);
      expect((await new RunLedger(stateDir).runs()).map((entry) => entry.end)).toEqual([null, null, null, null]);
      const second = await serve(stateDir);
      try {
        for (const id of ids) {
          expect((await second.call("run_status", { run_id: id })).structuredContent).toMatchObject({
            run_id: id,
            status: "running",
          });
          expect((await second.call("cancel_run", { run_id: id })).structuredContent).toMatchObject({
            run_id: id,
            status: "cancelled",
            error: "cancelled: cancel_run was called",
          });
        }
        expect(await leftovers(ids)).toEqual([]);
        expect((await new RunLedger(stateDir).runs()).map((entry) => entry.end?.status)).toEqual([
          "cancelled",
          "cancelled",
          "cancelled",
          "cancelled",
        ]);
      } finally {
        second.child.stdin.end();
        await exited(second.child);
      }
    },
  );
});
