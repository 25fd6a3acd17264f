// Answers of short logs saved for the next process (answers/, limits of their own), and the checked files
// every saved cache is read through: never through a link, never a FIFO's wait, never a damaged payload.
import { execFileSync } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readdir, readFile, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readChecked, writeChecked, keepFolderWithin } from "../../src/sessions/checked-files.js";
import { askSession, SessionStore } from "../../src/sessions/index.js";

const id = "0199a1b2-0000-7000-8000-00000000e101";
const at = "2026-01-28T10:00:00.000Z";
const CALLS = { kind: "calls", options: { limit: 10, includeOutput: true, maxOutputChars: 2000 } } as const;
const SUMMARY = { kind: "summary", options: { reasoningLimit: 5 } } as const;

function rollout(sessionId: string): string {
  const line = (type: string, payload: Record<string, unknown>) => JSON.stringify({ timestamp: at, type, payload });
  return [
    line("session_meta", { id: sessionId, timestamp: at, cwd: "/w", cli_version: "0.169.0" }),
    line("event_msg", { type: "task_started", turn_id: "t1" }),
    line("event_msg", { type: "user_message", message: "go" }),
    line("response_item", { type: "function_call", name: "shell", call_id: "c1", arguments: "{}" }),
    line("response_item", { type: "function_call_output", call_id: "c1", output: "ok" }),
    line("event_msg", { type: "task_complete", turn_id: "t1" }),
    "",
  ].join("\n");
}

async function home(ids: string[]) {
  const dir = await mkdtemp(join(tmpdir(), "ccm-short-"));
  const day = join(dir, "sessions", "2026", "01", "28");
  await mkdir(day, { recursive: true });
  for (const sessionId of ids) {
    const path = join(day, `rollout-2026-01-28T10-00-00-${sessionId}.jsonl`);
    await writeFile(path, rollout(sessionId));
    await utimes(path, 1_800_000_000, 1_800_000_000);
  }
  return { home: dir, day, stateDir: await mkdtemp(join(tmpdir(), "ccm-short-state-")) };
}

describe("answers of short logs", () => {
  it("a new store answers a question asked before from answers/, without folding the log", async () => {
    const { home: codexHome, stateDir } = await home([id]);
    const first = new SessionStore(codexHome, { stateDir });
    const calls = await askSession(first, id, CALLS);
    const summary = await askSession(first, id, SUMMARY);
    expect(first.folds.counters.saved).toBe(0); // a short log's fold is not saved
    expect(await readdir(join(stateDir, "answers"))).toHaveLength(1);

    const next = new SessionStore(codexHome, { stateDir });
    expect(await askSession(next, id, CALLS)).toEqual(calls);
    expect(await askSession(next, id, SUMMARY)).toEqual(summary);
    expect(next.folds.counters).toEqual({ foldedBytes: 0, restored: 0, saved: 0 });
    // another question is answered from the log
    await askSession(next, id, { kind: "usage" });
    expect(next.folds.counters.foldedBytes).toBeGreaterThan(0);
  });

  it("never pushes a long log's saved fold out of folds/", async () => {
    const ids = Array.from({ length: 5 }, (_, i) => `0199a1b2-0000-7000-8000-00000000e2${String(i).padStart(2, "0")}`);
    const { home: codexHome, day, stateDir } = await home(ids);
    // the first log made long enough to be saved (a fold and its answers in folds/)
    const long = join(day, `rollout-2026-01-28T10-00-00-${ids[0]}.jsonl`);
    await writeFile(long, rollout(ids[0] ?? "").repeat(3));
    const store = new SessionStore(codexHome, { stateDir, saveAfterBytes: 2_000 });
    await askSession(store, ids[0] ?? "", SUMMARY);
    const folds = (await readdir(join(stateDir, "folds"))).sort();
    expect(folds.map((name) => name.replace(/^[0-9a-f]{32}/, "H"))).toEqual(["H.answers", "H.fold"]);
    for (const other of ids.slice(1)) await askSession(store, other, CALLS);
    expect((await readdir(join(stateDir, "folds"))).sort()).toEqual(folds);
    expect(await readdir(join(stateDir, "answers"))).toHaveLength(4);
  });
});

describe("checked files", () => {
  it.each(["async", "sync"] as const)(
    "reads back what was written, and nothing from a damaged file, a link or a FIFO (%s calls)",
    async (calls) => {
      const dir = await mkdtemp(join(tmpdir(), "ccm-checked-"));
      const file = join(dir, "a.answers");
      await writeChecked(file, [Buffer.from("hello "), Buffer.from("world")], calls);
      expect((await readChecked(file, 1024, calls))?.toString()).toBe("hello world");
      expect(await readChecked(file, 10, calls)).toBeUndefined(); // over the caller's bound

      const damaged = join(dir, "damaged.answers");
      const bytes = await readFile(file);
      bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 1, bytes.length - 1);
      await writeFile(damaged, bytes);
      expect(await readChecked(damaged, 1024, calls)).toBeUndefined();

      // a link to a good file: the same bytes are read as a file (control), not through the link
      const target = join(dir, "elsewhere");
      await copyFile(file, target);
      expect((await readChecked(target, 1024, calls))?.toString()).toBe("hello world");
      const link = join(dir, "link.answers");
      await symlink(target, link);
      expect(await readChecked(link, 1024, calls)).toBeUndefined();

      // a FIFO with no writer: refused at once (a plain open for reading would wait for a writer forever)
      const fifo = join(dir, "fifo.answers");
      execFileSync("mkfifo", [fifo]);
      expect(await readChecked(fifo, 1024, calls)).toBeUndefined();

      // writing never goes through a link put where its temporary name would be: the target is replaced
      await writeChecked(link, [Buffer.from("new")], calls);
      expect((await readChecked(link, 1024, calls))?.toString()).toBe("new");
      expect((await readChecked(target, 1024, calls))?.toString()).toBe("hello world");
    },
  );

  it("keeps a folder within its count, the oldest removed first, never the file just written", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccm-checked-folder-"));
    const names = ["a", "b", "c", "d"];
    for (const [index, name] of names.entries()) {
      await writeFile(join(dir, name), name);
      await utimes(join(dir, name), 1_800_000_000 + index, 1_800_000_000 + index);
    }
    // a leftover temporary of a crashed writer, and the oldest file being the one just written
    await writeFile(join(dir, "e.tmp"), "");
    await utimes(join(dir, "e.tmp"), 1_700_000_000, 1_700_000_000);
    await keepFolderWithin(dir, join(dir, "a"), { maxFiles: 2 });
    expect((await readdir(dir)).sort()).toEqual(["a", "c", "d"]);
    // within the count: nothing removed
    await keepFolderWithin(dir, join(dir, "a"), { maxFiles: 3 });
    expect((await readdir(dir)).sort()).toEqual(["a", "c", "d"]);
    // a byte limit counts sizes (newest first)
    await keepFolderWithin(dir, join(dir, "d"), { maxFiles: 3, maxBytes: 1 });
    expect((await readdir(dir)).sort()).toEqual(["d"]);
  });
});
