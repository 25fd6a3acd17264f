// JSON Schemas every host accepts. The SDK converts each tool's zod shape with zod's own converter, whose
// output some hosts choke on: `$schema` and `propertyNames` (Gemini's function declarations reject them),
// `maximum: 9007199254740991` for a bare `.int()` (not an int64-safe bound everywhere), type arrays for
// nullable values and empty `additionalProperties: {}` (the MCP Inspector's strict checks warn on both).
// One pass over tools/list rewrites them into the plain forms; validation still runs on the zod schemas.
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { requestHandlers } from "./sdk-handlers.js";

type Schema = Record<string, unknown>;

/** Keywords dropped wherever they appear: meta, or unknown to some hosts' schema subsets. */
const DROPPED = new Set(["$schema", "propertyNames"]);
/** Keywords whose value is data, not a schema: copied as they are. */
const VERBATIM = new Set(["const", "default", "enum", "examples", "required"]);

/** A host-safe copy of one JSON Schema (pure; the input is not changed). */
export function hostSafeSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(hostSafeSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema as Schema)) {
    if (DROPPED.has(key)) continue;
    if (
      (key === "maximum" || key === "minimum") &&
      typeof value === "number" &&
      Math.abs(value) >= Number.MAX_SAFE_INTEGER
    )
      continue;
    if (VERBATIM.has(key)) out[key] = value;
    else if (key === "additionalProperties" && isEmptySchema(value)) out[key] = true;
    else if (key === "properties" || key === "definitions" || key === "$defs")
      out[key] = mapValues(value as Schema, hostSafeSchema);
    else out[key] = hostSafeSchema(value);
  }
  return splitTypeArray(out);
}

/** `{"type": ["string", "null"], …}` → `{"anyOf": [{"type": "string", …}, {"type": "null"}]}`, annotations kept outside. */
function splitTypeArray(schema: Schema): Schema {
  const { type } = schema;
  if (!Array.isArray(type)) return schema;
  const { description, title, default: fallback, ...rest } = schema;
  const branches = (type as unknown[]).map((one) => (one === "null" ? { type: "null" } : { ...rest, type: one }));
  const annotations = Object.fromEntries(
    Object.entries({ description, title, default: fallback }).filter(([, value]) => value !== undefined),
  );
  return { anyOf: branches, ...annotations };
}

function isEmptySchema(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0;
}

function mapValues(record: Schema, fn: (value: unknown) => unknown): Schema {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));
}

interface ListedTool {
  inputSchema?: unknown;
  outputSchema?: unknown;
}
type Handler = (request: unknown, extra: unknown) => Promise<{ tools?: ListedTool[] }> | { tools?: ListedTool[] };

/**
 * Rewrites the schemas of every tools/list answer. Call after the tools are registered. The SDK offers no
 * hook between its converter and the wire, so this wraps its registered handler (a private map in v1).
 */
export function serveHostSafeSchemas(server: McpServer): void {
  const handlers = requestHandlers(server, "serveHostSafeSchemas", "tools/list");
  const list = handlers.get("tools/list") as Handler;
  // not async: the SDK's parse of a request (a cursor that is no string) throws before its handler runs, where
  // answerInvalidParams answers it as invalid params; inside an async function it was an internal error
  handlers.set("tools/list", (request, extra) =>
    Promise.resolve(list(request, extra)).then((result) => ({
      ...result,
      tools: (result.tools ?? []).map((tool) => ({
        ...tool,
        inputSchema: hostSafeSchema(tool.inputSchema),
        ...(tool.outputSchema === undefined ? {} : { outputSchema: hostSafeSchema(tool.outputSchema) }),
      })),
    })),
  );
}
