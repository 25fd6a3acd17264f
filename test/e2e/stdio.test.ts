// The built server as a host runs it: a child process speaking MCP over stdio (`npm test` builds first).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import pkg from "../../package.json" with { type: "json" };
import { FIXTURE_HOME, fixture } from "../support/fixtures.js";
import { registeredToolNames } from "../support/tool-registry.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "cli.js");
/** Every spawned server gets its own state dir: no test touches the developer's. */
const STATE_DIR = mkdtempSync(join(tmpdir(), "ccm-state-"));

function run(args: string[], stdin = ""): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, CODEX_HOME: FIXTURE_HOME, CODEX_CONTROL_STATE_DIR: STATE_DIR },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe("stdio server", () => {
  it("answers tools/list and a tool call, writing only protocol to stdout", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI],
      env: { PATH: process.env.PATH ?? "", CODEX_HOME: FIXTURE_HOME, CODEX_CONTROL_STATE_DIR: STATE_DIR },
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: "stdio-test", version: "1.0.0" });
    try {
      await client.connect(transport);
      expect(client.getServerVersion()).toEqual({ name: "codex-control-mcp", version: pkg.version });
      const { tools } = await client.listTools();
      expect(tools.map((tool: { name: string }) => tool.name)).toEqual(registeredToolNames({ readOnly: false }));
      const entry = fixture("0.169.0", "command");
      const result = await client.callTool({ name: "session_summary", arguments: { session_id: entry.session_id } });
      expect(result.structuredContent).toMatchObject({
        session_id: entry.session_id,
        status: "completed",
        diagnosis: { category: "command_failures" },
      });
    } finally {
      await client.close();
    }
    expect(stderr).toContain(`serving MCP on stdio (CODEX_HOME ${FIXTURE_HOME}, Codex codex, ledger `);
  });

  it("exits when its stdin closes, having written nothing but protocol", async () => {
    const initialize = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } },
    });
    const { code, stdout, stderr } = await run([], `${initialize}\n`);
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      jsonrpc: "2.0",
      id: 1,
      result: { serverInfo: { name: "codex-control-mcp" } },
    });
    expect(stderr).toContain("shutting down (stdin closed)");
  });

  it("prints its version and help, and rejects unknown arguments", async () => {
    expect(await run(["--version"])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^codex-control-mcp [\d.]+\nMCP server \(stdio\)/);
    const wrong = await run(["--bogus"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toBe("");
    expect(wrong.stderr).toMatch(/^codex-control-mcp: Unknown option '--bogus'/);
  });
});
