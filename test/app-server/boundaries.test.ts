// src/codex/app-server is one folder deeper than the layer rule's relative patterns were written for: prove lint
// still keeps it off the MCP layer and off sessions' internals (this failed before eslint.config.js named `../../`).
import { ESLint } from "eslint";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

async function boundaryErrors(code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: join(root, "src/codex/app-server/client.ts") });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("the app-server client keeps to src/codex's layer", () => {
  it("may not import the MCP layer", async () => {
    expect(await boundaryErrors('import { registerTools } from "../../tools/index.js";\nexport const x = registerTools;\n')).toEqual([
      expect.stringContaining("src/codex drives the Codex CLI and never depends on the MCP layer"),
    ]);
  });

  it("reads sessions through their public API only", async () => {
    expect(await boundaryErrors('import { tokenUsage } from "../../sessions/usage.js";\nexport const x = tokenUsage;\n')).toEqual([
      expect.stringContaining("src/codex reads sessions through their public API only"),
    ]);
    expect(await boundaryErrors('import { SessionStore } from "../../sessions/index.js";\nimport { isRecord } from "../../shared/json.js";\nexport const x = [SessionStore, isRecord];\n')).toEqual([]);
  });
});
