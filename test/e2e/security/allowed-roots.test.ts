// The operator's --allowed-root limits explicit rollout paths in one place (the session reader's own
// resolveSession), so the tools, the resources and the CLI for people refuse alike.
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, realpath } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, "..", "..", "..", "dist", "cli.js");
const FIXTURE_HOME = join(here, "..", "..", "fixtures", "codex-home");

async function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stderr: "" };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

it("the CLI refuses a rollout path outside the allowed roots, as the tools do; without roots it reads it", async () => {
  const root = await realpath(await mkdtemp(join(tmpdir(), "ccm-roots-")));
  const home = join(root, "home");
  await mkdir(home);
  await cp(FIXTURE_HOME, home, { recursive: true });
  const rollout = join(
    home,
    "sessions",
    (await readdir(join(home, "sessions"), { recursive: true })).find((name) => name.endsWith(".jsonl")) ?? "",
  );
  const inside = join(root, "projects");
  await mkdir(inside);
  const refused = await cli(
    { CODEX_HOME: home, CODEX_CONTROL_ALLOWED_ROOTS: inside, XDG_STATE_HOME: join(root, "state") },
    "summary",
    rollout,
    "--json",
  );
  expect([refused.code, refused.stderr.trim()]).toEqual([
    1,
    `codex-control-mcp: ${rollout} is outside the allowed roots of this server (${inside}): pass a session id instead.`,
  ]);
  // the control: the same path without the operator's roots is read
  const read = await cli({ CODEX_HOME: home, XDG_STATE_HOME: join(root, "state") }, "summary", rollout, "--json");
  expect([0, 3]).toContain(read.code);
});
