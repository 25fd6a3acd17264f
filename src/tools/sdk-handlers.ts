// The MCP SDK (v1) offers no hook between a request's parse and its handler, nor between its handlers and the
// wire: the server's answers to odd requests (an unknown name, a wrong type, a host that cannot read a schema)
// are made by wrapping its registered handlers, kept in a private map. One place finds that map, so an SDK that
// moves it fails the server's start loudly rather than leaving a wrapper silently unapplied.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";

export type RequestHandler = (request: unknown, extra: unknown) => Promise<unknown> | unknown;

/** The SDK's handler map and its handler of `method` (every method named must be registered already). */
export function requestHandlers(server: McpServer, who: string, ...methods: string[]): Map<string, RequestHandler> {
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, RequestHandler> })._requestHandlers;
  const missing = methods.filter((method) => !handlers?.has(method));
  if (!handlers || missing.length > 0)
    throw new Error(`the MCP SDK no longer keeps its ${missing.join(", ") || "request"} handlers where ${who} looks`);
  return handlers;
}
