// The layering rule lives in eslint.config.js; this proves it fails the build, with a deliberate violation per layer.
import { ESLint } from "eslint";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  // an existing file's path, so the type-aware parser finds it in the project; the text is ours
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("layer boundaries are enforced by lint", () => {
  it("src/sessions may not import src/codex", async () => {
    const errors = await boundaryErrors("src/sessions/usage.ts", 'import { RunLedger } from "../contract/index.js";\nexport const x = RunLedger;\n');
    expect(errors).toEqual([expect.stringContaining("src/sessions reads Codex's logs and depends on nothing above it")]);
  });

  it("src/sessions may not import the MCP layer or the SDK", async () => {
    const errors = await boundaryErrors(
      "src/sessions/usage.ts",
      'import { toolError } from "../tools/result.js";\nimport { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";\nexport const x = [toolError, McpServer];\n',
    );
    expect(errors).toHaveLength(2);
  });

  it("src/codex may not import the MCP layer", async () => {
    const errors = await boundaryErrors("src/codex/toml.ts", 'import { registerTools } from "../tools/index.js";\nexport const x = registerTools;\n');
    expect(errors).toEqual([expect.stringContaining("src/codex drives the Codex CLI and never depends on the MCP layer")]);
  });

  it("src/codex reads sessions through their public API only", async () => {
    const errors = await boundaryErrors("src/codex/toml.ts", 'import { tokenUsage } from "../sessions/usage.js";\nexport const x = tokenUsage;\n');
    expect(errors).toEqual([expect.stringContaining("src/codex reads sessions through their public API only")]);
  });

  it("src/shared imports nothing of ours", async () => {
    const errors = await boundaryErrors("src/shared/json.ts", 'import { SessionStore } from "../sessions/index.js";\nexport const x = SessionStore;\n');
    expect(errors).toEqual([expect.stringContaining("src/shared holds the helpers every layer uses")]);
  });

  it("src/codex may read sessions' public API and shared helpers, and the tools may use both", async () => {
    expect(await boundaryErrors("src/codex/toml.ts", 'import { SessionStore } from "../sessions/index.js";\nimport { shellQuote } from "../shared/shell.js";\nexport const x = [SessionStore, shellQuote];\n')).toEqual([]);
    expect(await boundaryErrors("src/sessions/usage.ts", 'import { isRecord } from "../shared/json.js";\nexport const x = isRecord;\n')).toEqual([]);
    expect(await boundaryErrors("src/tools/policy.ts", 'import { RunLedger } from "../contract/index.js";\nexport const x = RunLedger;\n')).toEqual([]);
  });
});
