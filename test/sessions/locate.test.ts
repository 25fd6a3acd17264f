// Resolving a session without walking CODEX_HOME: UUIDv7 ids name their date folder, `last` and listings
// read the newest date folders. Every answer equals what a walk of the whole tree finds.
import { copyFile, mkdir, mkdtemp, rm, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listSessions, resolveSession, sessionSummary, SessionStore } from "../../src/sessions/index.js";
import { datesOfId, listRolloutFiles } from "../../src/sessions/locate.js";
import { ALL_FIXTURES, copyFixtureHome, fixture } from "../support/fixtures.js";

const made: string[] = [];
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function emptyHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), "ccm-locate-"));
  made.push(home);
  return home;
}

/** A copy of a fixture rollout under `sessions/<date>/` with id `id`, written at `mtime` (seconds). */
async function place(home: string, date: string, id: string, mtime: number): Promise<string> {
  const source = fixture("0.169.0", "command");
  const dir = join(home, "sessions", ...date.split("-"));
  await mkdir(dir, { recursive: true });
  const path = join(dir, `rollout-${date}T10-00-00-${id}.jsonl`);
  await copyFile(source.path, path);
  await utimes(path, mtime, mtime);
  return path;
}

function localDate(ms: number): string {
  const date = new Date(ms);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

/** A UUIDv7 made at `ms`. */
function v7At(ms: number, tail = "7000-8000-000000000001"): string {
  const hex = ms.toString(16).padStart(12, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${tail}`;
}

describe("resolution equals a walk of the whole tree", () => {
  it("for every fixture: full id, 8-character prefix where unique, `last`", async () => {
    const { home } = await copyFixtureHome();
    made.push(home);
    const walked = await listRolloutFiles(home, { includeArchived: true });
    const store = new SessionStore(home);
    for (const entry of ALL_FIXTURES) {
      const expected = walked.find((file) => file.id === entry.session_id);
      expect(await resolveSession(store, entry.session_id)).toEqual(expected);
      const prefix = entry.session_id.slice(0, 8);
      if (walked.filter((file) => file.id.startsWith(prefix)).length === 1)
        expect(await resolveSession(store, prefix)).toEqual(expected);
    }
    expect(await resolveSession(store, "last")).toEqual(walked[0]);
    const { sessions } = await listSessions(store, { limit: 500, includeArchived: true });
    expect(sessions.map((session) => session.path)).toEqual(walked.map((file) => file.path));
  });
});

describe("UUIDv7 ids name their date folder", () => {
  it("gives the local dates around the id's time, none for v4 ids or implausible times", () => {
    const at = Date.parse("2026-11-23T12:00:00Z");
    const dates = datesOfId(v7At(at), at);
    expect(dates).toContain(localDate(at));
    expect(dates).toContain(localDate(at - 86_400_000));
    expect(dates).toContain(localDate(at + 86_400_000));
    expect(dates.length).toBeLessThanOrEqual(4);
    expect(datesOfId(v7At(at).slice(0, 8), at)).toContain(localDate(at));
    expect(datesOfId("55cac4f8-5fed-4ce9-8f2c-47be104a6901", at)).toEqual([]);
    expect(datesOfId("ffffffff", at)).toEqual([]);
    expect(datesOfId("0000000a", at)).toEqual([]);
  });

  it("finds a v7 session outside the folder its time names, and a v4 session anywhere, by a walk", async () => {
    const home = await emptyHome();
    const at = Date.parse("2026-10-01T12:00:00Z");
    const misplaced = v7At(at);
    const path = await place(home, "2026-01-05", misplaced, at / 1000);
    const v4 = "3f2a0c1e-9b7d-4c55-8e21-6a0d5b9c7e10";
    const v4Path = await place(home, "2026-03-07", v4, at / 1000);
    const store = new SessionStore(home);
    expect((await resolveSession(store, misplaced)).path).toBe(path);
    expect((await resolveSession(store, misplaced.slice(0, 10))).path).toBe(path);
    expect((await resolveSession(store, v4)).path).toBe(v4Path);
    expect((await resolveSession(store, v4.slice(0, 8))).path).toBe(v4Path);
  });

  it("sees files created after the folder was first read", async () => {
    const home = await emptyHome();
    const at = Date.now() - 5 * 86_400_000;
    const date = localDate(at);
    await place(home, date, v7At(at), at / 1000);
    const store = new SessionStore(home);
    await resolveSession(store, v7At(at));
    const later = v7At(at + 1000, "7000-8000-000000000002");
    const path = await place(home, date, later, at / 1000 + 1);
    expect((await resolveSession(store, later)).path).toBe(path);
    expect((await resolveSession(store, "last")).path).toBe(path);
  });
});

describe("`last` and listings read the newest date folders", () => {
  it("ranks by date folder, then by last write within the newest folders and the one before", async () => {
    const home = await emptyHome();
    const day = (n: number) => Date.parse("2026-11-20T12:00:00Z") + n * 86_400_000;
    const old = await place(home, localDate(day(0)), v7At(day(0)), day(9) / 1000); // resumed lately: written last
    const yesterday = await place(home, localDate(day(2)), v7At(day(2)), day(3.9) / 1000);
    const today = await place(home, localDate(day(3)), v7At(day(3)), day(3.5) / 1000);
    const store = new SessionStore(home);
    // yesterday's session was written after today's: the day before the newest is read too
    expect((await resolveSession(store, "last")).path).toBe(yesterday);
    const { sessions } = await listSessions(store, { limit: 1, includeArchived: false });
    expect(sessions.map((session) => session.path)).toEqual([yesterday]);
    const all = await listSessions(store, { limit: 3, includeArchived: false });
    expect(all.sessions.map((session) => session.path)).toEqual([old, yesterday, today]);
  });

  it("lists flat (pre-0.8) and archived files by the date in their names", async () => {
    const home = await emptyHome();
    const at = Date.parse("2026-11-20T12:00:00Z");
    const dated = await place(home, "2026-11-20", v7At(at), at / 1000);
    const flat = join(home, "sessions", "rollout-2025-06-01T10-00-00-3f2a0c1e-9b7d-4c55-8e21-6a0d5b9c7e10.jsonl");
    await copyFile(fixture("0.20.0", "command").path, flat);
    await utimes(flat, at / 1000 - 100, at / 1000 - 100);
    await mkdir(join(home, "archived_sessions"));
    const archived = join(
      home,
      "archived_sessions",
      "rollout-2026-11-21T10-00-00-0199aaaa-0000-7000-8000-000000000000.jsonl",
    );
    await copyFile(fixture("0.63.0", "command").path, archived);
    await utimes(archived, at / 1000 - 50, at / 1000 - 50);
    const store = new SessionStore(home);
    expect(
      (await listSessions(store, { limit: 10, includeArchived: false })).sessions.map((session) => session.path),
    ).toEqual([dated, flat]);
    expect(
      (await listSessions(store, { limit: 10, includeArchived: true })).sessions.map((session) => session.path),
    ).toEqual([dated, archived, flat]);
    expect((await resolveSession(store, "0199aaaa")).path).toBe(archived);
  });
});

describe("a store per server", () => {
  it("two stores share no fold", async () => {
    const { home } = await copyFixtureHome();
    made.push(home);
    const id = fixture("0.169.0", "resumed").session_id;
    const first = new SessionStore(home);
    const second = new SessionStore(home);
    await sessionSummary(first, id, { reasoningLimit: 0 });
    expect(first.folds.counters.foldedBytes).toBeGreaterThan(0);
    expect(second.folds.counters.foldedBytes).toBe(0);
    await sessionSummary(second, id, { reasoningLimit: 0 });
    expect(second.folds.counters.foldedBytes).toBe(first.folds.counters.foldedBytes);
  });
});
