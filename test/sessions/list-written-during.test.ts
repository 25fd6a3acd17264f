// A listing whose filters skip the newest logs goes on through the same folders, older ones next (list.ts).
// It told the older ones by their order against the last log listed, stat-ed again: a log that matched the
// filters and was written (by the Codex still running it) while the newest were read now ranked before that
// log, and was left out, though a walk of every log lists it. The logs listed are now told by their path.
import { mkdir, mkdtemp, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FolderNames } from "../../src/sessions/folder-names.js";
import { ListingCache, listSessions } from "../../src/sessions/list.js";
import type { RolloutFile } from "../../src/sessions/locate.js";

const id = (n: number) => `0199a1b2-0000-7000-8000-${String(n).padStart(12, "0")}`;

/** 63 logs in one date folder, log n written at second n: the 50 newest in /a, the 13 oldest in /b. */
async function home(): Promise<{ home: string; pathOf: (n: number) => string }> {
  const root = await mkdtemp(join(tmpdir(), "ccm-list-written-"));
  const day = join(root, "sessions", "2026", "01", "28");
  await mkdir(day, { recursive: true });
  const pathOf = (n: number) => join(day, `rollout-2026-01-28T10-00-00-${id(n)}.jsonl`);
  for (let n = 0; n < 63; n++) {
    const at = new Date(Date.UTC(2026, 0, 28, 10) + n * 1000).toISOString();
    const meta = {
      timestamp: at,
      type: "session_meta",
      payload: { id: id(n), timestamp: at, cwd: n >= 13 ? "/a" : "/b" },
    };
    await writeFile(pathOf(n), `${JSON.stringify(meta)}\n`);
    await utimes(pathOf(n), 1_800_000_000 + n, 1_800_000_000 + n);
  }
  return { home: root, pathOf };
}

/** Listings read as usual; `onFirst` runs as the first log is read. */
class WrittenMeanwhile extends ListingCache {
  constructor(private onFirst: (() => Promise<void>) | undefined) {
    super();
  }
  override async describe(file: RolloutFile) {
    const first = this.onFirst;
    this.onFirst = undefined;
    await first?.();
    return super.describe(file);
  }
}

describe("a listing with a cwd, as a log of that cwd is written meanwhile", () => {
  it("lists the log written while the newest logs of the other cwd were read", async () => {
    const { home: root, pathOf } = await home();
    // /b's newest log is written again (a second after the newest log) as the first log is read
    const listings = new WrittenMeanwhile(() => utimes(pathOf(12), 1_800_000_100, 1_800_000_100));
    const { sessions } = await listSessions(
      root,
      { limit: 5, cwd: "/b", includeArchived: false },
      new FolderNames(),
      listings,
    );
    expect(sessions.map((session) => session.session_id)).toEqual([id(12), id(11), id(10), id(9), id(8)]);
  });

  it("control: nothing written meanwhile, the same five", async () => {
    const { home: root } = await home();
    const listings = new WrittenMeanwhile(undefined);
    const { sessions } = await listSessions(
      root,
      { limit: 5, cwd: "/b", includeArchived: false },
      new FolderNames(),
      listings,
    );
    expect(sessions.map((session) => session.session_id)).toEqual([id(12), id(11), id(10), id(9), id(8)]);
  });
});
