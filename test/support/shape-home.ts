// A CODEX_HOME made of the hand-written and real-CLI shapes in test/fixtures/shapes/, each under an id of its own.
import { copyFile, mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES } from "./fixtures.js";

export const SHAPES = join(FIXTURES, "shapes");

/** The session id a shape gets from its number (distinct across the test files that use shapes). */
export const shapeIdOf = (n: number) => `0199bbbb-0000-7000-8000-${String(n).padStart(12, "0")}`;

/** A new home with the `named` shapes as rollouts of one date folder, a second apart from `start` (YYYY-MM-DDTHH-MM). */
export async function shapeHome(prefix: string, named: Array<[string, number]>, start: string): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), prefix));
  const dir = join(home, "sessions", ...start.slice(0, 10).split("-"));
  await mkdir(dir, { recursive: true });
  for (const [index, [name, n]] of named.entries())
    await copyFile(
      join(SHAPES, `${name}.jsonl`),
      join(dir, `rollout-${start}-${String(index).padStart(2, "0")}-${shapeIdOf(n)}.jsonl`),
    );
  return home;
}
