// Every tool answers through these: a structured result with a short readable mirror, or an error written
// for the model that names the fix. Errors never escape as exceptions (they would lose that message).
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { UnsupportedRequestError } from "../codex/argv.js";
import { CodexUnavailableError } from "../codex/capabilities.js";
import { RunRefusedError } from "../codex/runs.js";
import { log } from "../log.js";
import { SessionLookupError } from "../sessions/index.js";

/** Errors that are the caller's (or the operator's) to fix: their message is the whole answer. */
const EXPLAINED = [SessionLookupError, RunRefusedError, UnsupportedRequestError, CodexUnavailableError];

export function toolResult(structured: object, text: string): CallToolResult {
  return { structuredContent: structured as Record<string, unknown>, content: [{ type: "text", text }] };
}

export function toolError(message: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text: message }] };
}

/** Known failures become their own message; anything else is logged to stderr and reported briefly. */
export async function answer(tool: string, work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    if (EXPLAINED.some((type) => error instanceof type)) return toolError((error as Error).message);
    log("error", `${tool} failed`, error);
    const reason = error instanceof Error ? error.message : String(error);
    return toolError(`${tool} failed: ${reason}. This is a bug in codex-control-mcp or an unreadable file; the server's stderr has details.`);
  }
}
