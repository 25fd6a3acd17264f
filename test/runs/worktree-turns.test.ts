// Worktree runs take turns per repository: within a server, and across the servers of one state dir through a
// lock file in leases/ (src/runs/worktree-turns.ts). What git does when two turns overlap is in
// test/e2e/delegation/worktree.test.ts, with the real CLI.
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { staleOrHolder } from "../../src/runs/scheduler.js";
import { WorktreeTurns } from "../../src/runs/worktree-turns.js";
import { gitIn } from "../support/git.js";

const temp = (name: string) => mkdtemp(join(tmpdir(), `ccm-turns-${name}-`));

/** A repository (a `.git` folder is all the turns look for) with a subdirectory. */
async function repository(): Promise<string> {
  const repo = await temp("repo");
  await mkdir(join(repo, ".git"));
  await mkdir(join(repo, "src", "deep"), { recursive: true });
  return repo;
}

/** Takes a turn and records, in `order`, when it was given. */
function taking(turns: WorktreeTurns, cwd: string, name: string, order: string[]): Promise<() => void> {
  return turns.take(cwd).then((end) => {
    order.push(name);
    return end;
  });
}

/** Lets every pending poll (100 ms apart) look again. */
const polls = () => new Promise((resolve) => setTimeout(resolve, 400));

const lockFiles = async (stateDir: string) =>
  (await readdir(join(stateDir, "leases")).catch(() => [] as string[])).filter((name) => name.endsWith(".lock"));

describe("WorktreeTurns", () => {
  it("two servers of one state dir take turns in a repository, from its root or a subdirectory", async () => {
    const [stateDir, repo] = [await temp("state"), await repository()];
    const [one, other] = [new WorktreeTurns(stateDir), new WorktreeTurns(stateDir)];
    const order: string[] = [];
    const endFirst = await taking(one, repo, "first", order);
    const second = taking(other, join(repo, "src", "deep"), "second", order);
    await polls();
    expect(order).toEqual(["first"]);
    expect(await lockFiles(stateDir)).toHaveLength(1);
    endFirst();
    (await second)();
    expect(order).toEqual(["first", "second"]);
    await polls();
    expect(await lockFiles(stateDir)).toEqual([]);
  });

  it("control: servers of different state dirs, or other repositories, do not wait for each other", async () => {
    const [repo, otherRepo] = [await repository(), await repository()];
    const one = new WorktreeTurns(await temp("state"));
    const order: string[] = [];
    const endFirst = await taking(one, repo, "first", order);
    await taking(new WorktreeTurns(await temp("state")), repo, "other state dir", order);
    await taking(new WorktreeTurns(await temp("state")), otherRepo, "other repository", order);
    await taking(one, otherRepo, "same server, other repository", order);
    expect(order).toEqual(["first", "other state dir", "other repository", "same server, other repository"]);
    endFirst();
  });

  it("takes a lock whose holder is gone, or that is a link, and never removes another turn's lock", async () => {
    const [stateDir, repo] = [await temp("state"), await repository()];
    const turns = new WorktreeTurns(stateDir);
    const end = await turns.take(repo);
    const [name] = await lockFiles(stateDir);
    const path = join(stateDir, "leases", name!);
    end();
    await polls();
    // a crashed server's lock: its pid is not running
    const dead = { holder: { pid: 4_000_000, started: "1" }, at: "2026-12-05T00:00:00.000Z" };
    await writeFile(path, JSON.stringify(dead));
    const afterCrash = await turns.take(repo);
    // meanwhile judged stale by another server and taken by a third: this turn's end leaves that lock alone
    const third = JSON.stringify({ ...dead, holder: { pid: process.pid, started: "elsewhere" } });
    await writeFile(path, third);
    afterCrash();
    await polls();
    expect(await readFile(path, "utf8")).toBe(third);
    // a link planted in its place is removed as a link, never followed
    const target = join(await temp("target"), "kept");
    await writeFile(target, "not a lock");
    await rm(path);
    await symlink(target, path);
    (await turns.take(repo))();
    await polls();
    expect(await readFile(target, "utf8")).toBe("not a lock");
    expect(await lockFiles(stateDir)).toEqual([]);
  });

  it("keeps a live holder's lock while it refreshes it, however long the turn; one left unrefreshed goes", async () => {
    const [stateDir, repo] = [await temp("state"), await repository()];
    const fast = { refreshMs: 100, waitMs: 60_000 };
    const order: string[] = [];
    const endFirst = await taking(new WorktreeTurns(stateDir, fast), repo, "first", order);
    const second = taking(new WorktreeTurns(stateDir, fast), repo, "second", order);
    const [name] = await lockFiles(stateDir);
    // ten times as long as a lock lasts unrefreshed (300 ms)
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(order).toEqual(["first"]);
    endFirst();
    (await second)();
    expect(order).toEqual(["first", "second"]);
    await polls();
    // control: the same lock, naming this live process but not refreshed for a second, is taken over
    const path = join(stateDir, "leases", name!);
    await writeFile(
      path,
      JSON.stringify({ holder: { pid: process.pid, started: null }, at: "2026-12-05T00:00:00.000Z" }),
    );
    const old = new Date(Date.now() - 1000);
    await utimes(path, old, old);
    const end = await new WorktreeTurns(stateDir, fast).take(repo);
    expect(JSON.parse(await readFile(path, "utf8")).at).not.toBe("2026-12-05T00:00:00.000Z");
    end();
  });

  it("judges a holder without a start time by its pid; the scheduler's lock does not", async () => {
    const dir = join(await temp("state"), "leases");
    await mkdir(dir);
    const path = join(dir, "x.lock");
    const startless = JSON.stringify({ holder: { pid: process.pid, started: null }, at: new Date().toISOString() });
    await writeFile(path, startless);
    expect(await staleOrHolder(path, 10_000, "by pid")).toBe(`pid ${process.pid}`);
    expect(await readFile(path, "utf8")).toBe(startless);
    // control: the scheduler's rule removes it at once
    expect(await staleOrHolder(path, 10_000)).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });

  it("starts anyway when another server's turn outlasts the wait", async () => {
    const [stateDir, repo] = [await temp("state"), await repository()];
    const order: string[] = [];
    const endFirst = await taking(
      new WorktreeTurns(stateDir, { refreshMs: 100, waitMs: 60_000 }),
      repo,
      "first",
      order,
    );
    const [name] = await lockFiles(stateDir);
    const held = await readFile(join(stateDir, "leases", name!), "utf8");
    const endLate = await taking(
      new WorktreeTurns(stateDir, { refreshMs: 100, waitMs: 500 }),
      repo,
      "gave up waiting",
      order,
    );
    expect(order).toEqual(["first", "gave up waiting"]);
    // it went ahead without the lock: the first turn's lock is still there, as written, and outlives the late one
    expect(await readFile(join(stateDir, "leases", name!), "utf8")).toBe(held);
    endLate();
    await polls();
    expect(await readFile(join(stateDir, "leases", name!), "utf8")).toBe(held);
    endFirst();
  });

  it("a repository's linked worktree takes turns with its main checkout (one .git/worktrees/)", async () => {
    const stateDir = await temp("state");
    const repo = await temp("git");
    const git = gitIn(repo);
    git("init", "-q");
    git("commit", "-q", "--allow-empty", "-m", "first");
    const linked = join(await temp("linked"), "checkout");
    git("worktree", "add", "-q", "--detach", linked);
    const order: string[] = [];
    const endFirst = await taking(new WorktreeTurns(stateDir), join(linked), "linked worktree", order);
    const second = taking(new WorktreeTurns(stateDir), repo, "main checkout", order);
    await polls();
    expect(order).toEqual(["linked worktree"]);
    endFirst();
    (await second)();
    expect(order).toEqual(["linked worktree", "main checkout"]);
  });
  it("a cancelled call leaves the queue: no turn, no lock, and the turns behind it go on", async () => {
    const [stateDir, repo] = [await temp("state"), await repository()];
    const refused =
      "the request was cancelled while the run waited for its turn to make a worktree in this repository; nothing was started.";
    // within a server: waiting for the turn before it
    const one = new WorktreeTurns(stateDir);
    const order: string[] = [];
    const endFirst = await taking(one, repo, "first", order);
    const gaveUp = new AbortController();
    const cancelled = one.take(repo, gaveUp.signal).then(
      (end) => (end(), "started"),
      (error: unknown) => String(error instanceof Error ? error.message : error),
    );
    const after = taking(one, repo, "after", order);
    gaveUp.abort("the host's tool timeout");
    endFirst();
    expect(await cancelled).toBe(refused);
    (await after)();
    expect(order).toEqual(["first", "after"]);
    await polls();
    // across servers: waiting for another server's lock, which is not taken once that turn ends
    const endOther = await new WorktreeTurns(stateDir).take(repo);
    const [name] = await lockFiles(stateDir);
    const held = await readFile(join(stateDir, "leases", name!), "utf8");
    const later = new AbortController();
    const waiting = new WorktreeTurns(stateDir).take(repo, later.signal).then(
      (end) => (end(), "started"),
      (error: unknown) => String(error instanceof Error ? error.message : error),
    );
    await polls();
    later.abort("the host's tool timeout");
    expect(await waiting).toBe(refused);
    expect(await readFile(join(stateDir, "leases", name!), "utf8")).toBe(held);
    endOther();
    await polls();
    expect(await lockFiles(stateDir)).toEqual([]);
  });
});
