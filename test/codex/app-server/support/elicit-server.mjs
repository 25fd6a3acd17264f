// A one-tool MCP stdio server for tests: `confirm` asks its client (Codex) for a yes/no with elicitation/create and
// answers with the action the client returned, so a test can see an MCP elicitation travel through Codex.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

const server = new McpServer({ name: "elicit", version: "1.0.0" });
server.registerTool("confirm", { description: "Asks the user to confirm", inputSchema: {} }, async () => {
  const answer = await server.server.elicitInput({
    message: "Deploy to production?",
    requestedSchema: { type: "object", properties: { ok: { type: "boolean", title: "OK" } } },
  });
  return { content: [{ type: "text", text: `elicitation ${answer.action}` }] };
});
await server.connect(new StdioServerTransport());
