// The reason a supervisor records for a cancel request is its schema's (cancelRequestSchema): one line, no
// control characters, at most 1000 characters; a request whose text is not one still cancels, with the
// default reason. The request is there before the supervisor looks (as a cancelled call leaves it), so the
// run is recorded as cancelled before Codex was started. The built supervisor, a fixture `codex` that marks
// its start.
import { existsSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDir } from "../../src/contract/index.js";
import { ledgerRecords, supervise } from "./supervise.js";

const CASES: Array<[string, string, string]> = [
  // before: recorded as given, escape sequence, line breaks and the right-to-left override included
  ["control characters", "stop\u001b[2J now\r\n\u202edone\t ", "stop [2J now done"],
  // before: its first 300 characters were the reason
  ["over the schema's 1000 characters", "x".repeat(1001), "cancel_run was called"],
  // before: the NUL was the reason (trim keeps it)
  ["only control characters", "\u0000\n\u0007", "cancel_run was called"],
  ["exactly 1000 characters", "y".repeat(1000), "y".repeat(1000)],
];

describe("a cancel request's reason, as the supervisor records it", () => {
  it.each(CASES)("%s", async (_name, text, reason) => {
    const dir = await mkdtemp(join(tmpdir(), "ccm-cancel-reason-"));
    const stateDir = join(dir, "state");
    const started = join(dir, "codex-was-started");
    const bin = join(dir, "codex");
    writeFileSync(bin, `#!/usr/bin/env bash\ntouch ${JSON.stringify(started)}\nexit 0\n`, { mode: 0o755 });
    const runId = "run_cancelreason1";
    await mkdir(runDir(stateDir, runId), { recursive: true, mode: 0o700 });
    writeFileSync(join(runDir(stateDir, runId), "cancel"), text);
    expect(await supervise(dir, stateDir, runId, bin)).toEqual([0, ""]);
    expect(existsSync(started)).toBe(false);
    const end = (await ledgerRecords(stateDir)).find((record) => record.type === "end");
    expect([end?.status, end?.error]).toEqual(["cancelled", `cancelled: ${reason} (before Codex was started)`]);
  });
});
