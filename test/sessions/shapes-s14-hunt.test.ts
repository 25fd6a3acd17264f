// Shapes of Codex 0.171 logs made with the real CLI against the fake model (paths scrubbed to /home/user) that a
// read answered wrongly: each fixture in test/fixtures/shapes/ is named after what it shows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, testConfig, type Connected } from "../support/mcp.js";
import { shapeHome, shapeIdOf } from "../support/shape-home.js";

const NAMED: Array<[string, number]> = [["review-failed-auth", 21]];
let home: string;
let mcp: Connected;

beforeAll(async () => {
  home = await shapeHome("ccm-shapes-s14-hunt-", NAMED, "2026-12-05T12-00");
  mcp = await connect(testConfig({ codexHome: home }));
});
afterAll(async () => mcp.close());

async function listed(id: string): Promise<Record<string, unknown> | undefined> {
  const result = (await mcp.call("list_sessions", { limit: 50 })).structuredContent as {
    sessions: Array<Record<string, unknown>>;
  };
  return result.sessions.find((session) => session.session_id === id);
}

describe("list_sessions names the model of a session that never wrote a turn_context", () => {
  it("a `codex exec review` parent (0.171: only thread_settings_applied names its model)", async () => {
    // jq truth: the file's one thread_settings_applied says mock-model; session_summary says so too
    expect(await listed(shapeIdOf(21))).toMatchObject({ model: "mock-model", cwd: "/home/user/proj" });
  });
});
