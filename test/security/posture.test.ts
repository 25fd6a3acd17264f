// doctor says what a server without --allowed-root lets a caller do, and how to narrow it.
import { mkdtemp, realpath } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PINNED_CODEX } from "../support/codex-versions.js";
import { connect, testConfig, textOf } from "../support/mcp.js";

describe("doctor explains the posture", () => {
  it("warns when no --allowed-root is set, and not when one is", async () => {
    const home = await realpath(await mkdtemp(join(tmpdir(), "ccm-posture-")));
    const open = await connect(testConfig({ codexHome: home, codexBin: PINNED_CODEX }));
    const confined = await connect(testConfig({ codexHome: home, codexBin: PINNED_CODEX, allowedRoots: [home] }));
    try {
      const checks = (result: Awaited<ReturnType<typeof open.call>>) => (result.structuredContent as { checks: Array<{ name: string; level: string; found: string; fix: string | null }> }).checks;
      const report = await open.call("doctor", {});
      expect(checks(report).find((check) => check.name === "allowed roots")).toEqual({
        name: "allowed roots",
        level: "warn",
        found: "no --allowed-root: a caller may run Codex in any directory this user can write (except /, the home directory itself, CODEX_HOME and the state dir) and attach any image this user can read",
        fix: "Start the server with --allowed-root DIR (repeatable) for the directories callers may work in, e.g. your projects folder.",
      });
      expect(textOf(report)).toContain("WARN  allowed roots");
      expect(checks(await confined.call("doctor", {})).map((check) => check.name)).not.toContain("allowed roots");
    } finally {
      await open.close();
      await confined.close();
    }
  });
});
