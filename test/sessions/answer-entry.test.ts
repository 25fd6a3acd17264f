// The one entry for answers (sessions/index.ts askSession): memo → saved answer → saved fold → fold, every
// cache judged by one file stamp (path, inode, size, mtime, last 4 KB).
import { mkdir, mkdtemp, rename, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { askSession, SessionStore } from "../../src/sessions/index.js";

const id = "0199a1b2-0000-7000-8000-00000000e001";
const at = "2026-01-28T10:00:00.000Z";
const CALLS = { kind: "calls", options: { limit: 10, includeOutput: true, maxOutputChars: 2000 } } as const;

function rollout(lastName: string): string {
  const line = (type: string, payload: Record<string, unknown>) => JSON.stringify({ timestamp: at, type, payload });
  return [
    line("session_meta", { id, timestamp: at, cwd: "/w", cli_version: "0.169.0" }),
    line("event_msg", { type: "task_started", turn_id: "t1" }),
    line("event_msg", { type: "user_message", message: "go" }),
    line("response_item", { type: "function_call", name: "first", call_id: "c1", arguments: "{}" }),
    line("response_item", { type: "function_call_output", call_id: "c1", output: "ok" }),
    line("response_item", { type: "function_call", name: lastName, call_id: "c2", arguments: "{}" }),
    line("event_msg", { type: "task_complete", turn_id: "t1" }),
    "",
  ].join("\n");
}

async function setUp() {
  const home = await mkdtemp(join(tmpdir(), "ccm-entry-"));
  const dir = join(home, "sessions", "2026", "01", "28");
  await mkdir(dir, { recursive: true });
  const path = join(dir, `rollout-2026-01-28T10-00-00-${id}.jsonl`);
  await writeFile(path, rollout("aaaa"));
  await utimes(path, MTIME, MTIME);
  return { home, path, stateDir: await mkdtemp(join(tmpdir(), "ccm-entry-state-")) };
}

/** A whole second, so that setting it again gives the very same mtimeMs. */
const MTIME = 1_800_000_000;

const names = (answer: { calls: Array<{ name: string }> }) => answer.calls.map((call) => call.name);

describe("askSession", () => {
  it("answers again from its memo while the file is unchanged, without folding", async () => {
    const { home } = await setUp();
    const store = new SessionStore(home);
    const first = await askSession(store, id, CALLS);
    const folded = store.folds.counters.foldedBytes;
    expect(await askSession(store, id, CALLS)).toBe(first);
    expect(store.folds.counters.foldedBytes).toBe(folded);
  });

  it("a rewrite of the same size and mtime is seen by every cache (the stamp's last 4 KB)", async () => {
    const { home, path } = await setUp();
    const store = new SessionStore(home);
    // a fold (the summary's) and a memo of calls at the old state
    await askSession(store, id, { kind: "summary", options: { reasoningLimit: 5 } });
    expect(names(await askSession(store, id, CALLS))).toEqual(["first", "aaaa"]);
    const before = await stat(path);
    await writeFile(path, rollout("bbbb"));
    await utimes(path, MTIME, MTIME);
    const after = await stat(path);
    expect([after.size, after.mtimeMs, after.ino]).toEqual([before.size, before.mtimeMs, before.ino]);
    expect(names(await askSession(store, id, CALLS))).toEqual(["first", "bbbb"]);
    expect(names(await askSession(store, id, { ...CALLS, options: { ...CALLS.options, limit: 1 } }))).toEqual(["bbbb"]);
  });

  it("another file moved to the path (same size, mtime and tail, another inode) is read afresh", async () => {
    const { home, path } = await setUp();
    const store = new SessionStore(home);
    await askSession(store, id, CALLS);
    // the same bytes except the first call's name, far from the tail, in a new file moved over the old
    await stat(path);
    const other = `${path}.new`;
    await writeFile(other, rollout("aaaa").replace('"name":"first"', '"name":"FIRST"'));
    await utimes(other, MTIME, MTIME);
    await rename(other, path);
    expect(names(await askSession(store, id, CALLS))).toEqual(["FIRST", "aaaa"]);
  });

  it("a new store answers from the saved answer without restoring or making a fold", async () => {
    const { home, stateDir } = await setUp();
    const first = await askSession(new SessionStore(home, { stateDir, saveAfterBytes: 0 }), id, CALLS);
    const next = new SessionStore(home, { stateDir, saveAfterBytes: 0 });
    expect(await askSession(next, id, CALLS)).toEqual(first);
    expect(next.folds.counters).toEqual({ foldedBytes: 0, restored: 0, saved: 0 });
    // another question on the same file restores the saved fold instead of folding again
    await askSession(next, id, { kind: "usage" });
    expect(next.folds.counters).toMatchObject({ foldedBytes: 0, restored: 1 });
  });
});
