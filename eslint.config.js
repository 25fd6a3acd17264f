import js from "@eslint/js";
import tseslint from "typescript-eslint";

// The layers, as lint enforces them: the MCP layer (tools, resources, prompts, server, cli, commands) may use
// everything; src/codex (driving the CLI) may use src/sessions; src/sessions (reading logs) uses neither.
const MCP_LAYER = ["../tools/*", "../resources/*", "../prompts/*", "../commands/*", "../server.js", "../cli.js", "@modelcontextprotocol/*"];
const layer = (forbidden, why) => ({ "no-restricted-imports": ["error", { patterns: [{ group: forbidden, message: why }] }] });

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
    rules: layer(MCP_LAYER, "src/codex drives the Codex CLI and never depends on the MCP layer: pass what it needs in as plain data."),
  },
  {
    files: ["src/sessions/**/*.ts"],
    rules: layer([...MCP_LAYER, "../codex/*"], "src/sessions reads Codex's logs and depends on nothing above it (no MCP layer, no src/codex)."),
  },
);
