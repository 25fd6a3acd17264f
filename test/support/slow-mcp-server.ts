// An MCP server over stdio (a script for `node`) whose one tool, `slowtool`, answers after 3 s: a call to it
// times out under a tool_timeout_sec of 1 s, and answers under a longer one (the pasted-step tests).
export const SLOW_MCP_SERVER = `import { createInterface } from "node:readline";
const send = (m) => process.stdout.write(JSON.stringify(m) + "\\n");
createInterface({ input: process.stdin }).on("line", (line) => {
  const m = JSON.parse(line);
  if (m.method === "initialize") send({ jsonrpc: "2.0", id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: "tsrv", version: "1" } } });
  else if (m.method === "tools/list") send({ jsonrpc: "2.0", id: m.id, result: { tools: [{ name: "slowtool", description: "slow", inputSchema: { type: "object" } }] } });
  else if (m.method === "tools/call") setTimeout(() => send({ jsonrpc: "2.0", id: m.id, result: { content: [{ type: "text", text: "ok slowtool" }] } }), 3000);
  else if (m.id !== undefined) send({ jsonrpc: "2.0", id: m.id, result: {} });
});
`;
