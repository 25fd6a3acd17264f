// The zone table lives in eslint/zones.js; this proves it fails the build: one deliberate violation per zone
// (static and dynamic imports alike), what each zone may import passes, and a folder in no zone is named.
import { ESLint, Linter } from "eslint";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ZONES, zonesPlugin } from "../../eslint/zones.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

async function zoneErrors(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  // an existing file's path, so the type-aware parser finds it in the project; the text is ours
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "zones/imports").map((m) => m.message);
}

/** A file of each zone, and an import each may not make. */
const VIOLATIONS: Array<[zone: string, file: string, specifier: string]> = [
  ["shared", "src/shared/json.ts", "../sessions/index.js"],
  ["sessions", "src/sessions/usage.ts", "../contract/index.js"],
  ["codex", "src/codex/toml.ts", "../sessions/usage.js"],
  ["contract", "src/contract/ledger.ts", "../runs/registry.js"],
  ["supervisor", "src/supervisor/outcome.ts", "../runs/registry.js"],
  ["runs", "src/runs/state-reach.ts", "../supervisor/outcome.js"],
  ["config", "src/config/config.ts", "../text/render.js"],
  ["text", "src/text/render.ts", "../tools/result.js"],
  ["doctor", "src/doctor/doctor.ts", "../tools/result.js"],
  ["tools", "src/tools/result.ts", "../supervisor/outcome.js"],
  ["resources", "src/resources/sessions.ts", "../supervisor/outcome.js"],
  ["prompts", "src/prompts/triage.ts", "../runs/registry.js"],
  ["commands", "src/commands/format.ts", "../supervisor/outcome.js"],
  ["entry", "src/server.ts", "./supervisor/main.js"],
];

describe("every zone's imports are an allowlist", () => {
  it("the table names every zone this test tries", () => {
    expect(VIOLATIONS.map(([zone]) => zone).sort()).toEqual(
      Object.keys(ZONES)
        .filter((zone) => zone !== "export")
        .sort(),
    );
  });

  it.each(VIOLATIONS)("%s: a static and a dynamic import outside its list both fail", async (zone, file, specifier) => {
    const errors = await zoneErrors(
      file,
      `import * as x from "${specifier}";\nexport const y = [x, await import("${specifier}")];\n`,
    );
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(new RegExp(`^src/${zone} may not import src/`));
  });

  it("the supervisor and the server's side meet only through the contract", async () => {
    expect(
      await zoneErrors(
        "src/supervisor/outcome.ts",
        'import { RunLedger } from "../contract/index.js";\nexport const x = RunLedger;\n',
      ),
    ).toEqual([]);
    expect(
      await zoneErrors(
        "src/runs/state-reach.ts",
        'import { RunLedger } from "../contract/index.js";\nexport const x = RunLedger;\n',
      ),
    ).toEqual([]);
    expect(
      await zoneErrors(
        "src/supervisor/outcome.ts",
        'import { RunRegistry } from "../runs/registry.js";\nexport const x = RunRegistry;\n',
      ),
    ).toEqual([
      "src/supervisor may not import src/runs/registry.js: the server's side of a run meets the supervisor only through src/contract",
    ]);
  });

  it("src/codex reads sessions through their public API only; the SDK belongs to the MCP layer", async () => {
    expect(
      await zoneErrors(
        "src/codex/toml.ts",
        'import { SessionStore } from "../sessions/index.js";\nimport { shellQuote } from "../shared/shell.js";\nexport const x = [SessionStore, shellQuote];\n',
      ),
    ).toEqual([]);
    expect(
      await zoneErrors(
        "src/sessions/usage.ts",
        'import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";\nexport const x = McpServer;\n',
      ),
    ).toEqual([
      "src/sessions may not import @modelcontextprotocol/sdk/server/mcp.js: only the MCP layer (tools, resources, prompts, commands, the entry files) speaks MCP",
    ]);
    expect(
      await zoneErrors(
        "src/tools/policy.ts",
        'import { RunLedger } from "../contract/index.js";\nexport const x = RunLedger;\n',
      ),
    ).toEqual([]);
  });

  it("a sub-folder is in its zone: src/codex/app-server keeps off the MCP layer and sessions' internals", async () => {
    const file = "src/codex/app-server/client.ts";
    expect(
      await zoneErrors(
        file,
        'import { registerTools } from "../../tools/index.js";\nexport const x = registerTools;\n',
      ),
    ).toEqual(["src/codex may not import src/tools/index.js: src/codex may import src/shared, src/sessions/index"]);
    expect(
      await zoneErrors(file, 'import { tokenUsage } from "../../sessions/usage.js";\nexport const x = tokenUsage;\n'),
    ).toEqual(["src/codex may not import src/sessions/usage.js: src/codex may import src/shared, src/sessions/index"]);
    expect(
      await zoneErrors(
        file,
        'import { SessionStore } from "../../sessions/index.js";\nimport { isRecord } from "../../shared/json.js";\nexport const x = [SessionStore, isRecord];\n',
      ),
    ).toEqual([]);
  });

  it("a file in a folder the table does not name is in no zone", () => {
    // the rule alone (no type-aware parser: the file does not exist)
    const linter = new Linter({ configType: "flat" });
    const config = [
      {
        files: ["**/*.js"],
        plugins: { zones: zonesPlugin(join(root, "src")) },
        rules: { "zones/imports": "error" as const },
      },
    ];
    const named = (file: string) =>
      linter.verify("export const x = 1;\n", config, { filename: join(root, file) }).map((m) => m.message);
    expect(named("src/elsewhere/x.js")).toEqual([
      "elsewhere/x.js is in no zone: add its folder to the zone table in eslint/zones.js",
    ]);
    expect(named("src/shared/x.js")).toEqual([]);
  });
});
