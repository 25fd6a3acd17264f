// No test may touch the developer's real state dir or leave files behind. Every server a test spawns without
// --state-dir (stdio, hosts, package, CLI suites) falls back to $XDG_STATE_HOME, which points here for the
// whole run; every temp dir a test makes lives under $TMPDIR, which points at one root removed after the run
// (and each test file's own part of it is removed when that file ends: see temp-dirs.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), "ccm-test-"));
  const stateHome = join(root, "state-home");
  process.env.XDG_STATE_HOME = stateHome;
  process.env.TMPDIR = root;
  process.env.CCM_TEST_TMP_ROOT = root;
  return () => rmSync(root, { recursive: true, force: true });
}
