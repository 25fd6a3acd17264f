// A home with a session resumed later the same UTC day it started (test/sessions/report/since-same-day.test.ts,
// test/export/since-same-day.test.ts): `codex exec resume` appends the new turn to the log with no second
// session_meta (as the real CLI 0.171 writes), and the log's mtime moves on.
import { appendFile, utimes } from "node:fs/promises";
import { linesOf, makeHome, pathOf, writeSession, type SessionSpec } from "./report-homes.js";

const ERROR = "unexpected status 401 Unauthorized: Missing bearer or basic authentication in header";
// turn 1 at 09:00:05 (10 s, 1,000 in / 100 out)
export const morning: SessionSpec = {
  id: "0199acac-0000-7000-8000-000000000081",
  start: "2026-11-13T09:00:00.000Z",
  turns: [{ prompt: "start", total: { input: 1000, cached: 0, output: 100, reasoning: 0 } }],
};
// its resume at 15:00:05: a turn of 20 s that fails, the counter going on from 1,100 (1,500 in / 100 out)
const resume: SessionSpec = {
  ...morning,
  start: "2026-11-13T15:00:00.000Z",
  turns: [{ prompt: "again", seconds: 20, error: ERROR, total: { input: 2500, cached: 0, output: 200, reasoning: 0 } }],
};
// another session of the afternoon, wholly after 14:00
export const afternoon: SessionSpec = {
  id: "0199acac-0000-7000-8000-000000000082",
  start: "2026-11-13T14:30:00.000Z",
  turns: [{ prompt: "other", total: { input: 500, cached: 0, output: 50, reasoning: 0 } }],
};
// a turn of 20 minutes from 13:50:05 to 14:10:05: begun before 14:00, written after it
export const long: SessionSpec = {
  id: "0199acac-0000-7000-8000-000000000083",
  start: "2026-11-13T13:50:00.000Z",
  turns: [{ prompt: "long", seconds: 1200, total: { input: 300, cached: 0, output: 30, reasoning: 0 } }],
};

/** The home: `morning` resumed at 15:00, `afternoon`, and `long` when asked. */
export async function sameDayHome(withLong = false): Promise<string> {
  const dir = await makeHome();
  await writeSession(dir, morning);
  await writeSession(dir, afternoon);
  if (withLong) await writeSession(dir, long);
  const path = pathOf(dir, morning);
  const more = linesOf(resume).filter((line) => (line as { type: string }).type !== "session_meta");
  await appendFile(path, more.map((line) => `${JSON.stringify(line)}\n`).join(""));
  const resumedAt = Date.parse("2026-11-13T15:00:30.000Z") / 1000;
  await utimes(path, resumedAt, resumedAt);
  return dir;
}
