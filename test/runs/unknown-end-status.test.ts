// A ledger `end` record in a status a later version wrote: the run has ended, whatever the word. It is read
// as failed, naming the word (cut, in a safe alphabet), and never settled again by this reader.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EndRecord, StartRecord } from "../../src/contract/index.js";
import { RunManager } from "../../src/runs/run-manager.js";
import { testConfig } from "../support/mcp.js";

const start = (run_id: string): StartRecord => ({
  type: "start",
  run_id,
  at: "2026-12-01T00:00:00.000Z",
  argv: ["codex", "exec", "--json", "-"],
  cwd: "/w",
  mode: "read-only",
  task: "exec",
  pgid: null,
  server_pid: 1,
  // a supervisor that is gone: an unended run of it is settled by whoever looks
  supervisor: { pid: 2 ** 22, started: "1" },
  codex_version: "0.169.0",
  resume_of: null,
  skip_git_repo_check: true,
});

const end = (run_id: string, status: string, error: string | null): Omit<EndRecord, "status"> & { status: string } => ({
  type: "end",
  run_id,
  at: "2026-12-01T00:00:05.000Z",
  status,
  session_id: null,
  exit_code: null,
  signal: null,
  duration_ms: 5000,
  error,
  errors: [],
  stderr_tail: "",
  final_message: null,
  usage: null,
});

describe("an end record in a run status this version does not know", () => {
  it("reads as failed, naming the status, and the run is not settled again", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-unknown-home-"));
    const { registry, config } = new RunManager(testConfig({ codexHome, codexBin: "codex" }).runner);
    const ledger = join(config.stateDir, "runs.jsonl");
    const lines = [
      start("run_later000001"),
      end("run_later000001", "interrupted", "the host went away"),
      start("run_later000002"),
      end("run_later000002", `x"; rm -rf ~ #${"a".repeat(100)}`, null),
      start("run_later000003"),
      end("run_later000003", "cancelled", "cancelled: by hand"),
    ];
    await writeFile(ledger, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
    const views = await Promise.all(
      ["run_later000001", "run_later000002", "run_later000003"].map((runId) => registry.get(runId)),
    );
    expect(views.map((view) => [view?.status, view?.error])).toEqual([
      [
        "failed",
        'ended with status "interrupted", which this version does not know (read as failed): the host went away',
      ],
      [
        "failed",
        'ended with status "x???rm?-rf????aaaaaaaaaaaaaaaaaaaaaaaaaa", which this version does not know (read as failed)',
      ],
      ["cancelled", "cancelled: by hand"],
    ]);
    // before: the end was ignored (reported on stderr), the run looked unended, its supervisor gone, and this
    // reader settled it: an end of its own appended ("failed", the supervisor stopped before the run ended)
    expect((await readFile(ledger, "utf8")).split("\n").filter(Boolean)).toHaveLength(6);
    expect((await registry.recent(10)).runs.map((view) => view.status)).toEqual(["cancelled", "failed", "failed"]);
  });

  it("leaves an end that says `running` unread: the run is settled by what its supervisor did, not read as ended", async () => {
    const codexHome = await mkdtemp(join(tmpdir(), "ccm-unknown-home-"));
    const { registry, config } = new RunManager(testConfig({ codexHome, codexBin: "codex" }).runner);
    const ledger = join(config.stateDir, "runs.jsonl");
    const runId = "run_later000004";
    await writeFile(ledger, [start(runId), end(runId, "running", null)].map((l) => `${JSON.stringify(l)}\n`).join(""));
    const view = await registry.get(runId);
    // its supervisor is gone: this reader settles the run and records the end (a live one would keep it running).
    // Before: the end was read as a later version's status ("failed", ended with status "running"), so a run
    // whose supervisor still followed Codex would have read as ended (resumable, not cancellable)
    expect([view?.status, view?.error?.split(";")[0]]).toEqual([
      "failed",
      `the run's supervisor (pid ${2 ** 22}) stopped before the run ended`,
    ]);
    const records = (await readFile(ledger, "utf8")).split("\n").filter(Boolean);
    expect(records.map((line) => (JSON.parse(line) as { type: string; status?: string }).status ?? "start")).toEqual([
      "start",
      "running",
      "failed",
    ]);
  });
});
