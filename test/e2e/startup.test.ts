// How the built program starts (src/launch.ts): through the V8 code cache the build wrote beside dist/, or,
// when that cache is missing, damaged, made by another V8 or a link, the ESM build; and tools/list from the
// list the build saved (src/tools/built-list.ts). Every way answers the same, byte for byte, as the server
// built from the sources.
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { execFile, spawn } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import pkg from "../../package.json" with { type: "json" };
import { loadConfig } from "../../src/config/config.js";
import { createServer } from "../../src/server.js";
import { count } from "../../src/shared/text.js";
import { FIXTURE_HOME } from "../support/fixtures.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CACHE = `main.vm.v8-${process.versions.v8}-${process.arch}.cache`;
const REPORT_CACHE = `report.vm.v8-${process.versions.v8}-${process.arch}.cache`;
const INITIALIZE = {
  protocolVersion: "2025-06-18",
  capabilities: {},
  clientInfo: { name: "startup-test", version: "1" },
};
const LIST_SESSIONS = { name: "list_sessions", arguments: { limit: 2 } };

let temp: string;
const env = () => ({
  PATH: process.env.PATH ?? "",
  CODEX_HOME: FIXTURE_HOME,
  CODEX_CONTROL_STATE_DIR: join(temp, "state"),
  CODEX_CONTROL_LOG: "debug",
});

/** A copy of the package's files (package.json and dist/), changed by `alter`, in a folder of its own. */
async function packageCopy(name: string, alter?: (dist: string) => Promise<void>): Promise<string> {
  const dir = join(temp, name);
  await cp(join(root, "dist"), join(dir, "dist"), { recursive: true });
  await cp(join(root, "package.json"), join(dir, "package.json"));
  await alter?.(join(dir, "dist"));
  return join(dir, "dist", "cli.js");
}

interface Answers {
  /** What the launcher said on stderr about how it started. */
  startup: string;
  /** All it wrote on stderr, once it has exited. */
  stderr?: () => string;
  initialize: unknown;
  tools: unknown;
  call: unknown;
}

/** Spawns `cli` as a host does and asks initialize, tools/list and a list_sessions call, one after another. */
async function ask(cli: string, args: string[] = [], node: string[] = []): Promise<Answers> {
  const child = spawn(process.execPath, [...node, cli, ...args], { env: env(), stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let buffered = "";
  const waiting = new Map<number, (result: unknown) => void>();
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
      const message = JSON.parse(buffered.slice(0, end)) as { id?: number; result?: unknown; error?: unknown };
      buffered = buffered.slice(end + 1);
      if (message.id !== undefined) waiting.get(message.id)?.(message.result ?? message.error);
    }
  });
  let id = 0;
  const request = (method: string, params?: object) =>
    new Promise<unknown>((resolve) => {
      waiting.set(++id, resolve);
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    });
  try {
    const initialize = await request("initialize", INITIALIZE);
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
    const tools = await request("tools/list");
    const call = await request("tools/call", LIST_SESSIONS);
    return {
      startup: stderr.split("\n").find((line) => line.includes("start-up:")) ?? "",
      initialize,
      tools,
      call,
      stderr: () => stderr,
    };
  } finally {
    child.kill();
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

/** The same three answers from the server built from the sources, in memory. */
async function askSources(args: string[] = []): Promise<Omit<Answers, "startup">> {
  const { server, cleanup } = createServer(loadConfig(args, env()));
  const [client, transport] = InMemoryTransport.createLinkedPair();
  const waiting = new Map<number, (result: unknown) => void>();
  client.onmessage = (message: JSONRPCMessage) => {
    if ("id" in message && "result" in message) waiting.get(Number(message.id))?.(message.result);
  };
  await server.connect(transport);
  await client.start();
  let id = 0;
  const request = (method: string, params?: object) =>
    new Promise<unknown>((resolve) => {
      waiting.set(++id, resolve);
      void client.send({ jsonrpc: "2.0", id, method, params } as JSONRPCMessage);
    });
  try {
    const initialize = await request("initialize", INITIALIZE);
    await client.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    return { initialize, tools: await request("tools/list"), call: await request("tools/call", LIST_SESSIONS) };
  } finally {
    await client.close();
    await cleanup();
  }
}

let sources: Omit<Answers, "startup">;

beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), "ccm-startup-"));
  sources = await askSources();
});

describe("start-up", () => {
  it("the build writes the program and `report` as scripts, each with a code cache for this Node's V8", async () => {
    const files = await readdir(join(root, "dist"));
    expect(files.filter((file) => /^(?:main|report)\.vm/.test(file)).sort()).toEqual([
      "main.vm",
      CACHE,
      "report.vm",
      REPORT_CACHE,
    ]);
    expect(files).toContain("tools-list.json");
    // ASCII only: launch.ts decodes them as latin1
    for (const script of ["main.vm", "report.vm"])
      expect(/[^\0-\x7f]/.test(await readFile(join(root, "dist", script), "latin1"))).toBe(false);
  });

  it("as built: the code cache is accepted, and every answer is the sources' own", async () => {
    const answers = await ask(await packageCopy("as-built"));
    expect(answers.startup).toBe("codex-control-mcp [debug] start-up: V8 code cache of main.vm accepted");
    expect({ ...answers, startup: undefined, stderr: undefined }).toEqual({ ...sources, startup: undefined });
    // the call read the fixture home: not an error, two sessions
    expect((sources.call as { structuredContent: { sessions: unknown[] } }).structuredContent.sessions).toHaveLength(2);
  });

  it("a damaged cache is rejected by V8: the script is compiled from source and answers the same", async () => {
    const cli = await packageCopy("damaged", async (dist) => {
      const cache = await readFile(join(dist, CACHE));
      cache.fill(0, 0, 16); // its header: V8's magic number, version and flag hashes
      await writeFile(join(dist, CACHE), cache);
    });
    const answers = await ask(cli);
    expect(answers.startup).toBe("codex-control-mcp [debug] start-up: V8 code cache of main.vm rejected");
    expect({ ...answers, startup: undefined, stderr: undefined }).toEqual({ ...sources, startup: undefined });
  });

  it("no cache for this V8 (another Node): the ESM build starts, and answers the same", async () => {
    const cli = await packageCopy("other-v8", async (dist) => {
      await rm(join(dist, CACHE));
      await writeFile(join(dist, "main.vm.v8-1.2.3-x64.cache"), "made by another V8");
    });
    const answers = await ask(cli);
    expect(answers.startup).toBe(`codex-control-mcp [debug] start-up: the ESM build (${CACHE} is absent)`);
    expect({ ...answers, startup: undefined, stderr: undefined }).toEqual({ ...sources, startup: undefined });
  });

  it("a cache or script that is a link is not followed: the ESM build starts", async () => {
    const linkedCache = await packageCopy("linked-cache", async (dist) => {
      await cp(join(dist, CACHE), join(temp, "planted.cache"));
      await rm(join(dist, CACHE));
      await symlink(join(temp, "planted.cache"), join(dist, CACHE));
    });
    const cached = await ask(linkedCache);
    expect(cached.startup).toBe(`codex-control-mcp [debug] start-up: the ESM build (${CACHE} is a link)`);
    expect(cached.tools).toEqual(sources.tools);
    const linkedScript = await packageCopy("linked-script", async (dist) => {
      await cp(join(dist, "main.vm"), join(temp, "planted.vm"));
      await rm(join(dist, "main.vm"));
      await symlink(join(temp, "planted.vm"), join(dist, "main.vm"));
    });
    const script = await ask(linkedScript);
    expect(script.startup).toBe("codex-control-mcp [debug] start-up: the ESM build (main.vm is a link)");
    expect(script.tools).toEqual(sources.tools);
  });

  it("tools/list comes from the list the build saved, where the settings are the ones it was saved for", async () => {
    // a saved list with one description changed: served as saved, so the file is what answered
    const edited = async (dist: string) => {
      const lists = JSON.parse(await readFile(join(dist, "tools-list.json"), "utf8")) as Array<{
        tools: Array<{ description: string }>;
      }>;
      for (const list of lists) for (const tool of list.tools) tool.description = `saved: ${tool.description}`;
      await writeFile(join(dist, "tools-list.json"), JSON.stringify(lists));
    };
    const served = await ask(await packageCopy("edited-list", edited));
    const tools = (answers: { tools: unknown }) => (answers.tools as { tools: Array<{ description: string }> }).tools;
    expect(tools(served).map((tool) => tool.description)).toEqual(
      tools(sources).map((tool) => `saved: ${tool.description}`),
    );
    // other settings (--wait-ms): computed, as the sources compute them
    const other = await ask(await packageCopy("edited-list-other", edited), ["--wait-ms", "1000"]);
    expect(other.tools).toEqual((await askSources(["--wait-ms", "1000"])).tools);
    expect(other.tools).not.toEqual(sources.tools);
    // a link is not followed, even to a list for these settings
    const linked = await ask(
      await packageCopy("linked-list", async (dist) => {
        await edited(dist);
        await cp(join(dist, "tools-list.json"), join(temp, "planted-list.json"));
        await rm(join(dist, "tools-list.json"));
        await symlink(join(temp, "planted-list.json"), join(dist, "tools-list.json"));
      }),
    );
    expect(linked.tools).toEqual(sources.tools);
  });

  // (node:v8 is the launcher's own: it sets the process's V8 flags before anything is compiled)
  it("a start loads none of the Node modules only runs, exports and saved folds use (child_process, zlib, …)", async () => {
    const preload = join(temp, "modules-at-exit.cjs");
    await writeFile(
      preload,
      `process.on("exit", () => process.stderr.write("modules: " + process.moduleLoadList.filter((m) => /^NativeModule (child_process|readline|zlib|http|https)$/.test(m)).join(",") + "\\n"));`,
    );
    const loaded = async (cli: string) => {
      const answers = await ask(cli, [], ["--require", preload]);
      return /modules: (.*)/.exec(answers.stderr?.() ?? "")?.[1];
    };
    expect(await loaded(join(root, "dist", "cli.js"))).toBe("");
    // control: the ESM build loads them at start (the list_sessions call asked by `ask` is answered either way)
    expect(await loaded(await packageCopy("esm-modules", (dist) => rm(join(dist, CACHE))))).toContain(
      "NativeModule child_process",
    );
  });

  it("the CLI answers the same through the cache and through the ESM build", async () => {
    const run = promisify(execFile);
    const cached = join(root, "dist", "cli.js");
    const esm = await packageCopy("cli-esm", (dist) => rm(join(dist, CACHE)));
    for (const argv of [["--version"], ["sessions", "-n", "2", "--json"], ["usage", "last"]]) {
      const [one, other] = await Promise.all([
        run(process.execPath, [cached, ...argv], { env: env() }),
        run(process.execPath, [esm, ...argv], { env: env() }),
      ]);
      expect(one.stdout).toBe(other.stdout);
      expect(one.stderr).toContain("start-up: V8 code cache of main.vm accepted");
      expect(other.stderr).toContain(`start-up: the ESM build (${CACHE} is absent)`);
    }
    expect((await run(process.execPath, [cached, "--version"])).stdout).toBe(`${pkg.version}\n`);
  });

  it("`report` runs as a program of its own (report.vm), answering as the whole program and the ESM build do", async () => {
    const run = promisify(execFile);
    const built = join(root, "dist", "cli.js");
    // without report.vm's cache: the whole program's script answers `report`; without either cache, the ESM build
    const whole = await packageCopy("report-whole", (dist) => rm(join(dist, REPORT_CACHE)));
    const esm = await packageCopy("report-esm", async (dist) => {
      await rm(join(dist, REPORT_CACHE));
      await rm(join(dist, CACHE));
    });
    for (const argv of [
      ["report", "--json"],
      ["report", "--by", "category"],
      ["report", "--by", "year"],
    ]) {
      // each with a state dir of its own: each reads the logs (none answers from digests another saved)
      const answer = (cli: string, state: string) =>
        run(process.execPath, [cli, ...argv], { env: { ...env(), CODEX_CONTROL_STATE_DIR: join(temp, state) } }).catch(
          (error: { stdout: string; stderr: string; code: number }) => error,
        );
      const [own, program, fallback] = await Promise.all([
        answer(built, `own-${argv.join("-")}`),
        answer(whole, `whole-${argv.join("-")}`),
        answer(esm, `esm-${argv.join("-")}`),
      ]);
      expect(own.stderr).toContain("start-up: V8 code cache of report.vm accepted");
      expect(program.stderr).toContain("start-up: V8 code cache of main.vm accepted");
      expect(fallback.stderr).toContain(`start-up: the ESM build (${REPORT_CACHE} is absent; ${CACHE} is absent)`);
      expect(program.stdout).toBe(own.stdout);
      expect(fallback.stdout).toBe(own.stdout);
      expect(program.stderr.replace(/^.*start-up:.*\n/m, "")).toBe(own.stderr.replace(/^.*start-up:.*\n/m, ""));
    }
  });
});

describe("counts for people without Intl (its first use costs a CLI command ~20 ms)", () => {
  it("count() groups as toLocaleString('en-US') does, for every whole number and a fraction", () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(count(n)).toBe(n.toLocaleString("en-US"));
      }),
    );
    expect([count(-1234), count(1234.5678), count(Number.MAX_SAFE_INTEGER)]).toEqual([
      "-1,234",
      "1,234.568",
      "9,007,199,254,740,991",
    ]);
  });
});
