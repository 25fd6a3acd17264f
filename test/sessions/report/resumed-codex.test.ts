// The real Codex CLI (pinned) resumes a session: `codex exec resume` appends its turn to the session's log (no
// new file, no second session_meta). The lines written before the resume are then moved nine days back (their
// times shifted, the log moved to that day's folder, its mtime the resume's last line), as a session started
// nine days ago and resumed today would be (0.171 finds a rollout to resume through its own state, not a moved
// file: it says "no rollout found"). The report files the resumed, failed turn under today and finds it with
// `since: 1d`. Before: `since: 1d` found no session, and by day all of it was nine days ago.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPrices, sessionsReport, SessionStore } from "../../../src/sessions/index.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";

const DAY_MS = 86_400_000;
let model: FakeModel;
beforeAll(async () => {
  model = await startFakeModel();
});
afterAll(async () => model.close());

async function codex(home: string, workdir: string, args: string[]): Promise<string> {
  const argv = [PINNED_CODEX, "exec", "--json", "--skip-git-repo-check", "-C", workdir, ...args];
  // stdin closed: `codex exec` otherwise waits for more of the prompt on it
  const child = spawn(process.execPath, argv, {
    cwd: workdir,
    env: codexEnv(home),
    stdio: ["ignore", "pipe", "ignore"],
  });
  let out = "";
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) out += chunk.toString("utf8");
  if (child.exitCode === null) await once(child, "exit");
  return out; // a failed turn exits 1: its log is what is looked at
}

async function logsIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".jsonl"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** The log's first `count` lines nine days earlier, the log in that day's folder: as if it had started then. */
async function moveBack(home: string, path: string, id: string, count: number): Promise<string> {
  const shift = (text: string) => new Date(Date.parse(text) - 9 * DAY_MS).toISOString();
  const lines = (await readFile(path, "utf8"))
    .split("\n")
    .filter((line) => line !== "")
    .map((line, index) => {
      const value = JSON.parse(line) as { timestamp?: string; type?: string; payload?: { timestamp?: string } };
      if (index >= count) return value;
      if (value.timestamp) value.timestamp = shift(value.timestamp);
      if (value.type === "session_meta" && value.payload?.timestamp)
        value.payload.timestamp = shift(value.payload.timestamp);
      return value;
    });
  const start = lines[0]?.timestamp as string;
  const dir = join(home, "sessions", start.slice(0, 4), start.slice(5, 7), start.slice(8, 10));
  await mkdir(dir, { recursive: true });
  const moved = join(dir, `rollout-${start.slice(0, 19).replace(/:/g, "-")}-${id}.jsonl`);
  await writeFile(moved, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
  const last = Date.parse(lines.at(-1)?.timestamp as string) / 1000;
  await utimes(moved, last, last);
  await rm(path);
  return moved;
}

describe("a session the real CLI resumed nine days after it started", () => {
  it("is in today's rows with its resumed turn, and since 1d finds it in the older folder", async () => {
    const { home, workdir } = await makeCodexHome(model.url, "resumed-days");
    const started = await codex(home, workdir, ["hello"]);
    const id = /"thread_id":"([^"]+)"/.exec(started)?.[1] as string;
    const [log] = await logsIn(join(home, "sessions"));
    const before = (await readFile(log as string, "utf8")).split("\n").length - 1;
    await codex(home, workdir, ["resume", id, "STEPS: FAIL:unauthorized"]);
    // appended to the same log: no other log, one session_meta
    expect(await logsIn(join(home, "sessions"))).toEqual([log]);
    expect((await readFile(log as string, "utf8")).match(/"type":"session_meta"/g)?.length).toBe(1);
    const moved = await moveBack(home, log as string, id, before);
    const text = await readFile(moved, "utf8");
    expect(text.split("\n").length - 1).toBeGreaterThan(before);

    const prices = await loadPrices();
    const store = new SessionStore(home);
    const today = new Date().toISOString().slice(0, 10);
    const byDay = await sessionsReport(store, { includeArchived: false, groupBy: "day" }, { prices });
    const firstDay = (JSON.parse(text.split("\n")[0] as string) as { timestamp: string }).timestamp.slice(0, 10);
    // the fake model's usage: 1,540 tokens for the first turn, none for the one it refused (401)
    const view = (row: (typeof byDay.rows)[number]) => [
      row.key,
      row.sessions,
      row.turns,
      row.categories,
      row.tokens.total,
      row.cost.unpriced_models,
    ];
    expect([...byDay.rows, byDay.total].map(view)).toEqual([
      [today, 1, 1, { auth_error: 1 }, 0, ["mock-model"]],
      [firstDay, 1, 1, {}, 1540, ["mock-model"]],
      ["total", 1, 2, { auth_error: 1 }, 1540, ["mock-model"]],
    ]);
    const recent = await sessionsReport(store, { includeArchived: false, groupBy: "day", since: "1d" }, { prices });
    expect([recent.total].map(view)).toEqual([["total", 1, 1, { auth_error: 1 }, 0, ["mock-model"]]]);
    expect(recent.recurring_failures.map((failure) => [failure.category, failure.count, failure.session_ids])).toEqual([
      ["auth_error", 1, [id]],
    ]);
  });
});
