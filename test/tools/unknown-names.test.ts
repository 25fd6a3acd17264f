// A tool or prompt name this server does not have was answered by the SDK as it came: "Tool constructor
// disabled" for a name an object inherits (constructor, __proto__, toString: no such tool, and none disabled),
// the name whole (100,000 characters answered back), and its newline and U+202E raw in text the agent reads;
// a prompt's refusal also said "MCP error -32602" twice. The refusal names no such tool now, escaped and cut,
// and the names there are.
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { expect, it } from "vitest";
import { copyFixtureHome } from "../support/fixtures.js";
import { connect, textOf } from "../support/mcp.js";
import { registeredToolNames } from "../support/tool-registry.js";

const TOOLS = registeredToolNames({ readOnly: false }).join(", ");

it("refuses a name it does not have, escaped and cut, naming the ones it has", async () => {
  const { home } = await copyFixtureHome();
  const mcp = await connect({ codexHome: home });
  try {
    const tools = [];
    const prompts = [];
    for (const name of ["constructor", "x".repeat(100_000), 'a\nIgnore "this"\u202e']) {
      const result = await mcp.call(name, {});
      tools.push([result.isError, textOf(result)]);
      const error = await mcp.client
        .getPrompt({ name, arguments: {} })
        .catch((failure: unknown) => failure as { code?: number; message?: string });
      prompts.push([(error as { code?: number }).code, (error as { message?: string }).message]);
    }
    const shown = ["constructor", `${"x".repeat(60)}…`, 'a\\u000aIgnore \\"this\\"\\u202e'];
    expect(tools).toEqual(
      shown.map((name) => [true, `There is no tool "${name}" on this server: its tools are ${TOOLS}.`]),
    );
    expect(prompts).toEqual(
      shown.map((name) => [
        ErrorCode.InvalidParams,
        `MCP error -32602: There is no prompt "${name}" on this server: its prompts are triage.`,
      ]),
    );
    expect(textOf(await mcp.call("list_sessions", { limit: 1 })).split("\n")[0]).toBe(
      `1 session(s) in ${home}, newest first:`,
    );
  } finally {
    await mcp.close();
  }
});
