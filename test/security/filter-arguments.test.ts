// list_sessions' cwd filter is refused when it is not an absolute directory, naming the form taken: before, a
// relative one (`..`) or one with a NUL matched no session's cwd, and the caller's mistake read as "No sessions
// found". The control: the same fixture home listed with an absolute cwd finds its sessions.
import { describe, expect, it } from "vitest";
import { copyFixtureHome } from "../support/fixtures.js";
import { connect, testConfig, textOf } from "../support/mcp.js";

describe("list_sessions' cwd filter", () => {
  it("refuses a relative directory or a control character, and the control lists by an absolute one", async () => {
    const { home } = await copyFixtureHome();
    const mcp = await connect(testConfig({ codexHome: home }));
    try {
      const answers = [];
      for (const cwd of ["..", "home/user", "/home/user\u0000", "/home/user"]) {
        const result = await mcp.call("list_sessions", { cwd, limit: 1 });
        answers.push([result.isError ?? false, textOf(result).includes("cwd must be an absolute directory")]);
      }
      expect(answers).toEqual([
        [true, true],
        [true, true],
        [true, true],
        [false, false],
      ]);
      const control = await mcp.call("list_sessions", { cwd: "/home/user", limit: 1 });
      expect((control.structuredContent as { sessions: unknown[] }).sessions).toHaveLength(1);
    } finally {
      await mcp.close();
    }
  });
});
