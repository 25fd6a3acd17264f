// Worktree runs take turns in a repository until Codex has made each one's worktree. Codex names every
// checkout after its repository (`<CODEX_HOME>/worktrees/<id>/<repo>`), so git files each under the same name
// in `.git/worktrees/`, and two `git worktree add` at once in one repository can fail ("fatal: failed to read
// .git/worktrees/<repo>/commondir"): one CI run in nine saw a run of a parallel pair fail so.
// Within a server the turns are a chain of promises. The servers of one state dir (two hosts of one user, say)
// take them through a lock file in `leases/`, named after the repository and naming the server that holds it;
// one whose holder is gone, or older than a turn can last, was left by a crash and is removed.
import { createHash } from "node:crypto";
import { lstat, realpath } from "node:fs/promises";
import { dirname, join } from "node:path";
import { processId } from "../codex/liveness.js";
import {
  checkStateDir,
  createExclusive,
  leasesDir,
  lockSchema,
  ownDirectory,
  readStateFile,
  removeFile,
  STATE_FILES,
  type ProcessId,
} from "../contract/index.js";
import { staleOrHolder } from "./scheduler.js";

/** The longest a worktree run holds back the next in its repository (a large checkout takes long to make). */
export const WORKTREE_TURN_MS = 30_000;
/** A turn's lock older than this outlived any turn: its holder hangs or crashed. */
const LOCK_STALE_MS = WORKTREE_TURN_MS + 15_000;
const POLL_MS = 100;

export class WorktreeTurns {
  private readonly last = new Map<string, Promise<void>>();

  constructor(private readonly stateDir: string) {}

  /** Waits for the turns taken before in the repository of `cwd`; resolves with the function that ends this one. */
  async take(cwd: string): Promise<() => void> {
    const key = await repositoryOf(cwd);
    const before = this.last.get(key) ?? Promise.resolve();
    let end!: () => void;
    const turn = before.then(() => new Promise<void>((resolve) => (end = resolve)));
    this.last.set(key, turn);
    // the last turn in a repository, once over, leaves nothing behind
    void turn.then(() => {
      if (this.last.get(key) === turn) this.last.delete(key);
    });
    await before;
    // a state dir that cannot hold the lock does not stop the run here: starting it refuses such a state dir
    const unlock = await this.lockAcrossServers(key).catch(() => undefined);
    return () => void (unlock?.() ?? Promise.resolve()).catch(() => undefined).finally(() => end());
  }

  /** Takes the repository's lock file, waiting for another server's turn to end; resolves with its release. */
  private async lockAcrossServers(key: string): Promise<(() => Promise<void>) | undefined> {
    if ((await checkStateDir(this.stateDir)) !== undefined) return undefined;
    const dir = leasesDir(this.stateDir);
    await ownDirectory(dir);
    const path = join(dir, `worktree-${createHash("sha256").update(key).digest("hex").slice(0, 32)}.lock`);
    const mine = { holder: await processId(process.pid), at: "" };
    for (;;) {
      mine.at = new Date().toISOString();
      if (await createExclusive(path, JSON.stringify(mine))) break;
      if ((await staleOrHolder(path, LOCK_STALE_MS)) !== undefined)
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return () => releaseIfOurs(path, mine);
  }
}

/** Removes the lock only while it is still this turn's (a lock judged stale may have been taken since). */
async function releaseIfOurs(path: string, mine: { holder: ProcessId; at: string }): Promise<void> {
  const lock = await readStateFile(path, lockSchema, STATE_FILES.lock.maxBytes);
  if (lock?.at === mine.at && lock.holder.pid === mine.holder.pid && lock.holder.started === mine.holder.started)
    await removeFile(path);
}

/** The repository `cwd` is in (the nearest directory with a `.git`), real path; else `cwd` itself. */
async function repositoryOf(cwd: string): Promise<string> {
  const real = await realpath(cwd).catch(() => cwd);
  for (let dir = real; ; dir = dirname(dir)) {
    if (
      await lstat(join(dir, ".git")).then(
        () => true,
        () => false,
      )
    )
      return dir;
    if (dirname(dir) === dir) return real;
  }
}
