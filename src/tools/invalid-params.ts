// A request whose params are of the wrong type (a tool's name a number, its arguments a string) fails the SDK's
// request schema, parsed in the handler's wrapper before the handler runs: the SDK answered it -32603, an
// internal error that reads as a bug of this server, with zod's issues as a multi-line JSON dump. Here that
// failure is -32602 (invalid params, JSON-RPC 2.0), one line naming each field and what it must be.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { cutWhole, inline, wellFormed } from "../shared/text.js";
import { requestHandlers } from "./sdk-handlers.js";

/** Issues named in the refusal, each path and message cut: a key is the caller's, any length. */
const NAMED_ISSUES = 5;
const ISSUE_CHARS = 200;

/** Wraps every request handler registered so far. Call once everything is registered. */
export function answerInvalidParams(server: McpServer): void {
  const handlers = requestHandlers(server, "answerInvalidParams");
  for (const [method, handler] of handlers) {
    handlers.set(method, (request, extra) => {
      let answer: unknown;
      try {
        // the SDK's wrapper parses the request synchronously, before the handler: only that parse throws here
        answer = handler(request, extra);
      } catch (error) {
        const refusal = paramsRefusal(method, error);
        if (refusal === undefined) throw error;
        return Promise.reject(Object.assign(new Error(refusal), { code: ErrorCode.InvalidParams }));
      }
      return answer;
    });
  }
}

/** The refusal of a request schema's failure (zod's `issues` under `params`), or undefined for anything else. */
export function paramsRefusal(method: string, error: unknown): string | undefined {
  const issues = (error as { issues?: unknown } | null)?.issues;
  if (!Array.isArray(issues) || issues.length === 0) return undefined;
  const named = issues.slice(0, NAMED_ISSUES).map((issue: { path?: unknown; message?: unknown }) => {
    const path = Array.isArray(issue.path) ? issue.path.map(String) : [];
    // the request's own params: their path under it
    const field = (path[0] === "params" ? path.slice(1) : path).join(".") || "params";
    return `${cut(field)}: ${cut(String(issue.message))}`;
  });
  const more = issues.length > NAMED_ISSUES ? ` (and ${issues.length - NAMED_ISSUES} more)` : "";
  return `Invalid params of ${inline(method)}: ${named.join("; ")}${more}.`;
}

/** One line, escaped, bounded and whole characters. */
function cut(text: string): string {
  return wellFormed(inline(text.length > ISSUE_CHARS ? `${cutWhole(text, ISSUE_CHARS)}…` : text));
}
