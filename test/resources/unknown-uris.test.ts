// resources/read of a URI this server has no resource for was the SDK's answer: "MCP error -32602" twice and
// the URI whole (100,000 characters answered back); a string that is no URI at all, or one over the SDK's
// 1 MB bound, was -32603, an internal error read as a bug of this server. Each is invalid params now, the
// URI cut, naming the resources there are.
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { expect, it } from "vitest";
import { copyFixtureHome } from "../support/fixtures.js";
import { connect } from "../support/mcp.js";

const THERE =
  "its resources are codex://sessions/{id}, id a session UUID, a unique prefix of 8+ characters or `last` (resources/list names the newest).";

it("refuses a URI it has no resource for as invalid params, cut, naming the ones there are", async () => {
  const { home } = await copyFixtureHome();
  const mcp = await connect({ codexHome: home });
  try {
    const answers = [];
    for (const uri of [
      "codex://other/x",
      `codex://other/${"x".repeat(100_000)}`,
      "not a uri",
      `codex://sessions/${"a".repeat(1_100_000)}`,
      "codex://sessions/a/b",
    ]) {
      const error = await mcp.client
        .readResource({ uri })
        .catch((failure: unknown) => failure as { code?: number; message?: string });
      answers.push([(error as { code?: number }).code, (error as { message?: string }).message]);
    }
    expect(answers).toEqual([
      [ErrorCode.InvalidParams, `MCP error -32602: There is no resource "codex://other/x" on this server: ${THERE}`],
      [
        ErrorCode.InvalidParams,
        `MCP error -32602: There is no resource "codex://other/${"x".repeat(186)}…" on this server: ${THERE}`,
      ],
      [ErrorCode.InvalidParams, `MCP error -32602: There is no resource "not a uri" on this server: ${THERE}`],
      [
        ErrorCode.InvalidParams,
        `MCP error -32602: There is no resource "codex://sessions/${"a".repeat(183)}…" on this server: ${THERE}`,
      ],
      [
        ErrorCode.InvalidParams,
        `MCP error -32602: There is no resource "codex://sessions/a/b" on this server: ${THERE}`,
      ],
    ]);
    const read = await mcp.client.readResource({ uri: "codex://sessions/last" });
    expect(read.contents[0]?.uri).toBe("codex://sessions/last");
  } finally {
    await mcp.close();
  }
});
