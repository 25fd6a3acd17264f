// The committed real-CLI fixtures (made by scripts/make-fixtures.ts) and throw-away copies of them.
import { cp, mkdtemp, readFile, realpath, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import manifest from "../fixtures/manifest.json" with { type: "json" };

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");
export const FIXTURE_HOME = join(FIXTURES, "codex-home");

export type Scenario = "command" | "mcp" | "resumed" | "model-error" | "interrupted" | "killed";

export interface Fixture {
  version: string;
  scenario: string;
  session_id: string;
  /** Absolute path inside FIXTURE_HOME. */
  path: string;
  rollout: string;
  exec_json: string[];
  exit_codes: Array<number | null>;
}

export const ALL_FIXTURES: Fixture[] = manifest.map((entry) => ({ ...entry, path: join(FIXTURE_HOME, entry.rollout) }));

export function fixture(version: string, scenario: Scenario): Fixture {
  const found = ALL_FIXTURES.find((entry) => entry.version === version && entry.scenario === scenario);
  if (!found) throw new Error(`no fixture ${version} ${scenario}: run npm run fixtures`);
  return found;
}

export async function fixtureText(version: string, scenario: Scenario): Promise<string> {
  return readFile(fixture(version, scenario).path, "utf8");
}

/**
 * A private copy of the fixture CODEX_HOME. Files get mtimes in manifest order, one minute apart, so
 * "newest" is deterministic: the last manifest entry (0.169.0 resumed) is the newest.
 */
export async function copyFixtureHome(): Promise<{ home: string; fixtures: Fixture[] }> {
  const root = await realpath(await mkdtemp(join(tmpdir(), "ccm-home-")));
  const home = join(root, "home");
  await cp(FIXTURE_HOME, home, { recursive: true });
  const base = Date.parse("2026-11-23T00:00:00Z") / 1000;
  const fixtures = ALL_FIXTURES.map((entry) => ({ ...entry, path: join(home, entry.rollout) }));
  for (const [index, entry] of fixtures.entries()) await utimes(entry.path, base + index * 60, base + index * 60);
  return { home, fixtures };
}
