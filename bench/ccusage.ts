// The ccusage builds the fleet bench runs beside our report, each installed once under .bench from the npm
// registry:
// - ccusage as `npx ccusage@latest` would run it: a Node launcher that starts a Rust binary (since 20.0), or
//   a pinned 20.x when latest has no binary for this platform;
// - ccusage 19.0.3, its last release in JavaScript. Issue 24 ("one ccusage process took 0.33 s" on 550
//   sessions) was written against a ccusage of that kind. It needs Node ≥ 22, so it runs on the Node 22
//   binary the registry's `node` package installs.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Ccusage {
  /** Its kind: `native binary` or `JavaScript`. */
  kind: string;
  version: string;
  /** The command up to its arguments (`codex session --json --offline` follows). */
  argv: string[];
  /** Why it is not the build first asked for, if it is not. */
  note?: string;
}

/** A build that did not run: the version asked for, and why. */
export type FoundCcusage = Ccusage | { kind: string; version: string; error: string };

/** How the bench names a build: `ccusage 20.0.24 (native binary)`. */
export function nameOf(build: FoundCcusage): string {
  return `ccusage ${build.version} (${build.kind})`;
}

export const NATIVE = "native binary";
export const JAVASCRIPT = "JavaScript";

/** The last ccusage in JavaScript (20.0 moved the work into a native binary). */
export const JAVASCRIPT_CCUSAGE = "19.0.3";
/** The Node line it asks for (its package.json engines: >= 22). */
const NODE_FOR_JAVASCRIPT = "22";
/** Pinned when latest has no native binary for this platform (the registry's 20.0.26 has none for linux-x64). */
const PINNED_NATIVE = "20.0.24";

function firstLine(error: unknown): string {
  return ((error as { stderr?: string }).stderr || (error as Error).message).trim().split("\n")[0] ?? "";
}

interface Manifest {
  version: string;
  bin?: Record<string, string>;
}

/** `spec` installed under `prefix` (once), and its package.json. */
async function installed(prefix: string, name: string, spec: string): Promise<Manifest> {
  const manifest = join(prefix, "node_modules", name, "package.json");
  if (!existsSync(manifest)) {
    await mkdir(prefix, { recursive: true });
    await run("npm", ["install", "--no-audit", "--no-fund", "--prefix", prefix, spec], { timeout: 300_000 });
  }
  return JSON.parse(await readFile(manifest, "utf8")) as Manifest;
}

/** ccusage as `npx ccusage@latest` would run it, else the pinned 20.x. */
export async function nativeCcusage(dir: string): Promise<FoundCcusage> {
  const tried: string[] = [];
  for (const version of ["latest", PINNED_NATIVE]) {
    const prefix = join(dir, version);
    try {
      const { version: installedVersion } = await installed(prefix, "ccusage", `ccusage@${version}`);
      const bin = join(prefix, "node_modules", ".bin", "ccusage");
      const { stdout } = await run(bin, ["--version"], { timeout: 60_000 });
      if (stdout.trim() === "") throw new Error("no version printed");
      return {
        kind: NATIVE,
        version: installedVersion,
        argv: [bin],
        ...(tried.length > 0 && { note: `not latest, which does not run here: ${tried.join("; ")}` }),
      };
    } catch (error) {
      tried.push(`ccusage@${version}: ${firstLine(error)}`);
    }
  }
  return { kind: NATIVE, version: "latest", error: tried.join("; ") };
}

/** ccusage 19.0.3 on Node 22, both from the registry. */
export async function javascriptCcusage(dir: string): Promise<FoundCcusage> {
  try {
    // the registry's `node` package is versioned as the Node it installs
    const nodePrefix = join(dir, `node-${NODE_FOR_JAVASCRIPT}`);
    const { version: nodeVersion } = await installed(nodePrefix, "node", `node@${NODE_FOR_JAVASCRIPT}`);
    const node = join(nodePrefix, "node_modules", ".bin", "node");
    const prefix = join(dir, JAVASCRIPT_CCUSAGE);
    const { version, bin } = await installed(prefix, "ccusage", `ccusage@${JAVASCRIPT_CCUSAGE}`);
    if (bin?.ccusage === undefined) throw new Error(`ccusage@${version} names no ccusage command`);
    const script = join(prefix, "node_modules", "ccusage", bin.ccusage);
    const { stdout } = await run(node, [script, "--version"], { timeout: 60_000 });
    if (stdout.trim() === "") throw new Error("no version printed");
    return {
      kind: JAVASCRIPT,
      version,
      argv: [node, script],
      note: `its last release in JavaScript, on Node ${nodeVersion} from the npm registry`,
    };
  } catch (error) {
    return { kind: JAVASCRIPT, version: JAVASCRIPT_CCUSAGE, error: firstLine(error) };
  }
}
