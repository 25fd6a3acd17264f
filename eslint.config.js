import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { join } from "node:path";
import { zonesPlugin } from "./eslint/zones.js";

// The architecture (which folder may import which) is one table, in eslint/zones.js.
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
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  {
    // stdout is the MCP protocol
    files: ["src/**/*.ts"],
    plugins: { zones: zonesPlugin(join(import.meta.dirname, "src")) },
    rules: {
      "no-console": "error",
      "zones/imports": "error",
      // ICU's number and date data cost a command or a server's first answer 10–20 ms on first use
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.property.name='toLocaleString']",
          message: "count() (src/shared/text.ts) formats a count for people without Intl.",
        },
      ],
    },
  },
  { files: ["src/shared/text.ts"], rules: { "no-restricted-syntax": "off" } },
);
