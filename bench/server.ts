// A built server the benches talk to over stdio, as a host does: its own state dir, CODEX_HOME, quiet stderr.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

export async function connectServer(
  cli: string,
  state: string,
  env: Record<string, string>,
  extraArgs: string[] = [],
): Promise<{ client: Client; pid: number | null }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cli, ...extraArgs, "--state-dir", state],
    env: { PATH: process.env.PATH ?? "", ...env, CODEX_CONTROL_LOG: "error" },
    stderr: "ignore",
  });
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(transport);
  return { client, pid: transport.pid };
}
