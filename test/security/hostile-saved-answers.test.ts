// Saved answers are checked files in the state dir: checksummed, not signed, so whoever can write the state dir
// can write one whose checksum, code hash and stamp hold (the stamp is read off the log itself). Each case
// forges such a file for log A through the same steps; the control shows that a forgery the checks cannot tell
// from a real save is believed (no fold is made), so a refusal below is the answers' own check at work: an
// answer must be its tool's view (schema) about this log (its key and its `path`), else all are made afresh.
import { mkdir, mkdtemp, readdir, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { describe, expect, it } from "vitest";
import { readChecked, writeChecked } from "../../src/sessions/checked-files.js";
import { askSession, SessionStore } from "../../src/sessions/index.js";

const A = "0199a1b2-0000-7000-8000-00000000f101";
const B = "0199a1b2-0000-7000-8000-00000000f102";
const at = "2026-01-28T10:00:00.000Z";
const USAGE = { kind: "usage" } as const;
const SUMMARY = { kind: "summary", options: { reasoningLimit: 5 } } as const;

function rollout(sessionId: string, message: string): string {
  const line = (type: string, payload: Record<string, unknown>) => JSON.stringify({ timestamp: at, type, payload });
  return [
    line("session_meta", { id: sessionId, timestamp: at, cwd: "/w", cli_version: "0.169.0" }),
    line("event_msg", { type: "task_started", turn_id: "t1" }),
    line("event_msg", { type: "user_message", message: "go" }),
    line("event_msg", { type: "agent_message", message }),
    line("event_msg", { type: "task_complete", turn_id: "t1", last_agent_message: message }),
    "",
  ].join("\n");
}

type Saved = { path: string; stamp: unknown; answers: Array<[string, Record<string, unknown>]> } & Record<
  string,
  unknown
>;

/** Two logs, each asked once by a first store: their answers saved in answers/. */
async function savedHome() {
  const home = await mkdtemp(join(tmpdir(), "ccm-forged-answers-"));
  const day = join(home, "sessions", "2026", "01", "28");
  await mkdir(day, { recursive: true });
  const paths = { A: join(day, `rollout-2026-01-28T10-00-00-${A}.jsonl`), B: "" };
  paths.B = join(day, `rollout-2026-01-28T10-00-00-${B}.jsonl`);
  await writeFile(paths.A, rollout(A, "done A"));
  await writeFile(paths.B, rollout(B, "done B"));
  for (const path of [paths.A, paths.B]) await utimes(path, 1_800_000_000, 1_800_000_000);
  const stateDir = await mkdtemp(join(tmpdir(), "ccm-forged-answers-state-"));
  const first = new SessionStore(home, { stateDir });
  const answers = {
    A: { usage: await askSession(first, A, USAGE), summary: await askSession(first, A, SUMMARY) },
    B: { usage: await askSession(first, B, USAGE), summary: await askSession(first, B, SUMMARY) },
  };
  const dir = join(stateDir, "answers");
  const files = await Promise.all(
    (await readdir(dir)).map(async (name) => {
      const saved = deserialize((await readChecked(join(dir, name), 1 << 24)) ?? Buffer.alloc(0)) as Saved;
      return { file: join(dir, name), saved };
    }),
  );
  const of = (path: string) => files.find((entry) => entry.saved.path === path) ?? files[0]!;
  return { home, stateDir, paths, answers, A: of(paths.A), B: of(paths.B) };
}

/** What a new store answers on A (and whether it had to fold the log for it). */
/** A's whole log: what a question folds when it believes no saved answer. */
const A_LOG_BYTES = Buffer.byteLength(rollout(A, "done A"));

async function askedAgain(home: string, stateDir: string) {
  const store = new SessionStore(home, { stateDir });
  const usage = await askSession(store, A, USAGE);
  return { usage, folded: store.folds.counters.foldedBytes };
}

describe("a forged saved answer", () => {
  it("control: one the checks cannot tell from a save is believed (the log is not read)", async () => {
    const { home, stateDir, A: a } = await savedHome();
    const answers = a.saved.answers.map(([key, answer]): [string, unknown] => [key, { ...answer, note: "forged" }]);
    await writeChecked(a.file, [serialize({ ...a.saved, answers })]);
    const { usage, folded } = await askedAgain(home, stateDir);
    expect([usage.note, folded]).toEqual(["forged", 0]);
  });

  it("another log's answers filed under this log's name, path, stamp and keys are not shown", async () => {
    const { home, stateDir, paths, answers: real, A: a, B: b } = await savedHome();
    // B's answers, keyed as A's questions are (the key names the log's path)
    const answers = b.saved.answers.map(([key, answer]): [string, unknown] => [key.replace(paths.B, paths.A), answer]);
    await writeChecked(a.file, [serialize({ ...a.saved, answers })]);
    const { usage, folded } = await askedAgain(home, stateDir);
    expect([usage, folded]).toEqual([real.A.usage, A_LOG_BYTES]);
  });

  it.each([
    ["a count that is not a number", (answer: Record<string, unknown>) => ({ ...answer, skipped_lines: "none" })],
    ["a field missing", ({ session_id: _, ...answer }: Record<string, unknown>) => answer],
    ["not an object", () => "forged"],
  ])("an answer with %s is not shown", async (_, damage) => {
    const { home, stateDir, answers: real, A: a } = await savedHome();
    const answers = a.saved.answers.map(([key, answer]): [string, unknown] => [key, damage(answer)]);
    await writeChecked(a.file, [serialize({ ...a.saved, answers })]);
    const { usage, folded } = await askedAgain(home, stateDir);
    expect([usage, folded]).toEqual([real.A.usage, A_LOG_BYTES]);
  });

  it("facts of the wrong shape (they pick the folders a summary's key reads) make the file ignored", async () => {
    const { home, stateDir, answers: real, A: a } = await savedHome();
    await writeChecked(a.file, [serialize({ ...a.saved, facts: { fold: { sessionId: A, cwd: 42 } } })]);
    const store = new SessionStore(home, { stateDir });
    expect(await askSession(store, A, SUMMARY)).toEqual(real.A.summary);
    expect(store.folds.counters.foldedBytes).toBe(A_LOG_BYTES);
  });
});
