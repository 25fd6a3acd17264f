// tools/call and prompts/get for a name this server does not have. The SDK looked the name up on a plain
// object, so a name every object inherits (constructor, __proto__, toString) answered "Tool constructor
// disabled", and it answered any name back whole (100,000 characters) with its newlines and bidirectional
// controls raw, in text the agent reads; a prompt's refusal said "MCP error -32602" twice. Here such a name
// is refused before the SDK looks, escaped and cut, with the names there are.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { callerValue } from "../shared/text.js";
import { requestHandlers, type RequestHandler } from "./sdk-handlers.js";
import { toolError } from "./result.js";

/** The SDK's registries (private in v1): a name's entry, enabled or not. */
interface Registries {
  _registeredTools?: Record<string, { enabled?: boolean }>;
  _registeredPrompts?: Record<string, { enabled?: boolean }>;
}

const NAME_CHARS = 60;

/**
 * Wraps the tools/call and prompts/get handlers. Call once the tools and prompts are registered. `toolNote`
 * follows a tool's refusal (why a tool another server has is not here).
 */
export function answerUnknownNames(server: McpServer, toolNote = ""): void {
  const handlers = requestHandlers(server, "answerUnknownNames", "tools/call", "prompts/get");
  const registries = server as unknown as Registries;
  const call = handlers.get("tools/call") as RequestHandler;
  const prompt = handlers.get("prompts/get") as RequestHandler;
  if (!registries._registeredTools || !registries._registeredPrompts)
    throw new Error("the MCP SDK no longer keeps its registries where answerUnknownNames looks");
  const tools = registries._registeredTools;
  const prompts = registries._registeredPrompts;
  // not async: a request the SDK's schema refuses throws as it did (answerInvalidParams answers it)
  handlers.set("tools/call", (request, extra) => {
    const name = nameIn(request);
    if (name === undefined || Object.hasOwn(tools, name)) return call(request, extra);
    return Promise.resolve(toolError(`${refusal("tool", name, tools)}${toolNote}`));
  });
  handlers.set("prompts/get", (request, extra) => {
    const name = nameIn(request);
    if (name === undefined || Object.hasOwn(prompts, name)) return prompt(request, extra);
    return Promise.reject(
      Object.assign(new Error(refusal("prompt", name, prompts)), { code: ErrorCode.InvalidParams }),
    );
  });
}

function nameIn(request: unknown): string | undefined {
  const name = (request as { params?: { name?: unknown } } | null)?.params?.name;
  return typeof name === "string" ? name : undefined;
}

/** The caller's name one line, cut, its quotes escaped (it cannot close ours); the enabled names there are. */
function refusal(kind: "tool" | "prompt", name: string, registry: Record<string, { enabled?: boolean }>): string {
  const names = Object.entries(registry)
    .filter(([, entry]) => entry.enabled !== false)
    .map(([known]) => known);
  return `There is no ${kind} "${callerValue(name, NAME_CHARS)}" on this server: its ${kind}s are ${names.join(", ")}.`;
}
