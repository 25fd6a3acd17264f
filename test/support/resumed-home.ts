// A home with a session resumed in a later week (test/sessions/report/resumed-days.test.ts, test/export/resumed.test.ts):
// `codex exec resume` appends the new turns to the log in the date folder of the day the session started, with
// no second session_meta (as the real CLI 0.171 writes: test/fixtures/codex-home), and the log's mtime moves on.
import { appendFile, utimes } from "node:fs/promises";
import { linesOf, makeHome, pathOf, writeSession, type SessionSpec } from "./report-homes.js";

const ERROR = "unexpected status 401 Unauthorized: Missing bearer or basic authentication in header";
// Friday of ISO week 2026-11-09
export const parent: SessionSpec = {
  id: "0199abab-0000-7000-8000-000000000071",
  start: "2026-11-13T08:00:00.000Z",
  turns: [{ prompt: "start", total: { input: 1000, cached: 0, output: 100, reasoning: 0 } }],
};
// its resume on Tuesday of the next week: a turn that fails, the counter continuing from 1,100
const resume: SessionSpec = {
  ...parent,
  start: "2026-11-17T09:00:00.000Z",
  turns: [{ prompt: "again", seconds: 20, error: ERROR, total: { input: 2500, cached: 0, output: 200, reasoning: 0 } }],
};
// a fork of the parent on Saturday (history copied: the parent's 1,100 tokens are counted once, in the parent)
export const child: SessionSpec = {
  id: "0199abab-0000-7000-8000-000000000072",
  start: "2026-11-14T10:00:00.000Z",
  forkOf: { parent },
  turns: [{ prompt: "fork", total: { input: 1500, cached: 0, output: 150, reasoning: 0 } }],
};

/** The home; `resumed` false: before the resume (then `resumeIn` appends it). */
export async function home(resumed = true): Promise<string> {
  const dir = await makeHome();
  await writeSession(dir, parent);
  await writeSession(dir, child);
  if (resumed) await resumeIn(dir);
  return dir;
}

/** Appends the resume's turn to the parent's log, and moves its mtime to the resume's end. */
export async function resumeIn(dir: string): Promise<void> {
  const path = pathOf(dir, parent);
  const more = linesOf(resume).filter((line) => (line as { type: string }).type !== "session_meta");
  await appendFile(path, more.map((line) => `${JSON.stringify(line)}\n`).join(""));
  const resumedAt = Date.parse("2026-11-17T09:00:30.000Z") / 1000;
  await utimes(path, resumedAt, resumedAt);
}
