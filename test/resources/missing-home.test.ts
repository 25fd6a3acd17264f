// resources/list on a CODEX_HOME that is missing (or a file) answered an empty list, which a host browsing
// resources shows as "no sessions": the same typo list_sessions and resources/read explain. It answers a
// JSON-RPC error naming the fix now (the spec's resources/list may fail: -32603 for a server-side cause), and a
// home that holds no sessions yet still lists none.
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { expect, it } from "vitest";
import { connect, textOf } from "../support/mcp.js";

async function listAnswer(home: string): Promise<unknown> {
  const mcp = await connect({ codexHome: home });
  try {
    const listed = await mcp.client.listResources().catch((error: unknown) => error);
    // the server still answers afterwards
    const after = await mcp.call("list_sessions", { limit: 1 });
    return {
      listed: listed instanceof McpError ? { code: listed.code, message: listed.message } : listed,
      after: textOf(after),
    };
  } finally {
    await mcp.close();
  }
}

it("says why resources/list has nothing on a missing CODEX_HOME or a file, and lists an empty home as none", async () => {
  const root = await mkdtemp(join(tmpdir(), "ccm-res-home-"));
  const missing = join(root, "typo");
  const file = join(root, "file");
  await writeFile(file, "");
  const empty = join(root, "empty");
  await mkdir(empty);
  const missingFix = `CODEX_HOME ${missing} does not exist: fix CODEX_HOME (a typo?), or run Codex once to create it.`;
  const fileFix = `CODEX_HOME ${file} is not a directory: point CODEX_HOME at the folder that holds Codex's sessions/ (by default ~/.codex).`;
  expect(await listAnswer(missing)).toEqual({
    listed: { code: ErrorCode.InternalError, message: `MCP error -32603: ${missingFix}` },
    after: missingFix,
  });
  expect(await listAnswer(file)).toEqual({
    listed: { code: ErrorCode.InternalError, message: `MCP error -32603: ${fileFix}` },
    after: fileFix,
  });
  // a folder without sessions/ is a new home (or CODEX_HOME=~): listed as none, list_sessions saying why
  expect(await listAnswer(empty)).toEqual({
    listed: { resources: [] },
    after: `No sessions found in ${empty}.\nCODEX_HOME ${empty} has no sessions/ folder, so there is nothing to list. Codex writes it with its first session; if your sessions are elsewhere, point CODEX_HOME at the folder that holds sessions/ (by default ~/.codex).`,
  });
});
