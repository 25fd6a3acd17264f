// tools/list saved by the build (src/tools/built-list.ts) is served only where it is the list the server would
// compute: toolListKey names every setting the list depends on, and the saved list is the computed one.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type ServerConfig } from "../../src/config/config.js";
import { createServer, toolListsToBuild } from "../../src/server.js";
import { listedTools, toolListKey } from "../../src/tools/built-list.js";
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
  const KEY = new Set(["readOnly", "waitMs", "runner.defaultTimeoutMs", "runner.maxTimeoutMs"]);
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
      ].map((config) => listOf(config).then((tools) => JSON.stringify(tools))),
    );
    expect(new Set(lists).size).toBe(5);
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
