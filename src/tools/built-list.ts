// tools/list as the build computed it (dist/tools-list.json, written by scripts/code-cache.mjs). Converting
// every tool's zod schemas to JSON Schema is about a tenth of a server's start, and its answer depends only
// on the code and the few settings in toolListKey: a server whose settings match answers with the saved list.
// The file is read from beside the running code only (never through a link); anything else is computed.
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { ServerConfig } from "../config/config.js";
import { requestHandlers } from "./sdk-handlers.js";

export const BUILT_LIST_FILE = "tools-list.json";
const MAX_BYTES = 4 * 1024 * 1024;

const builtListSchema = z.array(z.object({ key: z.string(), tools: z.array(z.record(z.string(), z.unknown())) }));
export type BuiltLists = z.infer<typeof builtListSchema>;

/**
 * Every setting the registered tools' list depends on. A test changes every other setting and checks that
 * the list stays the same: a tool whose schema or description reads another one must add it here.
 */
export function toolListKey(config: ServerConfig): string {
  return JSON.stringify([
    config.readOnly,
    config.waitMs,
    config.runner.defaultTimeoutMs,
    config.runner.maxTimeoutMs,
    // run_codex and resume_session name the server's default engine
    config.runner.engine ?? "exec",
  ]);
}

type Handler = (request: { params?: { cursor?: unknown } }, extra: unknown) => Promise<unknown>;

/**
 * Answers tools/list with the built list when this server's settings are the ones it was built for, until
 * its tools change. Call once the tools are registered.
 */
export function serveBuiltToolList(
  server: McpServer,
  config: ServerConfig,
  file = join(dirname(fileURLToPath(import.meta.url)), BUILT_LIST_FILE),
): void {
  const handlers = requestHandlers(server, "serveBuiltToolList", "tools/list");
  const live = handlers.get("tools/list") as Handler;
  let built: BuiltLists[number]["tools"] | undefined | null = null; // null: the file is not read yet
  // a tool registered, enabled, disabled, changed or removed after start: the list is computed from then on
  const changed = server.sendToolListChanged.bind(server);
  server.sendToolListChanged = () => {
    built = undefined;
    changed();
  };
  // not async: the SDK's parse of a request (a cursor that is no string) throws before its handler runs, where
  // answerInvalidParams answers it as invalid params (host-schemas.ts hands it on the same way)
  handlers.set("tools/list", (request, extra) => {
    if (built === null) built = readBuilt(file, toolListKey(config));
    const cursor = (request as Parameters<Handler>[0] | null)?.params?.cursor;
    if (built === undefined || cursor !== undefined) return live(request as Parameters<Handler>[0], extra);
    return Promise.resolve({ tools: built });
  });
}

function readBuilt(path: string, key: string): BuiltLists[number]["tools"] | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined; // none (the sources, a build without it) or a link
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_BYTES) return undefined;
    const lists = builtListSchema.safeParse(JSON.parse(readFileSync(fd, "utf8")));
    return lists.success ? lists.data.find((list) => list.key === key)?.tools : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** This server's tools/list answer, asked in memory as a host asks it (the build saves it). */
export async function listedTools(server: McpServer, config: ServerConfig): Promise<BuiltLists[number]> {
  const [client, transport] = InMemoryTransport.createLinkedPair();
  const answers = new Map<number, (result: unknown) => void>();
  client.onmessage = (message: JSONRPCMessage) => {
    if ("id" in message && "result" in message) answers.get(Number(message.id))?.(message.result);
  };
  await server.connect(transport);
  await client.start();
  const request = (id: number, method: string, params: Record<string, unknown>) =>
    new Promise<unknown>((resolve) => {
      answers.set(id, resolve);
      void client.send({ jsonrpc: "2.0", id, method, params });
    });
  await request(1, "initialize", {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "build", version: "1" },
  });
  await client.send({ jsonrpc: "2.0", method: "notifications/initialized" });
  const { tools } = (await request(2, "tools/list", {})) as { tools: BuiltLists[number]["tools"] };
  await client.close();
  return { key: toolListKey(config), tools };
}
