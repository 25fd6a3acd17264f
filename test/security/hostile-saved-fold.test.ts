// A saved fold is a checked file in the state dir: checksummed (SHA-1), not signed, so whoever can write the
// state dir can write one whose checksum holds. Its contents decide only that log's answers, never the rest of
// the process: a mark whose path walks through `constructor`, `__proto__` or `prototype` would reach a builtin
// prototype and re-parent it (before, decode gave Array.prototype the fold's class: every array of the server
// was then `instanceof SessionFolder`). The control walks the same path as plain property access.
import { copyFile, mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serialize } from "node:v8";
import { afterEach, describe, expect, it } from "vitest";
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
