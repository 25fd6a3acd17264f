// A FIFO planted where a run's files are read: a review's rollout (review-output.ts) or a Codex worktree's `.git`
// and HEAD (worktree.ts). open() on a FIFO waits for a writer, on one of libuv's four threads: before, a review's
// run_status hung for good, and a FIFO swapped in between readSmall's lstat and its open did the same. Now each is
// opened without waiting (O_NONBLOCK, never through a link) and read only when fstat says it is a regular file.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";

// the file swapped for a FIFO after it was looked at: lstat saw the regular file that was there a moment before
vi.mock("node:fs/promises", async (original) => {
  const real = await original<typeof import("node:fs/promises")>();
  return {
    ...real,
    lstat: async (path: string) => {
      const info = await real.lstat(path);
      if (!String(path).endsWith("HEAD") || info.isFile()) return info;
      return Object.assign(Object.create(Object.getPrototypeOf(info) as object) as typeof info, info, {
        isFile: () => true,
        isFIFO: () => false,
        size: 20,
      });
    },
  };
});

const { readReviewOutput } = await import("../../src/runs/review-output.js");
const { readWorktree } = await import("../../src/codex/worktree.js");

describe("a FIFO where a run's file is read", () => {
  it("a review's rollout that is a FIFO has no review (null), without waiting for a writer", async () => {
    const dir = await mkdtemp(join(tmpdir(), "fifo-review-"));
    const rollout = join(dir, "rollout-2026-01-01T00-00-00-00000000-0000-0000-0000-000000000000.jsonl");
    execFileSync("mkfifo", [rollout]);
    expect(await readReviewOutput(rollout)).toBeNull();
  });

  it("a worktree whose HEAD became a FIFO after it was looked at is not a worktree (undefined), without waiting", async () => {
    const home = await mkdtemp(join(tmpdir(), "fifo-worktree-"));
    const root = join(home, "worktrees", "abc", "repo");
    const gitDir = join(home, "gitdir");
    await mkdir(root, { recursive: true });
    await mkdir(gitDir);
    await writeFile(join(root, ".git"), `gitdir: ${gitDir}\n`);
    execFileSync("mkfifo", [join(gitDir, "HEAD")]);
    expect(await readWorktree(root, home)).toBeUndefined();
  });
});
