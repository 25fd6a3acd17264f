// The ledger reads only what was appended since its last read, and still sees every writer's records.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { RunLedger, type StartRecord } from "../../src/contract/index.js";

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
  await reader.append(start("run_a00000"));
  expect((await reader.runs()).map((run) => run.start.run_id)).toEqual(["run_a00000"]);
  await other.append(start("run_b00000"));
  await other.append({
    type: "session",
    run_id: "run_a00000",
    at: "2026-11-23T00:00:01.000Z",
    session_id: "019a0000-0000-7000-8000-000000000001",
  });
  const runs = await reader.runs();
  expect(runs.map((run) => [run.start.run_id, run.session_id])).toEqual([
    ["run_a00000", "019a0000-0000-7000-8000-000000000001"],
    ["run_b00000", null],
  ]);
  await writeFile(reader.path, `${JSON.stringify(start("run_c00000"))}\n`);
  expect((await reader.runs()).map((run) => run.start.run_id)).toEqual(["run_c00000"]);
});

it("find looks a run up by id as of the file now: another writer's record, then none once the file is replaced", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ccm-ledger-"));
  const reader = new RunLedger(dir);
  await reader.append(start("run_a00000"));
  expect((await reader.find("run_a00000"))?.session_id).toBeNull();
  expect(await reader.find("run_b00000")).toBeUndefined();
  await new RunLedger(dir).append({
    type: "session",
    run_id: "run_a00000",
    at: "2026-11-23T00:00:01.000Z",
    session_id: "019a0000-0000-7000-8000-000000000001",
  });
  expect((await reader.find("run_a00000"))?.session_id).toBe("019a0000-0000-7000-8000-000000000001");
  await writeFile(reader.path, `${JSON.stringify(start("run_c00000"))}\n`);
  expect(await reader.find("run_a00000")).toBeUndefined();
  expect((await reader.find("run_c00000"))?.start.run_id).toBe("run_c00000");
});
