// Worktree runs take turns in a repository until Codex has made each one's worktree. Codex names every
// checkout after its repository (`<CODEX_HOME>/worktrees/<id>/<repo>`), so git files each under the same name
// in `.git/worktrees/`, and two `git worktree add` at once in one repository can fail ("fatal: failed to read
// .git/worktrees/<repo>/commondir"): one CI run in nine saw a run of a parallel pair fail so.
// Within a server the turns are a chain of promises. The servers of one state dir (two MCP hosts of one user,
// say) take them through a lock file in `leases/`, named after the repository's git directory and naming the
// server that holds it, which refreshes it while its turn lasts: one whose holder is gone, or not refreshed
// for a while, was left by a crash and is removed.
import { createHash } from "node:crypto";
import { lstat, lutimes, realpath } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { processId } from "../codex/liveness.js";
import { readSmall } from "../codex/worktree.js";
import {
  checkStateDir,
  leasesDir,
  lockSchema,
  ownDirectory,
  readStateFile,
  removeFile,
  STATE_FILES,
  type LockRecord,
} from "../contract/index.js";
import { log } from "../shared/log.js";
import { RunRefusedError } from "./run-policy.js";
import { takeLock } from "./scheduler.js";

/** The longest a worktree run holds back the next in its repository (a large checkout takes long to make). */
export const WORKTREE_TURN_MS = 30_000;
const POLL_MS = 100;

export interface TurnTiming {
  /** A turn's lock is refreshed this often; one not refreshed for three times as long has no live holder. */
  refreshMs: number;
  /** How long a run waits for other servers' turns before it starts anyway (and may meet git's failure). */
  waitMs: number;
}
const TIMING: TurnTiming = { refreshMs: 5_000, waitMs: 120_000 };

export class WorktreeTurns {
  private readonly last = new Map<string, Promise<void>>();

  constructor(
    private readonly stateDir: string,
    private readonly timing: TurnTiming = TIMING,
  ) {}

  /**
   * Waits for the turns taken before in the repository of `cwd`; resolves with the function that ends this one.
   * A cancelled call (`signal`: a host's tool timeout) leaves the queue at once, takes no lock and starts
   * nothing: a run started later would be nobody's, and would hold back the turns behind it.
   */
  async take(cwd: string, signal?: AbortSignal): Promise<() => void> {
    const key = await repositoryOf(cwd);
    const before = this.last.get(key) ?? Promise.resolve();
    let end!: () => void;
    const turn = before.then(() => new Promise<void>((resolve) => (end = resolve)));
    this.last.set(key, turn);
    // the last turn in a repository, once over, leaves nothing behind
    void turn.then(() => {
      if (this.last.get(key) === turn) this.last.delete(key);
    });
    const abandoned = () => {
      // the turn still comes, after `before`: it ends at once (end is set by then: registered first)
      void before.then(() => end());
      return new RunRefusedError(
        "the request was cancelled while the run waited for its turn to make a worktree in this repository; nothing was started.",
      );
    };
    if (!(await untilAborted(before, signal))) throw abandoned();
    // a state dir that cannot hold the lock does not stop the run here: starting it refuses such a state dir
    const unlock = await this.lockAcrossServers(key, signal).catch(() => undefined);
    if (signal?.aborted) {
      await unlock?.().catch(() => undefined);
      throw abandoned();
    }
    return () => void afterRelease(unlock).finally(() => end());
  }

  /** Takes the repository's lock file, waiting for another server's turn to end; resolves with its release. */
  private async lockAcrossServers(key: string, signal?: AbortSignal): Promise<(() => Promise<void>) | undefined> {
    if ((await checkStateDir(this.stateDir)) !== undefined) return undefined;
    const dir = leasesDir(this.stateDir);
    await ownDirectory(dir);
    const path = join(dir, `worktree-${createHash("sha256").update(key).digest("hex").slice(0, 32)}.lock`);
    const { refreshMs, waitMs } = this.timing;
    const mine = await takeLock(path, await processId(process.pid), {
      staleMs: 3 * refreshMs,
      startless: "by pid",
      deadline: Date.now() + waitMs,
      pollMs: POLL_MS,
      signal,
    });
    if ("heldBy" in mine) {
      if (signal?.aborted) return undefined;
      log("warn", `worktree run in ${key}: ${mine.heldBy} still holds ${path}; starting without waiting longer`);
      return undefined;
    }
    const refresh = setInterval(() => void lutimes(path, new Date(), new Date()).catch(() => undefined), refreshMs);
    refresh.unref();
    return () => {
      clearInterval(refresh);
      return releaseIfOurs(path, mine);
    };
  }
}

/** Whether `promise` settled before `signal` was aborted (false: aborted first, or already). */
function untilAborted(promise: Promise<unknown>, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal === undefined) return promise.then(() => true);
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener("abort", onAbort, { once: true });
    void promise.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(!signal.aborted);
    });
  });
}

/** Lets go of the lock; a server's next turn then waits two polls, so that another server's waiting run gets its turn too. */
async function afterRelease(unlock: (() => Promise<void>) | undefined): Promise<void> {
  if (unlock === undefined) return;
  await unlock().catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 2 * POLL_MS));
}

/** Removes the lock only while it is still this turn's (a lock judged stale may have been taken since). */
async function releaseIfOurs(path: string, mine: LockRecord): Promise<void> {
  const lock = await readStateFile(path, lockSchema, STATE_FILES.lock.maxBytes);
  if (lock?.at === mine.at && lock.holder.pid === mine.holder.pid && lock.holder.started === mine.holder.started)
    await removeFile(path);
}

/**
 * The git directory `cwd`'s worktrees are filed in (its main `.git`, which linked worktrees share), real path;
 * else `cwd` itself. `.git` files and `commondir` are read bounded and never through a link (codex/worktree.ts).
 */
async function repositoryOf(cwd: string): Promise<string> {
  const real = await realpath(cwd).catch(() => cwd);
  for (let dir = real; ; dir = dirname(dir)) {
    const dotGit = join(dir, ".git");
    const info = await lstat(dotGit).catch(() => undefined);
    if (info?.isDirectory()) return dotGit;
    if (info?.isFile()) {
      const gitDir = /^gitdir: (.+)$/m.exec((await readSmall(dotGit)) ?? "")?.[1]?.trim();
      if (gitDir === undefined) return dir;
      const linked = resolve(dir, gitDir);
      const common = (await readSmall(join(linked, "commondir")))?.trim();
      return realpath(common ? resolve(linked, common) : linked).catch(() => dir);
    }
    if (dirname(dir) === dir) return real;
  }
}
