// A request whose params are of the wrong type (a tool's name a number, its arguments a string, a resource's
// uri a number, a prompt argument a number) failed the SDK's request schema inside its handler: the answer was
// -32603, an internal error (read as a bug of this server), its message zod's issues as a multi-line JSON dump.
// It is -32602 now, invalid params, one line naming each field and what it must be; the server answers on.
import {
  CallToolResultSchema,
  ErrorCode,
  GetPromptResultSchema,
  ListToolsResultSchema,
  ReadResourceResultSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { expect, it } from "vitest";
import { copyFixtureHome } from "../support/fixtures.js";
import { connect, textOf } from "../support/mcp.js";

it("answers params of the wrong type as invalid params, naming the field", async () => {
  const { home } = await copyFixtureHome();
  const mcp = await connect({ codexHome: home });
  try {
    const answers = [];
    for (const [method, params, schema] of [
      ["tools/call", { name: 5, arguments: {} }, CallToolResultSchema],
      ["tools/call", { name: "session_summary", arguments: "last" }, CallToolResultSchema],
      ["resources/read", { uri: 7 }, ReadResourceResultSchema],
      ["prompts/get", { name: "triage", arguments: { session_id: 5 } }, GetPromptResultSchema],
      // tools/list is answered by the built list's handler, which hands a cursor to the SDK's
      ["tools/list", { cursor: 5 }, ListToolsResultSchema],
    ] as const) {
      const error = await mcp.client
        .request({ method, params } as never, schema)
        .catch((failure: unknown) => failure as { code?: number; message?: string });
      answers.push([(error as { code?: number }).code, (error as { message?: string }).message]);
    }
    expect(answers).toEqual([
      [
        ErrorCode.InvalidParams,
        "MCP error -32602: Invalid params of tools/call: name: Invalid input: expected string, received number.",
      ],
      [
        ErrorCode.InvalidParams,
        "MCP error -32602: Invalid params of tools/call: arguments: Invalid input: expected record, received string.",
      ],
      [
        ErrorCode.InvalidParams,
        "MCP error -32602: Invalid params of resources/read: uri: Invalid input: expected string, received number.",
      ],
      [
        ErrorCode.InvalidParams,
        "MCP error -32602: Invalid params of prompts/get: arguments.session_id: Invalid input: expected string, received number.",
      ],
      [
        ErrorCode.InvalidParams,
        "MCP error -32602: Invalid params of tools/list: cursor: Invalid input: expected string, received number.",
      ],
    ]);
    expect(textOf(await mcp.call("list_sessions", { limit: 1 })).split("\n")[0]).toBe(
      `1 session(s) in ${home}, newest first:`,
    );
  } finally {
    await mcp.close();
  }
});
