// resources/read of a URI this server has no resource for. The SDK answered "MCP error -32602" twice with the
// URI whole (100,000 characters answered back), and a string that is no URI, or one over its 1 MB bound, as
// -32603, an internal error that reads as a bug of this server. Here such a URI is refused before the SDK
// reads it: invalid params, the URI cut and escaped, naming the resources there are.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { callerValue } from "../shared/text.js";
import { requestHandlers, type RequestHandler } from "../tools/sdk-handlers.js";

/** What the session template (`codex://sessions/{id}`) matches: the SDK's `{id}` is `[^/,]+`. */
const SESSION_URI = /^codex:\/\/sessions\/[^/,]+$/;
/** Far past any session's URI (an id of 4,096 characters, percent-encoded), far below the SDK's 1 MB bound. */
const MAX_URI_CHARS = 20_000;
const SHOWN_CHARS = 200;

/** Wraps the resources/read handler. Call once the resources are registered. */
export function answerUnknownUris(server: McpServer): void {
  const handlers = requestHandlers(server, "answerUnknownUris", "resources/read");
  const read = handlers.get("resources/read") as RequestHandler;
  // not async: a request the SDK's schema refuses throws as it did (answerInvalidParams answers it)
  handlers.set("resources/read", (request, extra) => {
    const uri = (request as { params?: { uri?: unknown } } | null)?.params?.uri;
    if (typeof uri !== "string" || (uri.length <= MAX_URI_CHARS && SESSION_URI.test(parsedHref(uri) ?? "")))
      return read(request, extra);
    return Promise.reject(Object.assign(new Error(refusal(uri)), { code: ErrorCode.InvalidParams }));
  });
}

/** The URI as the SDK reads it (`new URL`), or undefined when it is none. */
function parsedHref(uri: string): string | undefined {
  try {
    return new URL(uri).href;
  } catch {
    return undefined;
  }
}

function refusal(uri: string): string {
  return `There is no resource "${callerValue(uri, SHOWN_CHARS)}" on this server: its resources are codex://sessions/{id}, id a session UUID, a unique prefix of 8+ characters or \`last\` (resources/list names the newest).`;
}
