#!/usr/bin/env node
// Process start (the `bin`, dist/cli.js). A fifth of a start was V8 compiling the bundle, and Node 20 has no
// compile cache for ES modules, so the build also writes the whole program (cli.ts) as one script, dist/main.vm,
// with a V8 code cache for this Node's V8 made at build time beside it. When that cache is there, the script
// runs through it; otherwise (another Node: the cache is named by its V8 version) the ESM build runs as before.
// `report` has a script and cache of its own (dist/report.vm: report-program.ts, two thirds of the program).
// The cache is bytecode: it is only ever read from beside this file, where the build wrote it, never written
// at run time, and neither it nor the script is read through a link.
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { Script } from "node:vm";
import { log } from "./shared/log.js";

/**
 * A first read of a long log makes short-lived objects by the million, and V8 answers by growing its young
 * generation to 3 × 16 MB, which it never gives back: a quarter to a third of a first answer's peak on 200 MB
 * (token_usage on the 0.63 format 119 → 94 MB, session_summary 217 → 175 MB; CPU the same within the noise).
 * Set before anything is compiled, since V8 accepts a code cache only under the flags it was made with
 * (scripts/code-cache.mjs sets the same).
 */
export const START_V8_FLAGS = "--semi-space-growth-factor=1";
setFlagsFromString(START_V8_FLAGS);

/**
 * The scripts to try for these arguments, in order (scripts/build.mjs writes both): `report`'s own, then the
 * whole program, which answers every command.
 */
const PROGRAMS = process.argv[2] === "report" ? ["report.vm", "main.vm"] : ["main.vm"];
/** A script's cache for the V8 running now (scripts/build.mjs names it the same way). */
const cacheOf = (program: string) => `${program}.v8-${process.versions.v8}-${process.arch}.cache`;

/** A regular file's bytes, or why not: a link is refused (O_NOFOLLOW), not followed. */
function readRegular(path: string): Buffer | string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ELOOP" ? "a link" : "absent";
  }
  try {
    return fstatSync(fd).isFile() ? readFileSync(fd) : "not a regular file";
  } finally {
    closeSync(fd);
  }
}

type Program = Pick<typeof import("./cli.js"), "run">;
/** What a .vm script evaluates to: cli.ts (or report-program.ts) bundled as a CommonJS module. */
type ProgramFunction = (
  exports: object,
  require: NodeJS.Require,
  module: { exports: Program },
  filename: string,
  dirname: string,
) => void;

/** The program loaded through its script's code cache, or why not (no usable cache or script). */
function loadCached(program: string): Program | string {
  const dir = dirname(fileURLToPath(import.meta.url));
  const file = join(dir, program);
  const cache = readRegular(join(dir, cacheOf(program)));
  if (typeof cache === "string") return `${cacheOf(program)} is ${cache}`;
  const source = readRegular(file);
  if (typeof source === "string") return `${program} is ${source}`;
  // the build writes it in ASCII (see scripts/build.mjs): latin1 decodes it as it is, into a one-byte string
  const script = new Script(source.toString("latin1"), { filename: file, cachedData: cache });
  // rejected (a V8 flag that changes code, a damaged file): V8 has compiled the script from source instead
  log("debug", `start-up: V8 code cache of ${program} ${script.cachedDataRejected === true ? "rejected" : "accepted"}`);
  const evaluate = script.runInThisContext() as ProgramFunction;
  const module = { exports: {} as Program };
  evaluate(module.exports, createRequire(file), module, file, dir);
  return module.exports;
}

/** The first script that loads, else the ESM build (dist/cli.js's own chunks), saying why. */
async function loadProgram(): Promise<Program> {
  const missing: string[] = [];
  for (const program of PROGRAMS) {
    const loaded = loadCached(program);
    if (typeof loaded !== "string") return loaded;
    missing.push(loaded);
  }
  log("debug", `start-up: the ESM build (${missing.join("; ")})`);
  return import("./cli.js");
}

await (await loadProgram()).run(process.argv.slice(2));
