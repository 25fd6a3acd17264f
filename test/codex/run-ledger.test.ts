// The ledger reads only what was appended since its last read, and still sees every writer's records.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { RunLedger, type StartRecord } from "../../src/codex/run-ledger.js";

const start = (run_id: string): StartRecord => ({
  type: "start",
  run_id,
  at: "2026-11-23T00:00:00.000Z",
  argv: ["codex"],
  cwd: "/w",
  mode: "sandboxed",
  pgid: null,
  server_pid: 1,
  codex_version: "0.169.0",
  prompt_preview: "x",
  resume_of: null,
});

it("incremental reads see appends from this and other writers, and a replaced file is read again", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ccm-ledger-"));
  const reader = new RunLedger(dir);
  const other = new RunLedger(dir);
  expect(await reader.runs()).toEqual([]);
  await reader.append(start("run_a"));
  expect((await reader.runs()).map((run) => run.start.run_id)).toEqual(["run_a"]);
  await other.append(start("run_b"));
  await other.append({ type: "session", run_id: "run_a", at: "t", session_id: "s-1" });
  const runs = await reader.runs();
  expect(runs.map((run) => [run.start.run_id, run.session_id])).toEqual([
    ["run_a", "s-1"],
    ["run_b", null],
  ]);
  await writeFile(reader.path, `${JSON.stringify(start("run_c"))}\n`);
  expect((await reader.runs()).map((run) => run.start.run_id)).toEqual(["run_c"]);
});
