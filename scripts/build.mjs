// Builds dist/: two bundled ESM entries, the server/CLI and a run's supervisor (plus lazily loaded chunks). A bundle starts in about half the time
// of hundreds of separate modules, and start-up is what a host waits for. Types are checked by tsc.
// Beside them, the program once more as one script with a V8 code cache (see scripts/code-cache.mjs).
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { dirname, join } from "node:path";
import { makeCodeCache, PROGRAMS } from "./code-cache.mjs";

/**
 * Start-up is mostly V8 compiling the bundle's source (a profile of spawn → tools/list: 80 of 240 ms in
 * compileSourceTextModule), so code the server never runs is left out of the bundle:
 * - the MCP SDK's Ajv validator (Ajv, ajv-formats, fast-uri: 270 KB) serves only `elicitation/create`
 *   results, which this server never asks for;
 * - its Zod 3 path (zod/v3, zod-to-json-schema: 140 KB) handles only Zod 3 schemas; every schema here is Zod 4;
 * - Zod's 40-odd locales: only its English messages are used.
 * Each stub throws if it is ever reached, so a future use fails loudly rather than wrongly.
 */
const STUBS = [
  {
    filter: /validation\/ajv-provider\.js$/,
    contents:
      "export class AjvJsonSchemaValidator { getValidator() { throw new Error('codex-control-mcp does not bundle a JSON Schema validator (elicitation is not used)'); } }",
  },
  {
    filter: /^zod\/v3$/,
    contents: "export function object() { throw new Error('codex-control-mcp bundles Zod 4 only'); }",
  },
  {
    filter: /^zod-to-json-schema$/,
    contents: "export function zodToJsonSchema() { throw new Error('codex-control-mcp bundles Zod 4 only'); }",
  },
];

const leaveOut = {
  name: "leave-out-unused",
  setup(build) {
    for (const [index, stub] of STUBS.entries()) {
      build.onResolve({ filter: stub.filter }, () => ({ path: String(index), namespace: "stub" }));
    }
    build.onLoad({ filter: /.*/, namespace: "stub" }, (args) => ({
      contents: STUBS[Number(args.path)]?.contents,
      loader: "js",
    }));
    // zod's locales index: English only (resolved next to the importer, as zod's own import would be)
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${"zod"}`)
        ? { path: join(dirname(args.importer), args.path), namespace: "zod-locales" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), "en.js"))};`,
      loader: "js",
      resolveDir: dirname(args.path),
    }));
  },
};

/**
 * What the built code is, named once at build time (saved folds and answers of other code are not reused):
 * a hash of every source file and the lockfile, which decide the bundle. Run from the sources, the code
 * hashes its own files instead (src/sessions/fold-files.ts).
 */
async function sourcesFingerprint() {
  const hash = createHash("sha1");
  const files = (await readdir("src", { recursive: true })).filter((file) => /\.(?:ts|json)$/.test(file)).sort();
  for (const file of files) hash.update(file).update(await readFile(join("src", file)));
  return hash.update(await readFile("package-lock.json")).digest("hex");
}
const fingerprint = { __CODE_FINGERPRINT__: JSON.stringify(await sourcesFingerprint()) };

await rm("dist", { recursive: true, force: true });
await build({
  // cli.js is launch.ts, which runs the program (cli.ts) from dist/main.vm or, without a usable code cache,
  // from these chunks; the supervisor of a run is its own small entry (spawned detached, one per run)
  entryPoints: { cli: "src/launch.ts", supervisor: "src/supervisor/main.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
  plugins: [leaveOut],
  define: fingerprint,
  // CommonJS dependencies (ajv in the MCP SDK) call require(); ESM has none of its own
  banner: {
    js: "import { createRequire as __ccmRequire } from 'node:module'; const require = __ccmRequire(import.meta.url);",
  },
});

/**
 * Node's modules that serving and the CLI's read commands do not use at start, required on first use in the
 * script (a module's exports become getters), so that a start does not load them: child_process alone brings
 * dgram, net's child-process plumbing and more; crypto fifteen modules of its own (~4 ms), fs/promises
 * readline, streams and the file watchers (~3 ms), which a report (all synchronous) never needs.
 */
const LAZY_BUILTINS = ["child_process", "readline", "v8", "zlib", "http", "https", "crypto", "fs/promises"];
const lazyBuiltins = {
  name: "lazy-builtins",
  setup(build) {
    const filter = new RegExp(`^(?:node:)?(?:${LAZY_BUILTINS.join("|")})$`);
    build.onResolve({ filter }, (args) =>
      args.namespace === "lazy-builtin"
        ? undefined
        : { path: args.path.replace(/^node:/, ""), namespace: "lazy-builtin" },
    );
    build.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, async (args) => {
      const names = Object.keys(await import(`node:${args.path}`));
      return {
        loader: "js",
        contents: `let real;
const load = () => (real ??= require(${JSON.stringify(`node:${args.path}`)}));
module.exports = Object.defineProperties({}, {${names
          .map((name) => `${JSON.stringify(name)}: { get: () => load()[${JSON.stringify(name)}], enumerable: true }`)
          .join(", ")}});`,
      };
    });
  },
};

/**
 * A program as one script that evaluates to a CommonJS-style module function, which launch.ts compiles with
 * the code cache: V8 caches scripts, not ES modules, on Node 20. Two of them: the whole program (cli.ts with
 * everything it may load) and `report` alone (report-program.ts), whose cache is a third smaller.
 */
async function writeScript(entry, name) {
  const script = await build({
    entryPoints: [entry],
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    write: false,
    metafile: true,
    outfile: join("dist", name),
    logLevel: "warning",
    plugins: [leaveOut, lazyBuiltins],
    // the ESM sources find package.json and supervisor.js from their own URL: the script's is dist/<name>
    define: { "import.meta.url": "__ccmUrl", ...fingerprint },
    // a script compiled by vm has no module loader behind import(): Node's own modules are required instead
    supported: { "dynamic-import": false },
  });
  const [output] = script.outputFiles;
  const outside = Object.values(script.metafile.outputs).flatMap((out) =>
    out.imports.filter(
      (imported) => imported.external && !imported.path.startsWith("node:") && !isBuiltin(imported.path),
    ),
  );
  if (!output || outside.length > 0)
    throw new Error(`${name} must be self-contained: ${outside.map((imported) => imported.path).join(", ")}`);
  // ASCII only, so launch.ts reads it as latin1 into a one-byte string, half the memory of a two-byte one and
  // faster to decode: the few other characters (in comments and regular expressions) as \u escapes, which mean the same
  // (a character escaped by a backslash would become an escaped backslash: refused rather than mistranslated)
  if (/(?<!\\)(?:\\\\)*\\[^\0-\x7f]/.test(output.text))
    throw new Error(`${name}: an escaped non-ASCII character; write it as \\u…`);
  const ascii = output.text.replace(/[^\0-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  await writeFile(
    join("dist", name),
    `(function (exports, require, module, __filename, __dirname) {"use strict"; const __ccmUrl = require("node:url").pathToFileURL(__filename).href;\n${ascii}\n})`,
  );
  await makeCodeCache("dist", name);
}

for (const [entry, name] of Object.entries(PROGRAMS)) await writeScript(entry, name);
