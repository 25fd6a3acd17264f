// list_sessions `since` (and `sessions --since`) list the sessions written at or after it, and a session
// resumed today was written today, whatever folder it is in: `codex exec resume` appends to the log in the
// date folder of the day the session started. The report already looks into the folders older than `since`
// for such logs (their mtime); the listing skipped them.
// Before: `since: 7d` (or any since) left out a session started 10 days ago and resumed an hour ago.
import { utimes } from "node:fs/promises";
import { expect, it } from "vitest";
import { listSessions, SessionStore } from "../../../src/sessions/index.js";
import { makeHome, pathOf, writeSession, type SessionSpec } from "../../support/report-homes.js";
import { filterTime } from "../../../src/sessions/report/filters.js";

const DAY_MS = 86_400_000;

it("list_sessions since 7d lists a session started 10 days ago and resumed since, not one left alone", async () => {
  const dir = await makeHome();
  const now = Date.now();
  const spec = (id: string, daysAgo: number): SessionSpec => ({
    id,
    start: new Date(now - daysAgo * DAY_MS).toISOString(),
    turns: [{ prompt: "a", total: { input: 100, cached: 0, output: 10, reasoning: 0 } }],
  });
  const resumed = spec("0199cdcd-0000-7000-8000-000000000001", 10);
  const alone = spec("0199cdcd-0000-7000-8000-000000000002", 11);
  const recent = spec("0199cdcd-0000-7000-8000-000000000003", 2);
  for (const each of [resumed, alone, recent]) await writeSession(dir, each);
  const anHourAgo = (now - 3_600_000) / 1000;
  await utimes(pathOf(dir, resumed), anHourAgo, anHourAgo);
  const since = new Date(filterTime("since", "7d", now, false)).toISOString();
  const listed = await listSessions(new SessionStore(dir), { limit: 20, since, includeArchived: false });
  expect(listed.sessions.map((session) => session.session_id)).toEqual([resumed.id, recent.id]);
});
