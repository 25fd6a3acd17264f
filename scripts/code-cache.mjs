// The V8 code caches of dist/main.vm and dist/report.vm, made at build time (never at run time: a cache is
// bytecode, so it lives only beside dist/, where the code itself is). A child process loads the script exactly
// as dist/cli.js (src/launch.ts) does and runs what it will be asked: main.vm the CLI's read commands, then
// serving MCP, asked what a host asks first (initialize, the lists, read tools, a report); report.vm reports. At its end
// it writes the cache of every function compiled by then. V8 accepts a cache only from its own version and
// flags: the file is named by the V8 version, and the build checks that it is accepted.
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { setFlagsFromString } from "node:v8";
import { Script } from "node:vm";

/** As src/launch.ts sets them before anything is compiled: V8 accepts a cache only under the flags it was made with. */
const START_V8_FLAGS = "--semi-space-growth-factor=1";

/** The scripts the build writes, by their entry in src/ (src/launch.ts picks one by the command). */
export const PROGRAMS = { "src/cli.ts": "main.vm", "src/report-program.ts": "report.vm" };
/** Named as src/launch.ts names them. */
export const cacheName = (program) => `${program}.v8-${process.versions.v8}-${process.arch}.cache`;

/** What the child is asked before its cache is written: the start of a host's session. */
const WARM_UP = [
  {
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "build", version: "1" } },
  },
  { method: "notifications/initialized" },
  { method: "tools/list" },
  { method: "resources/list" },
  { method: "resources/templates/list" },
  { method: "prompts/list" },
  { method: "tools/call", params: { name: "list_sessions", arguments: { limit: 1 } } },
  { method: "tools/call", params: { name: "token_usage", arguments: { session_id: "last" } } },
  { method: "tools/call", params: { name: "session_summary", arguments: { session_id: "last" } } },
  // an agent's "what failed this week": the server's first report 5 ms sooner, tools/list unchanged (+50 KB)
  { method: "tools/call", params: { name: "sessions_report", arguments: {} } },
];

/**
 * The CLI's read commands, run on the repository's fixture home when there is one (else on an empty home).
 * Not `report` in main.vm: it has its own script, and every start deserializes the whole cache.
 */
const COMMANDS = {
  "main.vm": [["sessions"], ["summary", "last"], ["usage", "last"], ["calls", "last"], ["runs"]],
  "report.vm": [["report", "--json"], ["report"], ["report", "--by", "category"]],
};
const FIXTURE_HOME = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "fixtures", "codex-home");

/** Writes dist/<cacheName(program)> and checks that this V8 accepts it (the build fails if not). */
export async function makeCodeCache(dist, program) {
  const temp = await mkdtemp(join(tmpdir(), "ccm-code-cache-"));
  try {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), resolve(dist), program], {
      stdio: ["pipe", "pipe", "inherit"],
      env: {
        PATH: process.env.PATH ?? "",
        HOME: temp,
        CODEX_HOME: existsSync(FIXTURE_HOME) ? FIXTURE_HOME : join(temp, "codex-home"),
        CODEX_CONTROL_STATE_DIR: join(temp, "state"),
        CODEX_CONTROL_LOG: "error",
      },
    });
    const exited = new Promise((done, fail) => {
      child.on("error", fail);
      child.on("exit", (code) => (code === 0 ? done() : fail(new Error(`the code cache warm-up exited with ${code}`))));
    });
    // one request at a time, each after the answer to the one before (as a host does)
    let buffered = "";
    let next = 0;
    const send = () => {
      for (; next < WARM_UP.length; next++) {
        const message = { jsonrpc: "2.0", ...WARM_UP[next] };
        if (!message.method.startsWith("notifications/")) message.id = next;
        child.stdin.write(`${JSON.stringify(message)}\n`);
        if ("id" in message) return void next++;
      }
      child.stdin.end();
    };
    child.stdout.on("data", (chunk) => {
      buffered += chunk;
      for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
        const answer = JSON.parse(buffered.slice(0, end));
        buffered = buffered.slice(end + 1);
        if (answer.id === undefined) continue; // a notification
        if (answer.error) throw new Error(`code cache warm-up: ${JSON.stringify(answer.error)}`);
        send();
      }
    });
    // only the whole program serves MCP
    if (program === "main.vm") send();
    else child.stdin.end();
    await exited;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  const file = join(dist, program);
  setFlagsFromString(START_V8_FLAGS);
  const script = new Script(await readFile(file, "latin1"), {
    filename: resolve(file),
    cachedData: await readFile(join(dist, cacheName(program))),
  });
  if (script.cachedDataRejected !== false) throw new Error(`V8 rejected the code cache just made for ${file}`);
}

/**
 * The child: the script loaded as dist/cli.js loads it, the commands run (their output dropped), then, for
 * main.vm, serving MCP on stdio; the cache is written at exit.
 */
async function warm(dist, program) {
  setFlagsFromString(START_V8_FLAGS);
  const file = join(dist, program);
  const script = new Script(await readFile(file, "latin1"), { filename: file });
  process.on("exit", () => writeFileSync(join(dist, cacheName(program)), script.createCachedData()));
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  const write = process.stdout.write;
  process.stdout.write = (_chunk, ...rest) => {
    rest.find((arg) => typeof arg === "function")?.();
    return true;
  };
  for (const argv of COMMANDS[program]) await module.exports.run(argv);
  process.stdout.write = write;
  process.exitCode = undefined;
  if (program !== "main.vm") return;
  // tools/list as a default and a read-only server answer it, served from this file (src/tools/built-list.ts)
  writeFileSync(join(dist, "tools-list.json"), JSON.stringify(await module.exports.toolListsToBuild()));
  await module.exports.run([]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await warm(process.argv[2], process.argv[3]);
