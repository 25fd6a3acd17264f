// A saved fold is a checked file in the state dir: checksummed (SHA-1), not signed, so whoever can write the
// state dir can write one whose checksum holds. Its contents decide only that log's answers, never the rest of
// the process: a mark whose path walks through `constructor`, `__proto__` or `prototype` would reach a builtin
// prototype and re-parent it (before, decode gave Array.prototype the fold's class: every array of the server
// was then `instanceof SessionFolder`). The control walks the same path as plain property access.
import { appendFile, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { afterEach, describe, expect, it } from "vitest";
import { readChecked } from "../../src/sessions/checked-files.js";
import { FoldFiles } from "../../src/sessions/fold-files.js";
import { sessionSummary, SessionStore } from "../../src/sessions/index.js";
import { decode, encode } from "../../src/sessions/snapshot.js";
import { fixture } from "../support/fixtures.js";

class Folder {
  items: unknown[] = [];
}
const CLASSES = [Folder];

/** Paths a forged snapshot may mark, each reaching a builtin through plain property access. */
const HOSTILE_PATHS: Array<[string, Array<[0 | 1, unknown]>, () => object]> = [
  [
    "constructor.prototype of an array",
    [
      [0, "items"],
      [0, "constructor"],
      [0, "prototype"],
    ],
    () => Array.prototype,
  ],
  [
    "__proto__ of an array",
    [
      [0, "items"],
      [0, "__proto__"],
    ],
    () => Array.prototype,
  ],
  [
    "a string's constructor.prototype",
    [
      [0, "name"],
      [0, "constructor"],
      [0, "prototype"],
    ],
    () => String.prototype,
  ],
];

function forged(path: Array<[0 | 1, unknown]>): Buffer {
  return serialize({ marks: [{ path, className: "Folder" }], value: { items: [], name: "x" } });
}

/** What each builtin inherits from now, to be put back if an attack got through. */
const originals = [Array.prototype, String.prototype].map((target) => [target, Object.getPrototypeOf(target)]);
afterEach(() => {
  for (const [target, prototype] of originals) Object.setPrototypeOf(target, prototype);
});

describe("a forged snapshot", () => {
  it.each(HOSTILE_PATHS)("marking %s is refused and re-parents nothing", (_, path) => {
    expect(() => decode(forged(path), CLASSES)).toThrow(/snapshot path/);
    expect([Object.getPrototypeOf(Array.prototype), Object.getPrototypeOf(String.prototype)]).toEqual([
      Object.prototype,
      Object.prototype,
    ]);
    expect([] instanceof Folder).toBe(false);
  });

  it.each(HOSTILE_PATHS)("control: %s is reached by plain property access", (_, path, builtin) => {
    let node: unknown = { items: [], name: "x" };
    for (const [, key] of path) node = (node as Record<string, unknown>)[key as string];
    expect(node).toBe(builtin());
  });

  it("marks of its own objects still restore, shared instances included", () => {
    const folder = new Folder();
    const inner = new Folder();
    folder.items.push(inner, inner, new Map([["k", inner]]));
    const back = decode(encode(folder, CLASSES), CLASSES) as Folder;
    expect(back).toBeInstanceOf(Folder);
    expect(back.items[0]).toBeInstanceOf(Folder);
    expect(back.items[0]).toBe(back.items[1]);
    expect((back.items[2] as Map<string, unknown>).get("k")).toBe(back.items[0]);
  });

  it("a saved fold with a valid checksum and such a mark is not restored, and the log is folded instead", async () => {
    const entry = fixture("0.169.0", "command");
    const home = await mkdtemp(join(tmpdir(), "ccm-forged-home-"));
    const dir = join(home, "sessions", "2026", "11", "23");
    await mkdir(dir, { recursive: true });
    const path = join(dir, entry.rollout.split("/").pop() ?? "");
    await copyFile(entry.path, path);
    const stateDir = await mkdtemp(join(tmpdir(), "ccm-forged-state-"));
    // saved through the server's own code: the checksum, code hash, path, inode and edge all hold
    const state = serialize({
      marks: [
        {
          path: [
            [0, "calls"],
            [0, "constructor"],
            [0, "prototype"],
          ],
          className: "SessionFolder",
        },
      ],
      value: { calls: [] },
    });
    await new FoldFiles(join(stateDir, "folds")).save(
      path,
      { offset: 0, lines: 0, skipped: 0, badFieldLines: 0, head: "" },
      state,
    );
    const store = new SessionStore(home, { stateDir, saveAfterBytes: 1 });
    const summary = await sessionSummary(store, entry.session_id, { reasoningLimit: 10 });
    expect([summary.session_id, Object.getPrototypeOf(Array.prototype) === Object.prototype]).toEqual([
      entry.session_id,
      true,
    ]);
  });
});

describe("another log's saved fold filed under this log's name", () => {
  const at = "2026-01-28T10:00:00.000Z";
  const A = "0199a1b2-0000-7000-8000-00000000f201";
  const B = "0199a1b2-0000-7000-8000-00000000f202";
  const SUMMARY = { reasoningLimit: 5 };
  const rollout = (id: string, message: string) =>
    [
      { type: "session_meta", payload: { id, timestamp: at, cwd: "/w", cli_version: "0.169.0" } },
      { type: "event_msg", payload: { type: "task_started", turn_id: "t1" } },
      { type: "event_msg", payload: { type: "user_message", message: "go" } },
      { type: "event_msg", payload: { type: "task_complete", turn_id: "t1", last_agent_message: message } },
    ]
      .map((line) => `${JSON.stringify({ timestamp: at, ...line })}\n`)
      .join("");

  /** Logs A and B, each folded once with its fold saved; B's fold's own bytes and A's real head. */
  async function savedFolds() {
    const home = await mkdtemp(join(tmpdir(), "ccm-fold-swap-"));
    const day = join(home, "sessions", "2026", "01", "28");
    await mkdir(day, { recursive: true });
    const paths = [A, B].map((id) => join(day, `rollout-2026-01-28T10-00-00-${id}.jsonl`));
    const [pathA = "", pathB = ""] = paths;
    await writeFile(pathA, rollout(A, "done A"));
    // B grows past A's head while it is polled: its saved fold must hold the head it has then
    await writeFile(pathB, rollout(B, "done B").slice(0, 200));
    const stateDir = await mkdtemp(join(tmpdir(), "ccm-fold-swap-state-"));
    const first = new SessionStore(home, { stateDir, saveAfterBytes: 1 });
    const real = await sessionSummary(first, A, SUMMARY);
    await sessionSummary(first, B, SUMMARY);
    await appendFile(pathB, rollout(B, "done B").slice(200));
    await sessionSummary(first, B, SUMMARY);
    const folds = new FoldFiles(join(stateDir, "folds"));
    const payload = (await readChecked(folds.fileOf(pathB), 1 << 24)) ?? Buffer.alloc(4);
    const headerBytes = payload.readUInt32LE(0);
    const header = deserialize(payload.subarray(4, 4 + headerBytes)) as { head: string; lines: number };
    const stateB = Buffer.from(payload.subarray(4 + headerBytes));
    const size = (await stat(pathA)).size;
    return { home, stateDir, folds, pathA, real, stateB, headB: header.head, size };
  }

  /** A new store's summary of A, and whether it restored a saved fold for it. */
  async function askedAgain(home: string, stateDir: string) {
    // the answers saved beside the folds would answer without a fold
    for (const name of await readdir(join(stateDir, "folds")))
      if (name.endsWith(".answers")) await rm(join(stateDir, "folds", name));
    const store = new SessionStore(home, { stateDir, saveAfterBytes: 1 });
    const summary = await sessionSummary(store, A, SUMMARY);
    return { summary, restored: store.folds.counters.restored };
  }

  it("control: this log's own fold, saved again through the same steps, is restored", async () => {
    const { home, stateDir, folds, pathA, real, size } = await savedFolds();
    const payload = (await readChecked(folds.fileOf(pathA), 1 << 24)) ?? Buffer.alloc(4);
    const headerBytes = payload.readUInt32LE(0);
    const { head } = deserialize(payload.subarray(4, 4 + headerBytes)) as { head: string };
    const stateA = Buffer.from(payload.subarray(4 + headerBytes));
    await folds.save(pathA, { offset: size, lines: 4, skipped: 0, badFieldLines: 0, head }, stateA);
    expect(await askedAgain(home, stateDir)).toEqual({ summary: real, restored: 1 });
  });

  it.each([
    ["an empty head (a prefix of any file)", () => ""],
    ["this log's own head", (headA: string) => headA],
  ])("with %s is not restored: the log is folded", async (_, headOf) => {
    const { home, stateDir, folds, pathA, real, stateB, size } = await savedFolds();
    const headA = (await readFile(pathA, "latin1")).slice(0, 512);
    // B's fold, stamped with A's path, inode and edge (FoldFiles.save reads them off A itself)
    await folds.save(pathA, { offset: size, lines: 4, skipped: 0, badFieldLines: 0, head: headOf(headA) }, stateB);
    expect(await askedAgain(home, stateDir)).toEqual({ summary: real, restored: 0 });
  });

  it("a log folded while shorter than the head, then grown, saves the whole head it has (else never restored)", async () => {
    const { headB } = await savedFolds();
    expect(headB.length).toBe(512);
  });
});

describe("a damaged saved fold (a field of the wrong kind, its checksum made to hold)", () => {
  const at = "2026-01-28T10:00:00.000Z";
  const id = "0199a1b2-0000-7000-8000-00000000f301";

  async function damaged(value: Record<string, unknown>) {
    const home = await mkdtemp(join(tmpdir(), "ccm-fold-damaged-"));
    const day = join(home, "sessions", "2026", "01", "28");
    await mkdir(day, { recursive: true });
    const path = join(day, `rollout-2026-01-28T10-00-00-${id}.jsonl`);
    const meta = { timestamp: at, type: "session_meta", payload: { id, timestamp: at, cwd: "/w" } };
    await writeFile(path, `${JSON.stringify(meta)}\n`);
    const stateDir = await mkdtemp(join(tmpdir(), "ccm-fold-damaged-state-"));
    const head = (await readFile(path, "latin1")).slice(0, 512);
    const state = serialize({ marks: [{ path: [], className: "SessionFolder" }], value });
    const position = { offset: (await stat(path)).size, lines: 1, skipped: 0, badFieldLines: 0, head };
    await new FoldFiles(join(stateDir, "folds")).save(path, position, state);
    return { home, stateDir };
  }

  it.each([
    ["turns that are a string", { model: { turns: "x", calls: [], reasoning: [], filesChanged: [] } }],
    ["a turn that is a number", { model: { turns: [5], calls: [], reasoning: [], filesChanged: [] } }],
    ["no model", {}],
  ])("with %s is not restored: the log is folded and answered", async (_, value) => {
    const { home, stateDir } = await damaged(value);
    for (const round of [1, 2]) {
      const store = new SessionStore(home, { stateDir, saveAfterBytes: 1 });
      const summary = await sessionSummary(store, id, { reasoningLimit: 1 });
      expect([round, summary.session_id, store.folds.counters.restored]).toEqual([round, id, 0]);
    }
  });
});
