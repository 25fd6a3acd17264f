// Worktree runs of one server take turns in a directory until Codex has made each one's worktree. Codex names
// every checkout after its repository (`<CODEX_HOME>/worktrees/<id>/<repo>`), so git files each under the same
// name in `.git/worktrees/`, and two `git worktree add` at once in one repository can fail ("fatal: failed to
// read .git/worktrees/<repo>/commondir"): one CI run in nine saw a run of a parallel pair fail so.

export class WorktreeTurns {
  private readonly last = new Map<string, Promise<void>>();

  /** Waits for the turns taken before in `key`; resolves with the function that ends this one. */
  async take(key: string): Promise<() => void> {
    const before = this.last.get(key) ?? Promise.resolve();
    let end!: () => void;
    const turn = before.then(() => new Promise<void>((resolve) => (end = resolve)));
    this.last.set(key, turn);
    // the last turn in a directory, once over, leaves nothing behind
    void turn.then(() => {
      if (this.last.get(key) === turn) this.last.delete(key);
    });
    await before;
    return () => end();
  }
}
