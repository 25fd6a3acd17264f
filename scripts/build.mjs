// Builds dist/: two bundled ESM entries, the server/CLI and a run's supervisor (plus lazily loaded chunks). A bundle starts in about half the time
// of hundreds of separate modules, and start-up is what a host waits for. Types are checked by tsc.
import { build } from "esbuild";
import { rm } from "node:fs/promises";

await rm("dist", { recursive: true, force: true });
await build({
  // the supervisor of a run is its own small entry (spawned detached, one per run)
  entryPoints: { cli: "src/cli.ts", supervisor: "src/supervisor/main.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
  // CommonJS dependencies (ajv in the MCP SDK) call require(); ESM has none of its own
  banner: { js: "import { createRequire as __ccmRequire } from 'node:module'; const require = __ccmRequire(import.meta.url);" },
});
