// tools/list saved by the build (src/tools/built-list.ts) is served only where it is the list the server would
// compute: toolListKey names every setting the list depends on, and the saved list is the computed one.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type ServerConfig } from "../../src/config/config.js";
import { createServer, toolListsToBuild } from "../../src/server.js";
import { listedTools, serveBuiltToolList, toolListKey } from "../../src/tools/built-list.js";
import { FIXTURE_HOME } from "../support/fixtures.js";

let base: ServerConfig;
beforeAll(async () => {
  base = loadConfig([], {
    PATH: process.env.PATH ?? "",
    CODEX_HOME: FIXTURE_HOME,
    CODEX_CONTROL_STATE_DIR: await mkdtemp(join(tmpdir(), "ccm-state-")),
  });
});

/** Every setting changed (a new setting too, whatever its type) but those toolListKey names. */
function otherThanKey(config: ServerConfig): ServerConfig {
  const KEY = new Set(["readOnly", "waitMs", "runner.defaultTimeoutMs", "runner.maxTimeoutMs", "runner.engine"]);
  const change = (value: unknown, path: string): unknown => {
    if (KEY.has(path)) return value;
    if (typeof value === "boolean") return !value;
    if (typeof value === "number") return value + 7;
    if (typeof value === "string") return `${value}-other`;
    if (Array.isArray(value)) return [...value, "/srv/other"];
    if (value === undefined) return undefined;
    if (path === "runner.childEnv") return { ...(value as object), OTHER: "1" };
    return Object.fromEntries(
      Object.entries(value as object).map(([name, inner]) => [name, change(inner, path ? `${path}.${name}` : name)]),
    );
  };
  const changed = change(config, "") as ServerConfig;
  // the optional ones, set
  return { ...changed, runner: { ...changed.runner, preflightLimits: true, heartbeatMs: 1234 } };
}

const listOf = async (config: ServerConfig) => (await listedTools(createServer(config).server, config)).tools;

describe("the tools/list the build saves", () => {
  it("depends on no setting but toolListKey's: every other one changed, the list is the same", async () => {
    const other = otherThanKey(base);
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(base));
    expect(toolListKey(other)).toBe(toolListKey(base));
    expect(await listOf(other)).toEqual(await listOf(base));
    const readOnly = { ...base, readOnly: true };
    expect(await listOf(otherThanKey(readOnly))).toEqual(await listOf(readOnly));
  });

  it("changes with each setting of the key (so the test above can fail)", async () => {
    const lists = await Promise.all(
      [
        base,
        { ...base, readOnly: true },
        { ...base, waitMs: 1000 },
        { ...base, runner: { ...base.runner, defaultTimeoutMs: 60_000 } },
        { ...base, runner: { ...base.runner, maxTimeoutMs: 7_200_000 } },
        { ...base, runner: { ...base.runner, engine: "app-server" as const } },
      ].map((config) => listOf(config).then((tools) => JSON.stringify(tools))),
    );
    expect(new Set(lists).size).toBe(6);
  });

  it("is what a default and a read-only server list, keyed by their settings", async () => {
    const lists = await toolListsToBuild([base, { ...base, readOnly: true }]);
    expect(lists.map((list) => list.key)).toEqual([toolListKey(base), toolListKey({ ...base, readOnly: true })]);
    expect(lists.map((list) => list.tools)).toEqual([await listOf(base), await listOf({ ...base, readOnly: true })]);
    expect(lists[1]?.tools.map((tool) => tool.name)).toEqual([
      "list_sessions",
      "session_summary",
      "last_function_calls",
      "token_usage",
      "sessions_report",
      "run_status",
      "doctor",
    ]);
  });
});

describe("a server serving the saved list", () => {
  it("answers with it until its tools change, then computes the list", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "ccm-list-")), "tools-list.json");
    const computed = await listOf(base);
    const saved = computed.map((tool) => ({ ...tool, description: `saved: ${String(tool.description)}` }));
    await writeFile(file, JSON.stringify([{ key: toolListKey(base), tools: saved }]));
    const { server } = createServer(base);
    serveBuiltToolList(server, base, file); // a second wrapper, over the built one that finds no file here
    const list = () => listedTools(server, base).then((answer) => answer.tools);
    expect(await list()).toEqual(saved);
    // registered after start: from then on, the list is computed
    const added = server.registerTool("added_later", { description: "a tool registered after start" }, () => ({
      content: [],
    }));
    const names = (tools: Array<{ name?: unknown }>) => tools.map((tool) => tool.name);
    expect(names(await list())).toEqual([...names(computed), "added_later"]);
    added.disable();
    expect(await list()).toEqual(computed);
  });

  it("computes the list where the saved one is for other settings, damaged, or not a list", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ccm-list-"));
    const computed = await listOf(base);
    const cases = {
      other: JSON.stringify([{ key: toolListKey({ ...base, waitMs: 1 }), tools: [] }]),
      damaged: "[{",
      shape: JSON.stringify({ key: toolListKey(base), tools: [] }),
    };
    for (const [name, text] of Object.entries(cases)) {
      await writeFile(join(dir, name), text);
      const { server } = createServer(base);
      serveBuiltToolList(server, base, join(dir, name));
      expect((await listedTools(server, base)).tools).toEqual(computed);
    }
    // control: the same file with this server's key is served
    await writeFile(join(dir, "served"), JSON.stringify([{ key: toolListKey(base), tools: [] }]));
    const { server } = createServer(base);
    serveBuiltToolList(server, base, join(dir, "served"));
    expect((await listedTools(server, base)).tools).toEqual([]);
  });
});
