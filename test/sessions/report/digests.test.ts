// The per-session digest: the fast path (a small log read whole) agrees with the reader on every real-CLI
// fixture, its stamp is answer-files.ts's own, and it reads nothing it should not.
import { execFileSync } from "node:child_process";
import { appendFile, cp, mkdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { stampOf } from "../../../src/sessions/answer-files.js";
import { loadPrices, sessionsReport, SessionStore } from "../../../src/sessions/index.js";
import { digestOf, digestOfBytes } from "../../../src/sessions/report/digest.js";
import { currentDigest as currentOrUnreadable } from "../../../src/sessions/report/digest-files.js";
import { failureSignature } from "../../../src/sessions/report/signature.js";
import { ALL_FIXTURES, FIXTURES } from "../../support/fixtures.js";
import { makeHome, writeSession } from "../../support/report-homes.js";

/** The digest of a log these tests can read: an unreadable one fails the test. */
const currentDigest = async (...args: Parameters<typeof currentOrUnreadable>) => {
  const current = await currentOrUnreadable(...args);
  if (current && "unreadable" in current) throw new Error(`unreadable: ${current.unreadable}`);
  return current;
};

const fileOf = async (path: string) => {
  const info = await stat(path);
  return { id: "fallback-id", path, archived: false, mtimeMs: info.mtimeMs, size: info.size };
};

describe("digests", () => {
  it("read whole, agree with the reader's fold on every real-CLI fixture and shape", async () => {
    const shapes = ["fork-copied-parent-history.jsonl", "code-mode-exec-with-nested-calls.jsonl"].map((name) =>
      join(FIXTURES, "shapes", name),
    );
    const paths = [...ALL_FIXTURES.map((entry) => entry.path).filter((path) => path.endsWith(".jsonl")), ...shapes];
    expect(paths.length).toBeGreaterThan(20);
    for (const path of paths) {
      const file = await fileOf(path);
      expect(digestOfBytes(await readFile(path), file), path).toEqual(await digestOf(file));
    }
  });

  it("carry the very stamp stampOf makes, so a saved digest is checked as saved folds and answers are", async () => {
    const home = await makeHome();
    const path = await writeSession(home, {
      id: "0199ffff-0000-7000-8000-000000000051",
      start: "2026-11-12T08:00:00.000Z",
      turns: [{ prompt: "x".repeat(6000) }],
    });
    const fresh = await currentDigest(await fileOf(path), undefined);
    expect(fresh?.fresh).toBe(true);
    expect(fresh?.entry.stamp).toEqual(await stampOf(path));
    expect((await currentDigest(await fileOf(path), fresh?.entry))?.fresh).toBe(false);
    // a torn last line (a writer mid-line) is not read yet, as the reader leaves it
    await appendFile(path, '{"timestamp":"2026-11-12T08:10:00.000Z","type":"event_msg","payload":{"type":"task_st');
    const torn = await currentDigest(await fileOf(path), fresh?.entry);
    expect(torn?.fresh).toBe(true);
    expect(torn?.entry.digest).toEqual(await digestOf(await fileOf(path)));
    // a symlink put where a log was is not followed
    const link = join(home, "sessions", "rollout-2026-11-12T08-00-00-0199ffff-0000-7000-8000-000000000052.jsonl");
    await symlink(path, link);
    expect(await currentDigest({ ...(await fileOf(path)), path: link }, undefined)).toBeUndefined();
    await writeFile(path, "");
  });

  it("of a log as listed (a one-shot report: no lstat first) equal those of the stated log; links and FIFOs are left out", async () => {
    const home = await makeHome();
    const id = "0199ffff-0000-7000-8000-000000000061";
    const path = await writeSession(home, { id, start: "2026-11-12T08:00:00.000Z", turns: [{ prompt: "hello" }] });
    const info = await stat(path);
    const listed = await currentDigest({ path, archived: false }, undefined);
    const stated = await currentDigest(
      { id, path, archived: false, mtimeMs: info.mtimeMs, size: info.size },
      undefined,
    );
    expect(listed).toEqual(stated);
    expect(listed?.file).toEqual({ id, path, archived: false, mtimeMs: info.mtimeMs, size: info.size });
    // named like a log, but a link (not followed), a FIFO (not waited on), a folder
    const named = (n: number) =>
      join(dirname(path), `rollout-2026-11-12T08-00-00-0199ffff-0000-7000-8000-00000000007${n}.jsonl`);
    await symlink(path, named(1));
    execFileSync("mkfifo", [named(2)]);
    await mkdir(named(3));
    for (const n of [1, 2, 3])
      expect(await currentDigest({ path: named(n), archived: false }, undefined)).toBeUndefined();
    const report = await sessionsReport(
      new SessionStore(home),
      { includeArchived: false, groupBy: "day" },
      {
        prices: await loadPrices(),
      },
    );
    expect([report.scanned_files, report.total.sessions, report.total.turns]).toEqual([1, 1, 1]);
  });

  it("a date folder that is a link is not followed, by a one-shot report (listed synchronously) or a server's", async () => {
    const home = await makeHome();
    await writeSession(home, {
      id: "0199ffff-0000-7000-8000-000000000081",
      start: "2026-11-12T08:00:00.000Z",
      turns: [{ prompt: "a" }],
    });
    // a session elsewhere, under a date folder named like one (control: as a real folder it is counted)
    const elsewhere = await makeHome();
    await writeSession(elsewhere, {
      id: "0199ffff-0000-7000-8000-000000000082",
      start: "2026-11-13T08:00:00.000Z",
      turns: [{ prompt: "b" }],
    });
    const sessions = async (watch: boolean) =>
      (
        await sessionsReport(
          new SessionStore(home),
          { includeArchived: false, groupBy: "day" },
          { prices: await loadPrices(), watch },
        )
      ).total.sessions;
    const day = join(home, "sessions", "2026", "11", "13");
    await cp(join(elsewhere, "sessions", "2026", "11", "13"), day, { recursive: true });
    expect([await sessions(false), await sessions(true)]).toEqual([2, 2]);
    await rm(day, { recursive: true });
    await symlink(join(elsewhere, "sessions", "2026", "11", "13"), day);
    expect([await sessions(false), await sessions(true)]).toEqual([1, 1]);
  });
});

describe("failure signatures", () => {
  it("normalise what differs between runs of the same failure", () => {
    expect(
      failureSignature(
        "stream disconnected before completion: error sending request for url (https://api.openai.com/v1/responses) after 5 retries; request id req_abcdef123456",
      ),
    ).toBe(
      "stream disconnected before completion: error sending request for url (<url>) after <n> retries; request id <id>",
    );
    expect(failureSignature("`cargo test --manifest-path /home/ci/build/repo-1234/Cargo.toml` exited with 101")).toBe(
      "`cargo test --manifest-path <path>` exited with <n>",
    );
    expect(
      failureSignature(
        '{"error":{"message":"Rate limit reached for gpt-5.1-codex on tokens per min: Limit 30000, Used 29500. Please try again in 1.5s.","type":"tokens"}}',
      ),
    ).toBe("Rate limit reached for gpt-<n>-codex on tokens per min: Limit <n>, Used <n>. Please try again in <n>s.");
    expect(
      failureSignature(
        "session 01a20a2b-af43-7d82-b0ef-4530668e8a90 at 2026-11-23T20:49:24.804Z: key sk-proj-abcdEFGH1234 rejected",
      ),
    ).toBe("session <id> at <time>: key <key> rejected");
    expect(failureSignature(null)).toBe("(no error message)");
  });
});

describe("rows", () => {
  it("beyond the most shown, the rest are added up in one last row", async () => {
    const { ReportTally } = await import("../../../src/sessions/report/aggregate.js");
    const { loadPrices } = await import("../../../src/sessions/report/cost.js");
    const tally = new ReportTally("cwd", await loadPrices(), 2);
    const digest = (cwd: string, total: number) => ({
      sessionId: cwd,
      kind: "session" as const,
      parentId: null,
      cwd,
      model: "house-model",
      startedAt: "2026-11-12T08:00:00.000Z",
      lastEventAt: null,
      turns: 1,
      calls: 0,
      failedCalls: 0,
      category: "completed" as const,
      error: null,
      signature: null,
      tokens: { input: total, cached_input: 0, output: 0, reasoning_output: 0, total },
      longPrompts: null,
      byModel: null,
      wallMs: 10,
      days: null,
      needsParent: false,
    });
    for (const [cwd, total] of [
      ["/a", 1],
      ["/a", 1],
      ["/b", 10],
      ["/c", 100],
      ["/d", 1000],
    ] as const)
      tally.add(digest(cwd, total));
    expect(
      tally.rowsView().map((row) => [row.key, row.sessions, row.tokens.total, row.wall_ms, row.cost.unpriced_models]),
    ).toEqual([
      ["/a", 2, 2, 20, ["house-model"]],
      ["(3 more groups)", 3, 1110, 30, ["house-model"]],
    ]);
    expect(tally.totalView().sessions).toBe(5);
  });

  it("tie in code-unit order, whatever the locale (upper case before lower, as ICU collation would not)", async () => {
    const { ReportTally } = await import("../../../src/sessions/report/aggregate.js");
    const { loadPrices } = await import("../../../src/sessions/report/cost.js");
    const tally = new ReportTally("cwd", await loadPrices());
    const digest = (id: string, cwd: string, error: string | null) => ({
      sessionId: id,
      kind: "session" as const,
      parentId: null,
      cwd,
      model: null,
      startedAt: "2026-11-12T08:00:00.000Z",
      lastEventAt: null,
      turns: 1,
      calls: 0,
      failedCalls: 0,
      category: error === null ? ("completed" as const) : ("model_error" as const),
      error,
      signature: null,
      tokens: null,
      longPrompts: null,
      byModel: null,
      wallMs: 0,
      days: null,
      needsParent: false,
    });
    for (const [id, cwd, error] of [
      ["b", "/w/a", "stream failed"],
      ["a", "/w/B", "Stream failed"],
      ["C", "/w/_x", null],
      ["c", "/w/ä", null],
    ] as const)
      tally.add(digest(id, cwd, error));
    // localeCompare would give /w/_x, /w/a, /w/ä, /w/B, and "stream failed" before "Stream failed"
    expect(tally.rowsView().map((row) => row.key)).toEqual(["/w/B", "/w/_x", "/w/a", "/w/\u00e4"]);
    expect(tally.failuresView().map((failure) => [failure.message, failure.session_ids])).toEqual([
      ["Stream failed", ["a"]],
      ["stream failed", ["b"]],
    ]);
  });
});

describe("the text mirror", () => {
  it("escapes control characters from the logs (a terminal's escape sequences, newlines) in keys and failures", async () => {
    const { renderReport } = await import("../../../src/sessions/report/render.js");
    const row = {
      key: "/w/\u001b[2J\nfake line",
      sessions: 1,
      turns: 1,
      categories: { auth_error: 1 },
      tokens: { input: 0, cached_input: 0, output: 0, reasoning_output: 0, total: 0 },
      sessions_without_counters: 1,
      cost: { estimate_usd: null, priced_sessions: 0, unpriced_sessions: 1, unpriced_models: [] },
      wall_ms: 0,
    };
    const text = renderReport({
      filters: { since: null, until: null, cwd: null, model: null, include_archived: false, group_by: "cwd" },
      rows: [row],
      total: { ...row, key: "total" },
      recurring_failures: [
        {
          category: "auth_error",
          message: "bad \u001b]0;title\u0007 key",
          count: 1,
          first_seen: null,
          last_seen: null,
          session_ids: ["s1"],
        },
      ],
      price_source: "test",
      scanned_files: 1,
      home_note: null,
      recomputed_files: 0,
      unreadable_files: 2,
      unreadable_folders: 0,
      unreadable_examples: ["/h/rollout-\u001b[31m.jsonl (EACCES)"],
    });
    // eslint-disable-next-line no-control-regex -- no control character but the table's tabs and line ends
    expect(text.replace(/[\t\n]/g, "")).not.toMatch(/[\u0000-\u001f]/);
    expect(text).toContain("/w/\\u001b[2J\\u000afake line\t1");
    expect(text).toContain("“bad \\u001b]0;title\\u0007 key”");
    expect(text).toContain(
      "2 logs could not be read: what they hold is left out of every number above (e.g. /h/rollout-\\u001b[31m.jsonl (EACCES))",
    );
  });
});
