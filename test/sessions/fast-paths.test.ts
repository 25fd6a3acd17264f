// The fast paths (cached incremental index, backward reading) answer exactly what a full fold answers:
// on every real-CLI fixture, on damaged files, and on a file that grows while it is being read.
import { readdirSync } from "node:fs";
import { appendFile, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lastCalls } from "../../src/sessions/calls.js";
import {
  loadSession,
  sessionCalls,
  sessionSummary,
  sessionTokenUsage,
  SessionStore,
} from "../../src/sessions/index.js";
import { cannotMatter } from "../../src/sessions/line-filter.js";
import { summarize } from "../../src/sessions/summary.js";
import { tokenUsage } from "../../src/sessions/usage.js";
import { ALL_FIXTURES, FIXTURE_HOME, FIXTURES, fixture } from "../support/fixtures.js";

const OPTIONS = { limit: 200, includeOutput: true, maxOutputChars: 100_000 };

/** Same answers from `store` (its caches and saved folds) as from a full fold of the file. */
async function expectSameAnswers(source: string | SessionStore, id: string): Promise<void> {
  const home = typeof source === "string" ? new SessionStore(source) : source;
  const { file, model, stats } = await loadSession(home.home, id);
  const reference = summarize(
    model,
    { id: file.id, path: file.path },
    { reasoningLimit: 200, skippedLines: stats.skipped },
  );
  const fast = await sessionSummary(home, id, { reasoningLimit: 200 });
  expect({ ...fast, last_event_at: null }).toEqual({ ...reference, last_event_at: null });
  const calls = await sessionCalls(home, id, OPTIONS);
  expect(calls.calls).toEqual(lastCalls(model, OPTIONS).calls);
  expect(calls.total_calls).toBe(model.calls.length);
  const limited = await sessionCalls(home, id, { ...OPTIONS, limit: 1 });
  expect(limited.calls).toEqual(lastCalls(model, { ...OPTIONS, limit: 1 }).calls);
  const usage = await sessionTokenUsage(home, id);
  expect(usage).toMatchObject(tokenUsage(model));
  expect(usage.skipped_lines).toBe(stats.skipped);
}

describe("fast paths equal the full fold", () => {
  it.each(ALL_FIXTURES.map((entry) => [entry.version, entry.scenario, entry.session_id]))(
    "Codex %s, %s",
    async (_version, _scenario, id) => {
      await expectSameAnswers(FIXTURE_HOME, id);
    },
  );

  it("on a file that grows line by line, through a torn last line", async () => {
    const entry = fixture("0.169.0", "resumed");
    const home = await mkdtemp(join(tmpdir(), "ccm-grow-"));
    const dir = join(home, "sessions", "2026", "11", "23");
    await mkdir(dir, { recursive: true });
    const path = join(dir, entry.rollout.split("/").pop() ?? "");
    const lines = (await readFile(entry.path, "utf8")).trimEnd().split("\n");
    await writeFile(path, "");
    const store = new SessionStore(home);
    for (const [index, line] of lines.entries()) {
      if (index % 5 === 4) {
        // half a line first, as a reader may see it mid-write
        await appendFile(path, line.slice(0, 40));
        await expectSameAnswers(store, entry.session_id);
        await appendFile(path, `${line.slice(40)}\n`);
      } else {
        await appendFile(path, `${line}\n`);
      }
      if (index % 3 === 0 || index === lines.length - 1) await expectSameAnswers(store, entry.session_id);
    }
    const summary = await sessionSummary(store, entry.session_id, { reasoningLimit: 10 });
    expect(summary.turns).toHaveLength(2);
    // an unchanged file: the answer computed before, not a new pass over the fold
    expect(await sessionSummary(store, entry.session_id, { reasoningLimit: 10 })).toBe(summary);
    expect(await sessionSummary(store, entry.session_id, { reasoningLimit: 11 })).not.toBe(summary);
  });

  it("on a file rewritten in place (as `codex migrate-rollouts` does) it folds again", async () => {
    const home = await mkdtemp(join(tmpdir(), "ccm-rewrite-"));
    const dir = join(home, "sessions", "2026", "11", "23");
    await mkdir(dir, { recursive: true });
    const first = fixture("0.169.0", "resumed");
    const path = join(dir, first.rollout.split("/").pop() ?? "");
    await copyFile(first.path, path);
    const store = new SessionStore(home);
    expect((await sessionSummary(store, first.session_id, { reasoningLimit: 0 })).turns).toHaveLength(2);
    const other = (await readFile(fixture("0.169.0", "command").path, "utf8"))
      .split(fixture("0.169.0", "command").session_id)
      .join(first.session_id);
    await writeFile(path, other);
    await expectSameAnswers(store, first.session_id);
    expect((await sessionSummary(store, first.session_id, { reasoningLimit: 0 })).turns).toHaveLength(1);
  });
});

/** The hand-written shapes, plain `.jsonl` (the compressed one is read whole: compressed.test.ts). */
const SHAPES = readdirSync(join(FIXTURES, "shapes"))
  .filter((name) => name.endsWith(".jsonl"))
  .sort();
/** Shapes whose calls only the full fold can number or pair: a parent's history replayed in, code mode. */
const FOLDED_SHAPES = [
  "code-mode-exec-with-nested-calls.jsonl",
  "code-mode-nested-patches.jsonl",
  "code-mode-patch-rejected-read-only.jsonl",
  "code-mode-script-failed.jsonl",
  "code-mode-script-interrupted.jsonl",
  "code-mode-script-terminated.jsonl",
  "code-mode-script-yields-then-waits.jsonl",
  "code-mode-views-an-image.jsonl",
  "fork-copied-parent-history.jsonl",
  "fork-counters-copied-without-marker.jsonl",
  "fork-sibling-a-of-missing-parent.jsonl",
  "fork-sibling-b-of-missing-parent.jsonl",
  "guardian-subagent-own-tokens.jsonl",
  "guardian-subagent-history-marker-past-its-lines.jsonl",
  "subagent-counter-restarts.jsonl",
  "subagent-failed-turn.jsonl",
  "subagent-fresh-counters-like-parents.jsonl",
  "subagent-history-by-ordinal.jsonl",
  "subagent-only-parent-history.jsonl",
  "review-subagent-failed-auth.jsonl",
  "subagent-spawned-failed-auth.jsonl",
  "subagent-token-counts-only.jsonl",
];

/**
 * A first question on a new store that answers logs of any size without a fold where it can (by default only
 * logs of 4 MB or more): read from the end, no fold made, the same calls and turns as the full fold.
 */
async function expectCallsFromEnd(home: string, ref: string, fromEnd: boolean): Promise<void> {
  const { model } = await loadSession(home, ref);
  for (const limit of [1, 2, 3, 200]) {
    const store = new SessionStore(home, { quickFromBytes: 0 });
    const quick = await sessionCalls(store, ref, { ...OPTIONS, limit });
    expect(quick.calls).toEqual(lastCalls(model, { ...OPTIONS, limit }).calls);
    if (fromEnd) {
      expect(quick).toMatchObject({ total_calls: null, skipped_lines: null, bad_field_lines: null });
      expect(store.folds.counters.foldedBytes).toBe(0);
      // asked again: the same answer, still no fold
      expect(await sessionCalls(store, ref, { ...OPTIONS, limit })).toBe(quick);
    } else {
      expect(quick.total_calls).toBe(model.calls.length);
    }
  }
  // token_usage: every counter read, turns numbered as the fold numbers them
  const store = new SessionStore(home, { quickFromBytes: 0 });
  const usage = await sessionTokenUsage(store, ref);
  if (fromEnd) {
    expect(usage).toEqual({
      ...tokenUsage(model),
      session_id: usage.session_id,
      path: usage.path,
      skipped_lines: null,
      bad_field_lines: null,
    });
    expect(usage.session_id).toBe(model.meta?.id);
    expect(store.folds.counters.foldedBytes).toBe(0);
  } else {
    expect(usage.skipped_lines).not.toBeNull();
  }
}

describe("the first question on a log not folded yet is answered from its end", () => {
  it.each(
    ALL_FIXTURES.filter((entry) => entry.path.endsWith(".jsonl")).map((entry) => [
      entry.version,
      entry.scenario,
      entry.session_id,
    ]),
  )("Codex %s, %s", async (_version, _scenario, id) => {
    await expectCallsFromEnd(FIXTURE_HOME, id, true);
  });

  it.each(SHAPES)("hand-written shape %s", async (name) => {
    const home = await mkdtemp(join(tmpdir(), "ccm-tail-"));
    try {
      const dir = join(home, "sessions", "2026", "01", "10");
      await mkdir(dir, { recursive: true });
      const path = join(dir, `rollout-2026-01-10T09-00-00-0199bbbb-0000-7000-8000-000000000001.jsonl`);
      await copyFile(join(FIXTURES, "shapes", name), path);
      await expectCallsFromEnd(home, path, !FOLDED_SHAPES.includes(name));
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe("a first question on a short log folds it: the whole-file counts are there", () => {
  it.each(
    ALL_FIXTURES.filter((entry) => entry.path.endsWith(".jsonl")).map((entry) => [
      entry.version,
      entry.scenario,
      entry.session_id,
    ]),
  )("Codex %s, %s", async (_version, _scenario, id) => {
    const { model, stats } = await loadSession(FIXTURE_HOME, id);
    const calls = await sessionCalls(new SessionStore(FIXTURE_HOME), id, OPTIONS);
    expect(calls).toMatchObject({
      total_calls: model.calls.length,
      skipped_lines: stats.skipped,
      bad_field_lines: stats.badFieldLines,
    });
    const usage = await sessionTokenUsage(new SessionStore(FIXTURE_HOME), id);
    expect(usage).toMatchObject({ skipped_lines: stats.skipped, bad_field_lines: stats.badFieldLines });
  });
});

describe("reading from the end across chunk boundaries", () => {
  it("a line longer than the scan's and the backward reader's chunks, and a prompt with multi-byte text", async () => {
    const home = await mkdtemp(join(tmpdir(), "ccm-tail-long-"));
    try {
      const dir = join(home, "sessions", "2026", "01", "10");
      await mkdir(dir, { recursive: true });
      const path = join(dir, "rollout-2026-01-10T09-00-00-0199dddd-0000-7000-8000-000000000001.jsonl");
      const at = (second: number) => `2026-01-10T09:00:${String(second).padStart(2, "0")}.000Z`;
      const line = (second: number, type: string, payload: unknown) =>
        JSON.stringify({ timestamp: at(second), type, payload });
      const turn = (n: number, output: string) => [
        line(n * 5, "event_msg", { type: "task_started", turn_id: `t${n}` }),
        line(n * 5 + 1, "event_msg", { type: "user_message", message: `prompt ${n} — ünïcödé ✓` }),
        line(n * 5 + 2, "response_item", {
          type: "function_call",
          name: "shell",
          arguments: JSON.stringify({ command: ["cat", "big"] }),
          call_id: `call_${n}`,
        }),
        line(n * 5 + 3, "response_item", {
          type: "function_call_output",
          call_id: `call_${n}`,
          output: JSON.stringify({ output, metadata: { exit_code: n % 2, duration_seconds: 0.5 } }),
        }),
        line(n * 5 + 4, "event_msg", { type: "task_complete", turn_id: `t${n}`, last_agent_message: null }),
      ];
      const big = "é".repeat(800_000); // 1.6 MB of two-byte characters: wider than either reader's chunk
      const lines = [
        line(0, "session_meta", {
          id: "0199dddd-0000-7000-8000-000000000001",
          timestamp: at(0),
          cwd: "/w",
          cli_version: "0.130.0",
          source: "cli",
        }),
        ...turn(1, "small"),
        ...turn(2, big),
        ...turn(3, "after"),
      ];
      await writeFile(path, `${lines.join("\n")}\n`);
      await expectCallsFromEnd(home, path, true);
      const calls = await sessionCalls(new SessionStore(home), path, {
        limit: 2,
        includeOutput: true,
        maxOutputChars: 100_000,
      });
      expect(calls.calls.map((call) => [call.call_id, call.turn, call.exit_code, call.output_truncated])).toEqual([
        ["call_2", 2, 0, true],
        ["call_3", 3, 1, false],
      ]);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe("cannotMatter", () => {
  it("passes over enveloped messages, reasoning and bookkeeping by their first bytes, nothing else", async () => {
    const lines = (await readFile(fixture("0.169.0", "command").path, "utf8")).trimEnd().split("\n");
    const passed = lines.filter(cannotMatter).map((line) => {
      const value = JSON.parse(line) as { type: string; payload: { type?: string } };
      return `${value.type}:${value.payload.type ?? ""}`;
    });
    expect([...new Set(passed)].sort()).toEqual(["response_item:message", "response_item:reasoning", "world_state:"]);
    expect(lines.filter(cannotMatter).length).toBeGreaterThan(3);
    expect(cannotMatter('{"id":"x","timestamp":"t"}')).toBe(false);
  });
});
