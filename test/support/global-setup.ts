// No test may touch the developer's real state dir: every server a test spawns without --state-dir (stdio, hosts,
// package, CLI suites) falls back to $XDG_STATE_HOME, which points here for the whole run and is removed after it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const stateHome = mkdtempSync(join(tmpdir(), "ccm-test-state-home-"));
  process.env.XDG_STATE_HOME = stateHome;
  return () => rmSync(stateHome, { recursive: true, force: true });
}
