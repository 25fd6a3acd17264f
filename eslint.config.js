import js from "@eslint/js";
import tseslint from "typescript-eslint";

// The layers, as lint enforces them: the MCP layer (tools, resources, prompts, server, cli, commands) may use
// everything; src/codex (driving the CLI) may use src/sessions through its public API (sessions/index.ts);
// src/sessions (reading logs) uses neither; src/shared (JSON, lines, shell quoting, the explained error) is
// used by all and uses nothing of ours.
const MCP_LAYER = ["../tools/*", "../resources/*", "../prompts/*", "../commands/*", "../server.js", "../cli.js", "@modelcontextprotocol/*"];
const layers = (...rules) => ({ "no-restricted-imports": ["error", { patterns: rules.map(([group, message]) => ({ group, message })) }] });
const layer = (forbidden, why) => layers([forbidden, why]);

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "test/fixtures/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      // a new event kind, category or status must be handled wherever its set is switched over
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    // stdout is the MCP protocol
    files: ["src/**/*.ts"],
    rules: { "no-console": "error" },
  },
  {
    files: ["src/codex/**/*.ts"],
    rules: layers(
      // a sub-folder (src/codex/app-server) reaches the same layers one level further up
      [[...MCP_LAYER, ...MCP_LAYER.filter((p) => p.startsWith("../")).map((p) => `../${p}`)], "src/codex drives the Codex CLI and never depends on the MCP layer: pass what it needs in as plain data."],
      [["../sessions/*", "!../sessions/index.js", "../../sessions/*", "!../../sessions/index.js"], "src/codex reads sessions through their public API only: import from ../sessions/index.js (export what you need there)."],
    ),
  },
  {
    files: ["src/sessions/**/*.ts"],
    rules: layer([...MCP_LAYER, "../codex/*", "../../codex/*", "../../tools/*"], "src/sessions reads Codex's logs and depends on nothing above it (no MCP layer, no src/codex)."),
  },
  {
    files: ["src/shared/**/*.ts"],
    rules: layer(["../*", "@modelcontextprotocol/*"], "src/shared holds the helpers every layer uses: it imports nothing of ours."),
  },
);
