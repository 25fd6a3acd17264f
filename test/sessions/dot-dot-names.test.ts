// A folder whose name starts with two dots (`..x`, `...`) directly inside CODEX_HOME is inside it: before, `within`
// took any relative path starting with ".." as climbing out, so a rollout read from such a folder was refused as
// "outside CODEX_HOME". `..` itself, alone or before a separator, still climbs out.
import { mkdir, mkdtemp, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveSession } from "../../src/sessions/resolve.js";
import { upward, within } from "../../src/shared/path-within.js";

const ID = "019a0000-0000-7000-8000-0000000000d2";
const NAME = `rollout-2026-01-01T00-00-00-${ID}.jsonl`;

async function answer(call: Promise<{ id: string }>): Promise<string> {
  return call.then(
    (file) => `read ${file.id}`,
    (error: Error) => error.message,
  );
}

describe("a folder named with two leading dots inside CODEX_HOME", () => {
  it("holds a rollout that is read, where ../x beside CODEX_HOME is still outside", async () => {
    const home = await realpath(await mkdtemp(join(tmpdir(), "ccm-dots-")));
    const codexHome = join(home, "codex");
    for (const folder of ["..x", "...", "x"]) {
      const dir = folder === "x" ? join(home, "x") : join(codexHome, folder);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, NAME), "{}\n");
    }
    const escaping = `${codexHome}/../x/${NAME}`;
    expect([
      await answer(resolveSession(codexHome, join(codexHome, "..x", NAME))),
      await answer(resolveSession(codexHome, join(codexHome, "...", NAME))),
      await answer(resolveSession(codexHome, escaping)),
    ]).toEqual([
      `read ${ID}`,
      `read ${ID}`,
      `${escaping} is outside CODEX_HOME (${codexHome}): only rollouts inside CODEX_HOME are read. Pass a session id instead.`,
    ]);
  });

  it("is inside by name; `..` alone or before a separator is not", () => {
    expect(["..", "../x", "..x", "...", "..x/y", "x/.."].map(upward)).toEqual([true, true, false, false, false, false]);
    expect([within("/r", "/r/..x"), within("/r", "/r/..."), within("/r", "/x"), within("/r", "/r/../x")]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});
