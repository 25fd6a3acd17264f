// The built server (dist/cli.js) as a host starts it, spoken to in raw JSON-RPC lines over stdio, so a
// test can close its stdin or kill it like a one-shot host does.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "cli.js");

export interface StdioServer {
  child: ChildProcessWithoutNullStreams;
  call(
    name: string,
    args: object,
  ): Promise<{ structuredContent?: Record<string, unknown>; isError?: boolean; content?: Array<{ text?: string }> }>;
  /** Resolves when the process has exited. */
  exited(): Promise<void>;
}

/** `as`: the user the server runs as (a root test's unprivileged user) and, for that user, a `cli` it can load. */
export async function serveStdio(
  args: string[],
  env: Record<string, string>,
  as: { uid?: number; gid?: number; cli?: string } = {},
): Promise<StdioServer> {
  const { cli = CLI, ...user } = as;
  const child = spawn(process.execPath, [cli, ...args], { env: { CODEX_CONTROL_LOG: "error", ...env }, ...user });
  const pending = new Map<number, (result: unknown) => void>();
  createInterface({ input: child.stdout }).on("line", (line) => {
    const message = JSON.parse(line) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  let nextId = 0;
  const request = (method: string, params: object) =>
    new Promise<unknown>((resolve) => {
      nextId += 1;
      pending.set(nextId, resolve);
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: nextId, method, params })}\n`);
    });
  await request("initialize", {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "raw", version: "0" },
  });
  child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
  return {
    child,
    call: (name, args) => request("tools/call", { name, arguments: args }) as ReturnType<StdioServer["call"]>,
    exited: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}
