// A session that failed and was resumed later, reported over a range that ends before the resume: it is
// counted as it stood then (DayPart.ended), and its failure was seen when its failed turn ended. The real
// CLI 0.171 opens a resume with a `thread_settings_applied` line written just before the resumed turn's
// task_started (seen in test/fixtures/codex-home's resumed logs and in logs made with `codex exec resume`):
// that line is the resume's, not the failure's.
// Before: `until` before the resume listed the 401 as last seen at the resume's first line — after `until`,
// and, for a session resumed days later, days after it failed.
import { appendFile, utimes } from "node:fs/promises";
import { describe, expect, it } from "vitest";

import { linesOf, makeHome, pathOf, writeSession, type SessionSpec, reportOf } from "../../support/report-homes.js";

const AUTH = "unexpected status 401 Unauthorized: Missing bearer or basic authentication in header";
const failed: SessionSpec = {
  id: "0199abab-0000-7000-8000-0000000000a1",
  start: "2026-11-13T09:00:00.000Z",
  // turn 1 from 09:00:05, its error at 09:00:14 and its end at 09:00:15
  turns: [{ prompt: "start", error: AUTH }],
};

/** `failed` resumed at `at` (its first turn after it, 5 s on), 0.171's preamble line first. */
async function resumedHome(at: string): Promise<string> {
  const dir = await makeHome();
  await writeSession(dir, failed);
  const resume: SessionSpec = {
    ...failed,
    start: at,
    turns: [{ prompt: "again", total: { input: 1000, cached: 0, output: 100, reasoning: 0 } }],
  };
  const preamble = {
    timestamp: new Date(Date.parse(at) + 4000).toISOString(),
    type: "event_msg",
    payload: {
      type: "thread_settings_applied",
      thread_id: failed.id,
      thread_settings: { model: "gpt-5.1-codex", model_provider: "openai" },
    },
  };
  const lines = [preamble, ...linesOf(resume).filter((line) => (line as { type: string }).type !== "session_meta")];
  const path = pathOf(dir, failed);
  await appendFile(path, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
  const end = Date.parse(at) / 1000 + 60;
  await utimes(path, end, end);
  return dir;
}

async function failures(dir: string, until: string) {
  const result = await reportOf(dir, { groupBy: "category", until });
  return {
    rows: result.rows.map((row) => [row.key, row.sessions, row.turns, row.categories]),
    failures: result.recurring_failures.map((failure) => [
      failure.category,
      failure.count,
      failure.first_seen,
      failure.last_seen,
    ]),
  };
}

describe("a failed session resumed later, until before the resume", () => {
  it("resumed the same day: the 401 was seen when its turn ended, before until", async () => {
    const dir = await resumedHome("2026-11-13T15:00:00.000Z");
    expect(await failures(dir, "2026-11-13T12:00:00Z")).toEqual({
      rows: [["auth_error", 1, 1, { auth_error: 1 }]],
      failures: [["auth_error", 1, "2026-11-13T09:00:15.000Z", "2026-11-13T09:00:15.000Z"]],
    });
  });

  it("resumed four days later: the same, not the day of the resume", async () => {
    const dir = await resumedHome("2026-11-17T15:00:00.000Z");
    expect(await failures(dir, "2026-11-15T00:00:00Z")).toEqual({
      rows: [["auth_error", 1, 1, { auth_error: 1 }]],
      failures: [["auth_error", 1, "2026-11-13T09:00:15.000Z", "2026-11-13T09:00:15.000Z"]],
    });
  });
});
