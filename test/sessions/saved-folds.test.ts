// Folds saved in the state dir: a new store (a new server process) restores them instead of folding the log
// again, folds only what was appended since, and never trusts a saved fold that no longer fits the file.
import { appendFile, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { lastCalls } from "../../src/sessions/calls.js";
import { AnswerFiles } from "../../src/sessions/answer-files.js";
import { FoldFiles } from "../../src/sessions/fold-files.js";
import {
  loadSession,
  sessionCalls,
  sessionSummary,
  sessionTokenUsage,
  SessionStore,
} from "../../src/sessions/index.js";
import { summarize } from "../../src/sessions/summary.js";
import { tokenUsage } from "../../src/sessions/usage.js";
import { ALL_FIXTURES, fixture } from "../support/fixtures.js";
import { usageAnswer, usageKey } from "../support/saved-answers.js";

const OPTIONS = { limit: 200, includeOutput: true, maxOutputChars: 100_000 };
const made: string[] = [];

afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A home holding a copy of one fixture, and a state dir. */
async function setUp(version = "0.169.0", scenario: "resumed" | "command" = "resumed") {
  const entry = fixture(version, scenario);
  const home = await tempDir("ccm-saved-home-");
  const dir = join(home, "sessions", "2026", "11", "23");
  await mkdir(dir, { recursive: true });
  const path = join(dir, entry.rollout.split("/").pop() ?? "");
  await copyFile(entry.path, path);
  return { entry, home, path, stateDir: await tempDir("ccm-saved-state-") };
}

/** A store that saves every fold, however small (the default waits for 4 MB). */
function storeOf(home: string, stateDir: string): SessionStore {
  return new SessionStore(home, { stateDir, saveAfterBytes: 1 });
}

async function expectSameAnswers(store: SessionStore, id: string): Promise<void> {
  const { file, model, stats } = await loadSession(store.home, id);
  const reference = summarize(
    model,
    { id: file.id, path: file.path },
    { reasoningLimit: 200, skippedLines: stats.skipped },
  );
  expect({ ...(await sessionSummary(store, id, { reasoningLimit: 200 })), last_event_at: null }).toEqual({
    ...reference,
    last_event_at: null,
  });
  const calls = await sessionCalls(store, id, OPTIONS);
  expect(calls.calls).toEqual(lastCalls(model, OPTIONS).calls);
  expect(calls.total_calls).toBe(model.calls.length);
  const usage = await sessionTokenUsage(store, id);
  expect(usage).toMatchObject(tokenUsage(model));
  expect(usage.skipped_lines).toBe(stats.skipped);
}

async function foldFiles(stateDir: string): Promise<string[]> {
  return (await readdir(join(stateDir, "folds")).catch(() => [] as string[])).filter((name) => name.endsWith(".fold"));
}

async function answerFiles(stateDir: string): Promise<string[]> {
  return (await readdir(join(stateDir, "folds")).catch(() => [] as string[])).filter((name) =>
    name.endsWith(".answers"),
  );
}

/** Saved answers would answer before any fold is restored: removed where a test is about the fold. */
async function rmAnswers(stateDir: string): Promise<void> {
  for (const name of await answerFiles(stateDir)) await rm(join(stateDir, "folds", name));
}

describe("saved folds", () => {
  it.each(ALL_FIXTURES.map((entry) => [entry.version, entry.scenario, entry.session_id, entry.path]))(
    "a new store restores the fold of Codex %s, %s and answers as the full fold does",
    async (_version, _scenario, id, source) => {
      const home = await tempDir("ccm-saved-home-");
      const dir = join(home, "sessions", "2026", "11", "23");
      await mkdir(dir, { recursive: true });
      await copyFile(source, join(dir, source.split("/").pop() ?? ""));
      const stateDir = await tempDir("ccm-saved-state-");
      const first = storeOf(home, stateDir);
      await sessionSummary(first, id, { reasoningLimit: 0 });
      const json = source.endsWith(".json");
      // the TypeScript CLI's single document is folded whole each time, never saved
      expect(await foldFiles(stateDir)).toHaveLength(json ? 0 : 1);
      const second = storeOf(home, stateDir);
      await expectSameAnswers(second, id);
      expect(second.folds.counters).toMatchObject({ restored: json ? 0 : 1, foldedBytes: 0 });
    },
  );

  it("folds only the lines appended after the save, and saves again", async () => {
    const { entry, home, path, stateDir } = await setUp();
    const lines = (await readFile(entry.path, "utf8")).trimEnd().split("\n");
    const half = lines.slice(0, 20).join("\n") + "\n";
    await writeFile(path, half);
    await sessionSummary(storeOf(home, stateDir), entry.session_id, { reasoningLimit: 0 });
    const rest = lines.slice(20).join("\n") + "\n";
    await appendFile(path, rest);
    const second = storeOf(home, stateDir);
    await expectSameAnswers(second, entry.session_id);
    expect(second.folds.counters).toEqual({ restored: 1, foldedBytes: Buffer.byteLength(rest), saved: 1 });
    const third = storeOf(home, stateDir);
    await expectSameAnswers(third, entry.session_id);
    // asked what the second store answered, on the same bytes: the saved answers, no fold restored
    expect(third.folds.counters).toEqual({ restored: 0, foldedBytes: 0, saved: 0 });
    await rmAnswers(stateDir);
    const fourth = storeOf(home, stateDir);
    await expectSameAnswers(fourth, entry.session_id);
    expect(fourth.folds.counters).toEqual({ restored: 1, foldedBytes: 0, saved: 0 });
  });

  it("answers again from saved answers while the file is unchanged, and ignores them once it changed or was damaged", async () => {
    const { entry, home, path, stateDir } = await setUp();
    await expectSameAnswers(storeOf(home, stateDir), entry.session_id);
    const [name = ""] = await answerFiles(stateDir);
    expect(name).toMatch(/\.answers$/);
    const again = storeOf(home, stateDir);
    await expectSameAnswers(again, entry.session_id);
    expect(again.folds.counters).toEqual({ restored: 0, foldedBytes: 0, saved: 0 });

    const file = join(stateDir, "folds", name);
    const good = await readFile(file);
    const damaged = Buffer.from(good);
    damaged[damaged.length >> 1] = (damaged[damaged.length >> 1] ?? 0) ^ 0xff;
    for (const bad of [
      damaged,
      good.subarray(0, good.length >> 1),
      Buffer.from("not answers at all"),
      Buffer.alloc(0),
    ]) {
      await writeFile(file, bad);
      const store = storeOf(home, stateDir);
      await expectSameAnswers(store, entry.session_id);
      expect(store.folds.counters.restored).toBe(1); // the fold, not the damaged answers
      // written again whole: the next store answers from it
      const next = storeOf(home, stateDir);
      await expectSameAnswers(next, entry.session_id);
      expect(next.folds.counters).toEqual({ restored: 0, foldedBytes: 0, saved: 0 });
    }

    // one more line: the saved answers are of other bytes
    await appendFile(
      path,
      '{"timestamp":"2026-11-23T20:49:40.000Z","type":"event_msg","payload":{"type":"agent_message","message":"later"}}\n',
    );
    const grown = storeOf(home, stateDir);
    await expectSameAnswers(grown, entry.session_id);
    expect(grown.folds.counters).toMatchObject({ restored: 1 });
    expect(grown.folds.counters.foldedBytes).toBeGreaterThan(0);
  });

  it("ignores a damaged, truncated or foreign fold file and writes a good one", async () => {
    const { entry, home, stateDir } = await setUp();
    await sessionSummary(storeOf(home, stateDir), entry.session_id, { reasoningLimit: 0 });
    const [name = ""] = await foldFiles(stateDir);
    const file = join(stateDir, "folds", name);
    const good = await readFile(file);
    const damaged = Buffer.from(good);
    damaged[damaged.length >> 1] = (damaged[damaged.length >> 1] ?? 0) ^ 0xff;
    for (const bad of [
      damaged,
      good.subarray(0, good.length >> 1),
      Buffer.from("not a fold at all"),
      Buffer.alloc(0),
    ]) {
      await writeFile(file, bad);
      await rmAnswers(stateDir);
      const store = storeOf(home, stateDir);
      await expectSameAnswers(store, entry.session_id);
      expect(store.folds.counters.restored).toBe(0);
      expect(store.folds.counters.foldedBytes).toBeGreaterThan(0);
      await rmAnswers(stateDir);
      const after = storeOf(home, stateDir);
      await expectSameAnswers(after, entry.session_id);
      expect(after.folds.counters).toMatchObject({ restored: 1, foldedBytes: 0 });
    }
  });

  it("does not reuse the fold of a file rewritten in place, or of another file moved to its path", async () => {
    const { entry, home, path, stateDir } = await setUp();
    await sessionSummary(storeOf(home, stateDir), entry.session_id, { reasoningLimit: 0 });
    // same path, same inode, same first bytes, other content after them
    const other = (await readFile(fixture("0.169.0", "command").path, "utf8"))
      .split(fixture("0.169.0", "command").session_id)
      .join(entry.session_id);
    const original = await readFile(path, "utf8");
    const firstLine = original.slice(0, original.indexOf("\n") + 1);
    const padding = '{"timestamp":"2026-11-23T20:49:30.000Z","type":"world_state","payload":{}}\n'.repeat(
      Math.ceil(original.length / 70),
    );
    await writeFile(path, firstLine + other.slice(other.indexOf("\n") + 1) + padding);
    const store = storeOf(home, stateDir);
    await expectSameAnswers(store, entry.session_id);
    expect(store.folds.counters.restored).toBe(0);

    // a new file (new inode) at the same path
    await rm(path);
    await writeFile(path, original);
    const moved = storeOf(home, stateDir);
    await expectSameAnswers(moved, entry.session_id);
    expect(moved.folds.counters.restored).toBe(0);
  });

  it("is safe to delete, and never written without a state dir", async () => {
    const { entry, home, stateDir } = await setUp();
    await sessionSummary(storeOf(home, stateDir), entry.session_id, { reasoningLimit: 0 });
    await rm(join(stateDir, "folds"), { recursive: true });
    const store = storeOf(home, stateDir);
    await expectSameAnswers(store, entry.session_id);
    expect(await foldFiles(stateDir)).toHaveLength(1);
    const memoryOnly = new SessionStore(home, { saveAfterBytes: 1 });
    await expectSameAnswers(memoryOnly, entry.session_id);
    expect(memoryOnly.folds.counters.saved).toBe(0);
  });

  it("keeps the folder within its bounds, the newest saves kept", async () => {
    const { path, stateDir } = await setUp();
    const files = new FoldFiles(join(stateDir, "folds"), { maxFiles: 2, maxBytes: 1024 * 1024 });
    const position = { offset: 10, lines: 1, skipped: 0, badFieldLines: 0, head: "" };
    for (const name of ["a", "b", "c"]) {
      const copy = `${path}.${name}.jsonl`;
      await copyFile(path, copy);
      await files.save(copy, position, Buffer.from(name));
      await new Promise((resolve) => setTimeout(resolve, 20)); // distinct mtimes
    }
    expect((await foldFiles(stateDir)).sort()).toEqual(
      [files.fileOf(`${path}.b.jsonl`), files.fileOf(`${path}.c.jsonl`)].map((file) => file.split("/").pop()).sort(),
    );
    expect((await files.load(`${path}.c.jsonl`))?.state.toString()).toBe("c");
    expect(await files.load(`${path}.a.jsonl`)).toBeUndefined();
  });

  it("counts saved answers within the same bounds, and keeps one file's answers within 4 MB", async () => {
    const { path, stateDir } = await setUp();
    const dir = join(stateDir, "folds");
    const folds = new FoldFiles(dir, { maxFiles: 2, maxBytes: 64 * 1024 * 1024 });
    const answers = new AnswerFiles({
      dir,
      maxFileBytes: 4 * 1024 * 1024,
      keepWithinLimits: (keep) => folds.keepWithinLimits(keep),
    });
    const stamp = { ino: 1, size: 10, mtimeMs: 1, edge: "e" };
    for (const name of ["a", "b", "c"]) {
      const of = `${path}.${name}`;
      await answers.save(of, stamp, {}, new Map([[usageKey(of), usageAnswer(of, name)]]));
      await new Promise((resolve) => setTimeout(resolve, 20)); // distinct mtimes
    }
    expect((await readdir(dir)).sort()).toEqual(
      [answers.fileOf(`${path}.b`), answers.fileOf(`${path}.c`)].map((file) => file.split("/").pop()).sort(),
    );
    // five answers of 0.9 MB: the newest four fit in 4 MB, the oldest is dropped
    const c = `${path}.c`;
    const big = new Map(
      ["1", "2", "3", "4", "5"].map(
        (n) => [JSON.stringify(["usage", c, n]), usageAnswer(c, n.repeat(900 * 1024))] as const,
      ),
    );
    await answers.save(c, stamp, {}, big);
    const kept = [...((await answers.load(c, stamp))?.answers.keys() ?? [])];
    expect(kept.map((key) => (JSON.parse(key) as string[])[2])).toEqual(["2", "3", "4", "5"]);
  });

  // fold-shape.ts compares a restored fold with a fresh one: a sub-agent's lines below its history marker (a
  // list in a fresh fold) are cleared once the marker holds or is disproven, and such a fold was never restored
  it.each(["subagent-history-by-ordinal", "guardian-subagent-history-marker-past-its-lines"])(
    "a sub-agent's fold whose history marker was settled (%s) is restored, not folded again",
    async (shape) => {
      const home = await tempDir("ccm-saved-home-");
      const dir = join(home, "sessions", "2026", "11", "23");
      await mkdir(dir, { recursive: true });
      const path = join(dir, "rollout-2026-11-23T10-00-00-0199a1b2-0000-7000-8000-00000000c001.jsonl");
      await copyFile(join(import.meta.dirname, "..", "fixtures", "shapes", `${shape}.jsonl`), path);
      const stateDir = await tempDir("ccm-saved-state-");
      const first = storeOf(home, stateDir);
      const made = await sessionSummary(first, path, { reasoningLimit: 0 });
      expect(first.folds.counters.saved).toBe(1);
      await rmAnswers(stateDir);
      const second = storeOf(home, stateDir);
      expect(await sessionSummary(second, path, { reasoningLimit: 0 })).toEqual(made);
      expect(second.folds.counters).toEqual({ restored: 1, foldedBytes: 0, saved: 0 });
    },
  );
});
