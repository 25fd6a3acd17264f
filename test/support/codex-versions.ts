// Real Codex CLI binaries: the pinned devDependency, and older published versions installed from the npm
// registry on first use into node_modules/.cache/codex-versions/<version>.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { isolatedEnv } from "./isolated-env.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(import.meta.url);

/** The npm launcher (a Node wrapper around the native binary) of the pinned devDependency. */
export const PINNED_CODEX = join(dirname(require.resolve("@openai/codex/package.json")), "bin", "codex.js");
export const PINNED_VERSION = (require("@openai/codex/package.json") as { version: string }).version;

export async function codexVersion(version: string): Promise<string> {
  const dir = join(root, "node_modules", ".cache", "codex-versions", version);
  const bin = join(dir, "node_modules", "@openai", "codex", "bin", "codex.js");
  if (existsSync(bin)) return bin;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "package.json"), '{"private":true}\n');
  await promisify(execFile)("npm", ["install", "--no-audit", "--no-fund", "--no-save", `@openai/codex@${version}`], {
    cwd: dir,
    env: isolatedEnv(await mkdtemp(join(tmpdir(), "ccm-npm-"))),
    timeout: 300_000,
  });
  if (!existsSync(bin)) throw new Error(`npm installed @openai/codex@${version} but ${bin} is missing`);
  return bin;
}
