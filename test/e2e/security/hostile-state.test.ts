// The state dir is shared by every process of one user, and may be reachable by more (a sandboxed run, a
// forged file). Its files are parsed and bounded, links are never followed, a pid is signalled only when it
// is proven to be the run's supervisor, and a sandboxed run cannot write there at all. Each defence has its
// control: the same input without it does what the attack wants.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import {
  appendFile,
  mkdir,
  mkdtemp,
  readFile,
  realpath,
  rm,
  stat,
  symlink,
  truncate,
  utimes,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processId } from "../../../src/codex/liveness.js";
import { SUPERVISOR_MARKER } from "../../../src/codex/processes.js";
import { ignoredStateFiles, RunLedger, type RunState, type StartRecord } from "../../../src/contract/index.js";
import type { RunView } from "../../../src/runs/run-manager.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { type Connected, type TestConfig, withCodexServer, seedSession } from "../../support/mcp.js";
import { makeHome, writeSession } from "../../support/report-homes.js";

let model: FakeModel;
let home: string;
let workdir: string;
let sessionId: string;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "hostile-state"));
  sessionId = await seedSession(home, workdir);
});
afterAll(async () => model.close());

const withServer = (settings: Partial<TestConfig>, body: (mcp: Connected) => Promise<void>) =>
  withCodexServer(home, settings, body);

const newStateDir = async () => realpath(await mkdtemp(join(tmpdir(), "ccm-state-")));

/** A start record as a forger writes it: any supervisor, any binary. */
function forgedStart(runId: string, extra: Partial<StartRecord> = {}): StartRecord {
  return {
    type: "start",
    run_id: runId,
    at: new Date().toISOString(),
    argv: ["codex", "exec", "--json", "-"],
    cwd: workdir,
    mode: "sandboxed",
    pgid: null,
    server_pid: process.pid,
    codex_version: "0.169.0",
    resume_of: null,
    ...extra,
  };
}

/** The state a supervisor publishes for a running run, naming `supervisor`. */
async function plantRunning(stateDir: string, runId: string, supervisor: RunState["supervisor"]): Promise<void> {
  const state: RunState = {
    run_id: runId,
    session_id: null,
    status: "running",
    exit_code: null,
    signal: null,
    final_message: null,
    duration_ms: 0,
    usage: null,
    error: null,
    errors: [],
    stderr_tail: "",
    mode: "sandboxed",
    cwd: workdir,
    model: null,
    started_at: new Date().toISOString(),
    ended_at: null,
    recent_events: [],
    event_count: 0,
    files_changed: [],
    supervisor,
  };
  await mkdir(join(stateDir, "runs", runId), { recursive: true });
  await writeFile(join(stateDir, "runs", runId, "state.json"), JSON.stringify(state));
}

const sleeper = (env: NodeJS.ProcessEnv = process.env) =>
  spawn("sleep", ["60"], { detached: true, stdio: "ignore", env });
const exited = (child: ReturnType<typeof spawn>) =>
  new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));

describe("a signal goes only to a process proven to be the run's supervisor", () => {
  it("a record naming a stranger (with its real start time, or none) signals nothing; the run is settled", async () => {
    const stateDir = await newStateDir();
    const stranger = sleeper();
    try {
      const holder = await processId(stranger.pid ?? 0);
      const ledger = new RunLedger(stateDir);
      await ledger.append(forgedStart("run_strangera1", { supervisor: holder, resume_of: sessionId }));
      await ledger.append(forgedStart("run_strangerb2", { supervisor: { pid: holder.pid, started: null } }));
      await plantRunning(stateDir, "run_strangera1", holder);
      await plantRunning(stateDir, "run_strangerb2", { pid: holder.pid, started: null });
      await withServer({ stateDir }, async (mcp) => {
        // the diagnosis of the session this record names does not call the run running (and advise a cancel)
        const summary = (await mcp.call("session_summary", { session_id: sessionId })).structuredContent as {
          diagnosis: { category: string };
        };
        expect(summary.diagnosis.category).not.toBe("running");
        for (const runId of ["run_strangera1", "run_strangerb2"]) {
          const view = (await mcp.call("cancel_run", { run_id: runId })).structuredContent as unknown as RunView;
          expect([runId, view.status]).toEqual([runId, "failed"]);
        }
      });
      expect([stranger.exitCode, stranger.signalCode, process.kill(stranger.pid ?? 0, 0)]).toEqual([null, null, true]);
    } finally {
      stranger.kill("SIGKILL");
    }
  });

  it("control: the same record naming a process that carries the run's supervisor marker does signal it", async () => {
    const stateDir = await newStateDir();
    const marked = sleeper({ ...process.env, [SUPERVISOR_MARKER]: "run_markedc3" });
    const signal = exited(marked);
    try {
      const supervisor = await processId(marked.pid ?? 0);
      await new RunLedger(stateDir).append(forgedStart("run_markedc3", { supervisor }));
      await plantRunning(stateDir, "run_markedc3", supervisor);
      await withServer({ stateDir }, async (mcp) => {
        await mcp.call("cancel_run", { run_id: "run_markedc3" });
      });
      // SIGUSR2, the nudge to read the cancel file: a sleep dies of it
      expect(await signal).toBe("SIGUSR2");
    } finally {
      marked.kill("SIGKILL");
    }
  });

  it("a report calls a session running only while a proven supervisor runs it; control: a marked one", async () => {
    const reportHome = await makeHome();
    const unfinished = {
      id: "0199eeee-0000-7000-8000-000000000041",
      start: new Date(Date.now() - 60_000).toISOString(),
      turns: [{ prompt: "build it", unfinished: true }],
    };
    const path = await writeSession(reportHome, unfinished);
    await utimes(path, new Date(), new Date());
    const stranger = sleeper();
    const marked = sleeper({ ...process.env, [SUPERVISOR_MARKER]: "run_markedd4" });
    const categories = async (stateDir: string) => {
      let found: unknown;
      await withCodexServer(reportHome, { stateDir }, async (mcp) => {
        const report = (await mcp.call("sessions_report", { group_by: "category" })).structuredContent as {
          rows: Array<{ key: string; sessions: number }>;
        };
        found = report.rows.map((row) => [row.key, row.sessions]);
      });
      return found;
    };
    try {
      const forged = await newStateDir();
      await new RunLedger(forged).append(
        forgedStart("run_strangerd4", { supervisor: await processId(stranger.pid ?? 0), resume_of: unfinished.id }),
      );
      await plantRunning(forged, "run_strangerd4", await processId(stranger.pid ?? 0));
      expect(await categories(forged)).toEqual([["interrupted", 1]]);
      const proven = await newStateDir();
      const supervisor = await processId(marked.pid ?? 0);
      // after 20 unended runs of strangers: the live one is found past the first runs looked at together
      for (let n = 10; n < 30; n++)
        await new RunLedger(proven).append(
          forgedStart(`run_stranger${n}`, { supervisor: await processId(stranger.pid ?? 0) }),
        );
      await new RunLedger(proven).append(forgedStart("run_markedd4", { supervisor, resume_of: unfinished.id }));
      await plantRunning(proven, "run_markedd4", supervisor);
      expect(await categories(proven)).toEqual([["running", 1]]);
    } finally {
      stranger.kill("SIGKILL");
      marked.kill("SIGKILL");
    }
  });

  it("the resume command names this server's binary, never the one a record names", async () => {
    const stateDir = await newStateDir();
    const ledger = new RunLedger(stateDir);
    await ledger.append(forgedStart("run_binaryd4", { argv: ["/tmp/evil-codex", "exec", "-"], resume_of: sessionId }));
    await ledger.append({
      type: "end",
      run_id: "run_binaryd4",
      at: new Date().toISOString(),
      status: "completed",
      session_id: sessionId,
      exit_code: 0,
      signal: null,
      duration_ms: 1,
      error: null,
      errors: [],
      stderr_tail: "",
      final_message: null,
      usage: null,
    });
    await withServer({ stateDir }, async (mcp) => {
      const view = (await mcp.call("run_status", { run_id: "run_binaryd4" })).structuredContent as unknown as RunView;
      expect(view.resume_command).toBe(
        `CODEX_HOME=${home} ${PINNED_CODEX} exec --cd ${workdir} --sandbox workspace-write -c sandbox_workspace_write.exclude_slash_tmp=true -c sandbox_workspace_write.exclude_tmpdir_env_var=true resume ${sessionId} 'Continue where you left off.'`,
      );
    });
  });
});

describe("no link in the state dir is followed", () => {
  async function projectWithInputs(): Promise<string> {
    const project = await realpath(await mkdtemp(join(tmpdir(), "ccm-project-")));
    await mkdir(join(project, "inputs"));
    await writeFile(join(project, "inputs", "keep.txt"), "the user's work");
    return project;
  }

  it("settling a run whose directory is a link to a project removes nothing of the project", async () => {
    const stateDir = await newStateDir();
    const project = await projectWithInputs();
    await mkdir(join(stateDir, "runs"), { recursive: true });
    await symlink(project, join(stateDir, "runs", "run_linkede5"));
    await new RunLedger(stateDir).append(forgedStart("run_linkede5"));
    await withServer({ stateDir }, async (mcp) => {
      const view = (await mcp.call("run_status", { run_id: "run_linkede5" })).structuredContent as unknown as RunView;
      expect(view.status).toBe("failed");
    });
    expect(await readFile(join(project, "inputs", "keep.txt"), "utf8")).toBe("the user's work");
    // the control: removing the run's inputs through that path, as a path, takes the project's folder
    const victim = await projectWithInputs();
    await symlink(victim, join(stateDir, "runs", "run_controlf6"));
    await rm(join(stateDir, "runs", "run_controlf6", "inputs"), { recursive: true, force: true });
    expect(existsSync(join(victim, "inputs", "keep.txt"))).toBe(false);
  });

  it("a cancel file that links to a private file is not read; the ledger is never appended through a link", async () => {
    const stateDir = await newStateDir();
    const secret = join(await realpath(await mkdtemp(join(tmpdir(), "ccm-secret-"))), "secret.txt");
    await writeFile(secret, "PRIVATE-KEY-MATERIAL");
    await mkdir(join(stateDir, "runs", "run_cancelg7"), { recursive: true });
    await symlink(secret, join(stateDir, "runs", "run_cancelg7", "cancel"));
    await new RunLedger(stateDir).append(forgedStart("run_cancelg7"));
    await withServer({ stateDir }, async (mcp) => {
      const result = await mcp.call("run_status", { run_id: "run_cancelg7" });
      expect(JSON.stringify(result)).not.toContain("PRIVATE-KEY-MATERIAL");
    });
    expect(ignoredStateFiles().map((file) => [file.path, file.why])).toContainEqual([
      join(stateDir, "runs", "run_cancelg7", "cancel"),
      "it is a symbolic link",
    ]);
    // the control: read as a path, the link gives the secret away
    expect(await readFile(join(stateDir, "runs", "run_cancelg7", "cancel"), "utf8")).toBe("PRIVATE-KEY-MATERIAL");

    const linked = await newStateDir();
    const userFile = join(await realpath(await mkdtemp(join(tmpdir(), "ccm-user-"))), "notes.txt");
    await writeFile(userFile, "mine\n");
    await symlink(userFile, join(linked, "runs.jsonl"));
    await expect(new RunLedger(linked).append(forgedStart("run_appendh8"))).rejects.toThrow(/ELOOP/);
    expect(await readFile(userFile, "utf8")).toBe("mine\n");
    // the control: an ordinary append through the link writes into the user's file
    await appendFile(join(linked, "runs.jsonl"), "x\n");
    expect(await readFile(userFile, "utf8")).toBe("mine\nx\n");
  });
});

describe("state files are bounded", () => {
  it("a 1 GB state.json is ignored without being read: the run is shown from the ledger", async () => {
    const stateDir = await newStateDir();
    const dir = join(stateDir, "runs", "run_hugestate9");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "state.json"), "");
    await truncate(join(dir, "state.json"), 1024 ** 3);
    expect((await stat(join(dir, "state.json"))).size).toBe(1024 ** 3);
    await new RunLedger(stateDir).append(forgedStart("run_hugestate9"));
    const before = process.memoryUsage().rss;
    await withServer({ stateDir }, async (mcp) => {
      const view = (await mcp.call("run_status", { run_id: "run_hugestate9" })).structuredContent as unknown as RunView;
      expect(view.status).toBe("failed");
    });
    // generous: the point is that the file was not read (it would cost 1 GB), not how little was used
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    expect(ignoredStateFiles().map((file) => file.why)).toContain(
      `it is ${1024 ** 3} bytes, more than such a file ever is (${2 * 1024 * 1024})`,
    );
  });

  it("a ledger line of 100 MB without a newline is skipped unread; the records after it count", async () => {
    const stateDir = await newStateDir();
    const ledger = new RunLedger(stateDir);
    await ledger.append(forgedStart("run_beforeaa"));
    await appendFile(ledger.path, Buffer.alloc(100 * 1024 * 1024, "x"));
    await appendFile(ledger.path, "\n");
    await ledger.append(forgedStart("run_afterbb1"));
    const before = process.memoryUsage().rss;
    expect((await new RunLedger(stateDir).runs()).map((run) => run.start.run_id)).toEqual([
      "run_beforeaa",
      "run_afterbb1",
    ]);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });
});

describe("the ledger keeps no prompt text unless the operator asks", () => {
  it("no prompt_preview by default; --ledger-prompts keeps the first 200 characters", async () => {
    for (const recordPrompts of [false, true]) {
      await withServer({ recordPrompts }, async (mcp) => {
        const view = (
          await mcp.call("run_codex", {
            cwd: workdir,
            skip_git_repo_check: true,
            prompt: "please say hi, the password is hunter2",
            mode: "read-only",
          })
        ).structuredContent as unknown as RunView;
        const start = (await new RunLedger(mcp.config.runner.stateDir).find(view.run_id))?.start;
        expect([recordPrompts, start?.prompt_preview]).toEqual([
          recordPrompts,
          recordPrompts ? "please say hi, the password is hunter2" : undefined,
        ]);
      });
    }
  });
});

describe("a sandboxed run cannot write the server's state or CODEX_HOME", () => {
  it("the run's command is refused there (the test's state dir and CODEX_HOME are under /tmp and $TMPDIR)", async () => {
    await withServer({}, async (mcp) => {
      const stateDir = mcp.config.runner.stateDir;
      const planted = [join(stateDir, "planted-by-the-run"), join(home, "planted-by-the-run")];
      const view = (
        await mcp.call("run_codex", {
          cwd: workdir,
          skip_git_repo_check: true,
          prompt: `RUN:touch ${planted.join(" ")}`,
          mode: "sandboxed",
        })
      ).structuredContent as unknown as RunView;
      expect(view.status).toBe("completed");
      expect(planted.map(existsSync)).toEqual([false, false]);
      // the control: the same command in the same sandbox, without the server's exclusions, writes both
      // (not spawnSync: the fake model answers from this very process)
      const codex = spawn(
        process.execPath,
        [PINNED_CODEX, "exec", "--json", `--cd=${workdir}`, "--sandbox=workspace-write", "--skip-git-repo-check", "-"],
        {
          env: { ...codexEnv(home), TMPDIR: process.env.TMPDIR ?? "/tmp" },
          stdio: ["pipe", "ignore", "ignore"],
        },
      );
      codex.stdin.end(`RUN:touch ${planted.join(" ")}`);
      expect(await new Promise((resolve) => codex.once("exit", resolve))).toBe(0);
      expect(planted.map(existsSync)).toEqual([true, true]);
    });
  });
});
