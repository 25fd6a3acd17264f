// The state dir's cache folders (folds/, answers/, report/) are read, written and trimmed only while each is a
// directory of this user's that nobody else may write. Before, a link put in a folder's place carried the
// saves to its target, and the trim that keeps the folder within its count removed the target's oldest files
// (a folder of 1,001 files lost its two oldest to the first question: 1,002 files, 1,000 kept). The controls: the same calls on a real folder write there
// and trim it, which is what went to the link's target.
import {
  chmod,
  chown,
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  rename,
  rm,
  symlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AnswerFiles, stampOf } from "../../src/sessions/answer-files.js";
import { pinnedFolder, readChecked, writeChecked } from "../../src/sessions/checked-files.js";
import { sessionSummary, SessionStore } from "../../src/sessions/index.js";
import { fixture } from "../support/fixtures.js";
import { usageAnswer, usageKey } from "../support/saved-answers.js";

const FILES = 1_001; // one over what answers/ keeps

async function setUp() {
  const entry = fixture("0.169.0", "command");
  const root = await mkdtemp(join(tmpdir(), "ccm-cache-folders-"));
  const home = join(root, "home");
  const dir = join(home, "sessions", "2026", "11", "23");
  await mkdir(dir, { recursive: true });
  const path = join(dir, entry.rollout.split("/").pop() ?? "");
  await copyFile(entry.path, path);
  const stateDir = join(root, "state");
  await mkdir(stateDir, { mode: 0o700 });
  return { entry, root, home, path, stateDir };
}

/** A folder of a user's own files, each written long ago. */
async function victimFolder(root: string, name: string, count: number): Promise<string> {
  const victim = join(root, name);
  await mkdir(victim, { mode: 0o700 });
  const old = new Date("2020-01-01T00:00:00Z");
  for (let index = 0; index < count; index++) {
    const file = join(victim, `photo-${String(index).padStart(4, "0")}.jpg`);
    await writeFile(file, "mine");
    await utimes(file, old, old);
  }
  return victim;
}

const photos = async (dir: string) => (await readdir(dir)).filter((name) => name.startsWith("photo-")).length;
const cacheFiles = async (dir: string) => (await readdir(dir)).filter((name) => !name.startsWith("photo-"));

describe("the state dir's cache folders", () => {
  it("answers/ linked to a folder of 1,001 files: nothing written there, nothing removed", async () => {
    const { entry, root, home, stateDir } = await setUp();
    const victim = await victimFolder(root, "photos", FILES);
    await symlink(victim, join(stateDir, "answers"));
    const store = new SessionStore(home, { stateDir });
    expect((await sessionSummary(store, entry.session_id, { reasoningLimit: 10 })).session_id).toBe(entry.session_id);
    expect([await photos(victim), await cacheFiles(victim)]).toEqual([FILES, []]);
  });

  it("control: the same question with answers/ a real folder of 1,001 files saves there and trims the oldest", async () => {
    const { entry, root, home, stateDir } = await setUp();
    const answers = await victimFolder(root, "photos", FILES);
    await rename(answers, join(stateDir, "answers"));
    const store = new SessionStore(home, { stateDir });
    await sessionSummary(store, entry.session_id, { reasoningLimit: 10 });
    const saved = await cacheFiles(join(stateDir, "answers"));
    // 1,002 files: the two oldest go
    expect([await photos(join(stateDir, "answers")), saved.length, saved[0]?.endsWith(".answers")]).toEqual([
      FILES - 2,
      1,
      true,
    ]);
  });

  it("folds/ linked elsewhere: a fold is not saved through the link (the control saves one in a real folds/)", async () => {
    const { entry, root, home, stateDir } = await setUp();
    const elsewhere = await victimFolder(root, "elsewhere", 1);
    await symlink(elsewhere, join(stateDir, "folds"));
    await sessionSummary(new SessionStore(home, { stateDir, saveAfterBytes: 1 }), entry.session_id, {
      reasoningLimit: 10,
    });
    expect(await cacheFiles(elsewhere)).toEqual([]);
    const control = await setUp();
    await sessionSummary(
      new SessionStore(control.home, { stateDir: control.stateDir, saveAfterBytes: 1 }),
      entry.session_id,
      {
        reasoningLimit: 10,
      },
    );
    expect((await cacheFiles(join(control.stateDir, "folds"))).some((name) => name.endsWith(".fold"))).toBe(true);
  });

  it("saved answers are not read through a linked folder, nor from a folder others may write", async () => {
    const { root, path } = await setUp();
    const real = join(root, "answers");
    const files = new AnswerFiles({ dir: real, maxFileBytes: 64 * 1024, keepWithinLimits: async () => undefined });
    const stamp = await stampOf(path);
    await files.save(path, stamp, {}, new Map([[usageKey(path), usageAnswer(path, "saved")]]));
    const note = async (from: AnswerFiles) =>
      ((await from.load(path, stamp))?.answers.get(usageKey(path)) as { note?: string } | undefined)?.note;
    // control: read back from the real folder
    expect(await note(files)).toBe("saved");
    await rename(real, join(root, "moved"));
    await symlink(join(root, "moved"), real);
    expect(await files.load(path, stamp)).toBeUndefined();
    await rename(join(root, "moved"), join(root, "open"));
    const open = new AnswerFiles({
      dir: join(root, "open"),
      maxFileBytes: 64 * 1024,
      keepWithinLimits: async () => undefined,
    });
    expect(await note(open)).toBe("saved");
    await chmod(join(root, "open"), 0o777);
    expect(await open.load(path, stamp)).toBeUndefined();
    await expect(writeChecked(join(root, "open", "x.answers"), [Buffer.from("x")])).rejects.toThrow(
      /not a folder of this user's alone/,
    );
  });

  it.skipIf(process.getuid?.() !== 0)("a saved file or folder of another user is not read", async () => {
    const root = await mkdtemp(join(tmpdir(), "ccm-cache-owner-"));
    const dir = join(root, "report");
    const file = join(dir, "day.digests");
    await writeChecked(file, [Buffer.from("payload")], "sync");
    expect(String(await readChecked(file, 1024, "sync"))).toBe("payload");
    await chown(file, 65534, 65534);
    expect([await readChecked(file, 1024), await readChecked(file, 1024, "sync")]).toEqual([undefined, undefined]);
    await chown(file, 0, 0);
    await chown(dir, 65534, 65534);
    expect([await readChecked(file, 1024), await readChecked(file, 1024, "sync")]).toEqual([undefined, undefined]);
  });
});

describe("a cache folder swapped for a link after it was checked", () => {
  it.skipIf(process.platform !== "linux")(
    "is trimmed as the folder that was checked (through the open folder), never the link's target",
    async () => {
      const root = await mkdtemp(join(tmpdir(), "ccm-cache-swap-"));
      const dir = join(root, "folds");
      const victim = join(root, "victim");
      await mkdir(dir, { mode: 0o700 });
      await mkdir(victim);
      for (const folder of [dir, victim]) await writeFile(join(folder, "old.fold"), "x");
      const folder = await pinnedFolder(dir);
      try {
        // the swap, between the check and the use
        await rename(dir, join(root, "moved"));
        await symlink(victim, dir);
        await rm(join(folder?.path ?? dir, "old.fold"));
        expect([await readdir(join(root, "moved")), await readdir(victim)]).toEqual([[], ["old.fold"]]);
        // control: the same name, used as a path after the swap, reaches the link's target
        await rm(join(dir, "old.fold"));
        expect(await readdir(victim)).toEqual([]);
      } finally {
        await folder?.close();
      }
    },
  );
});
