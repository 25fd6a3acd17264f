// Compressed cold rollouts (`rollout-….jsonl.zst`): listed and read like the plain file they were made from.
// The fixture is the real 0.169.0 "command" rollout compressed with `zstd -3` (what Codex's cold storage uses).
import { copyFile, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, fixture } from "../support/fixtures.js";
import { connect, testConfig, type Connected } from "../support/mcp.js";

const plain = fixture("0.169.0", "command");
let plainHome: string;
let zstHome: string;
let plainMcp: Connected;
let zstMcp: Connected;

beforeAll(async () => {
  plainHome = await mkdtemp(join(tmpdir(), "ccm-plain-"));
  zstHome = await mkdtemp(join(tmpdir(), "ccm-zst-"));
  const name = `rollout-2026-11-23T20-49-22-${plain.session_id}`;
  await mkdir(join(plainHome, "sessions", "2026", "11", "23"), { recursive: true });
  await mkdir(join(zstHome, "archived_sessions"), { recursive: true });
  await copyFile(plain.path, join(plainHome, "sessions", "2026", "11", "23", `${name}.jsonl`));
  await copyFile(join(FIXTURES, "shapes", "compressed-cold-rollout.jsonl.zst"), join(zstHome, "archived_sessions", `${name}.jsonl.zst`));
  plainMcp = await connect(testConfig({ codexHome: plainHome }));
  zstMcp = await connect(testConfig({ codexHome: zstHome }));
});
afterAll(async () => {
  await plainMcp.close();
  await zstMcp.close();
});

describe("rollout-*.jsonl.zst", () => {
  it("every read tool answers as for the plain file", async () => {
    for (const tool of ["session_summary", "last_function_calls", "token_usage"]) {
      const fromPlain = (await plainMcp.call(tool, { session_id: plain.session_id })).structuredContent as Record<string, unknown>;
      const fromZst = (await zstMcp.call(tool, { session_id: plain.session_id })).structuredContent as Record<string, unknown>;
      const { path: _plainPath, last_event_at: _a, diagnosis: _d1, ...plainRest } = fromPlain;
      const { path, last_event_at: _b, diagnosis: _d2, ...zstRest } = fromZst;
      expect(path).toMatch(/archived_sessions\/rollout-.*\.jsonl\.zst$/);
      expect([tool, zstRest]).toEqual([tool, plainRest]);
    }
    const summary = (await zstMcp.call("session_summary", { session_id: plain.session_id })).structuredContent as Record<string, unknown>;
    expect(summary).toMatchObject({ status: "completed", counts: { turns: 1, function_calls: 1, failed_calls: 1 }, tokens: { total: 2800 } });
  });

  it("list_sessions lists it (archived) with its prompt and status", async () => {
    const listed = (await zstMcp.call("list_sessions", { include_archived: true })).structuredContent as { sessions: Array<Record<string, unknown>> };
    expect(listed.sessions).toMatchObject([{ session_id: plain.session_id, archived: true, status: "completed", first_prompt: "please RUN:echo hi; exit 3", cli_version: "0.169.0" }]);
  });

  it("a .zst file that is not zstd is read as far as it decodes: every tool answers", async () => {
    const id = "01a20a2b-0000-7000-8000-00000000dead";
    await writeFile(join(zstHome, "archived_sessions", `rollout-2026-11-23T20-49-22-${id}.jsonl.zst`), "not zstd at all\n");
    for (const tool of ["session_summary", "last_function_calls", "token_usage"]) {
      const result = await zstMcp.call(tool, { session_id: id });
      expect([tool, result.isError ?? false]).toEqual([tool, false]);
    }
  });
});
