// The tools a server offers, taken from the server's one list (src/tools/index.ts) rather than restated in
// each test: registerTools is run against a recorder, with a real configuration.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { loadConfig } from "../../src/config/config.js";
import type { ToolContext } from "../../src/tools/context.js";
import { registerTools } from "../../src/tools/index.js";

/** Names in the order tools/list gives them, for a server started with `--read-only` or without. */
export function registeredToolNames({ readOnly }: { readOnly: boolean }): string[] {
  const names: string[] = [];
  const recorder = { registerTool: (name: string) => names.push(name) } as unknown as McpServer;
  const config = loadConfig(readOnly ? ["--read-only"] : [], { PATH: process.env.PATH });
  // registering only builds schemas and closures: no tool is called, so the run manager and store are not needed
  registerTools(recorder, { config } as ToolContext);
  return names;
}
