// A rollout path is refused by its name before the disk is asked: before, `resolvePath` resolved the path first,
// so "no file at X" against "X is outside CODEX_HOME" (and the allowed-roots check likewise) told a caller whether
// any path on the machine existed. A link inside CODEX_HOME that points out is still refused, its target there or not.
import { mkdir, mkdtemp, realpath, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mustBeInsideAllowedRoots, resolveSession } from "../../src/sessions/resolve.js";

async function homes(): Promise<{ home: string; elsewhere: string }> {
  const home = await realpath(await mkdtemp(join(tmpdir(), "ccm-oracle-home-")));
  const elsewhere = await realpath(await mkdtemp(join(tmpdir(), "ccm-oracle-out-")));
  await mkdir(join(home, "sessions"));
  await writeFile(join(elsewhere, "secret.jsonl"), "{}\n");
  await symlink(elsewhere, join(home, "sessions", "escape"));
  return { home, elsewhere };
}

const ID = "019a0000-0000-7000-8000-000000000001";

async function refusal(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => "resolved",
    (error: Error) => error.message,
  );
}

describe("an explicit rollout path", () => {
  it("outside CODEX_HOME gets the same answer whether it exists or not", async () => {
    const { home, elsewhere } = await homes();
    const outside = (path: string) =>
      `${path} is outside CODEX_HOME (${home}): only rollouts inside CODEX_HOME are read. Pass a session id instead.`;
    const existing = join(elsewhere, "secret.jsonl");
    const missing = join(elsewhere, "nothing.jsonl");
    expect([await refusal(resolveSession(home, existing)), await refusal(resolveSession(home, missing))]).toEqual([
      outside(existing),
      outside(missing),
    ]);
  });

  it("through a link inside CODEX_HOME that points out is outside, its target there or not", async () => {
    const { home } = await homes();
    const viaLink = join(home, "sessions", "escape", "secret.jsonl");
    const viaLinkMissing = join(home, "sessions", "escape", "gone", `rollout-2026-01-01T00-00-00-${ID}.jsonl`);
    const missingInside = join(home, "sessions", `rollout-2026-01-01T00-00-00-${ID}.jsonl`);
    expect([
      await refusal(resolveSession(home, viaLink)),
      await refusal(resolveSession(home, viaLinkMissing)),
      await refusal(resolveSession(home, missingInside)),
    ]).toEqual([
      `${viaLink} is outside CODEX_HOME (${home}): only rollouts inside CODEX_HOME are read. Pass a session id instead.`,
      `${viaLinkMissing} is outside CODEX_HOME (${home}): only rollouts inside CODEX_HOME are read. Pass a session id instead.`,
      `no file at ${missingInside}: pass an existing rollout path inside CODEX_HOME (${home}), or a session id.`,
    ]);
  });

  it("outside the allowed roots gets the same answer whether it exists or not, a link out included", async () => {
    const { home, elsewhere } = await homes();
    const outside = (path: string) =>
      `${path} is outside the allowed roots of this server (${home}): pass a session id instead.`;
    const paths = [
      join(elsewhere, "secret.jsonl"),
      join(elsewhere, "nothing.jsonl"),
      join(home, "sessions", "escape", "secret.jsonl"),
      join(home, "sessions", "escape", "nothing.jsonl"),
    ];
    const answers = [];
    for (const path of paths) answers.push(await refusal(mustBeInsideAllowedRoots([home], path)));
    expect(answers).toEqual(paths.map(outside));
    // inside, missing: let through, for the reader to say there is no file
    expect(await refusal(mustBeInsideAllowedRoots([home], join(home, "sessions", "nothing.jsonl")))).toBe("resolved");
  });
});
