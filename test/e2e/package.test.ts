// What ships: the README's tool table matches the registered tools, and the packed tarball runs with npx
// (a self-contained bundle: nothing to install beside it) and serves MCP.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { execFile } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import pkg from "../../package.json" with { type: "json" };
import { toolTable, withToolTable } from "../../scripts/tool-table.js";
import { FIXTURE_HOME } from "../support/fixtures.js";
import { isolatedEnv } from "../support/isolated-env.js";
import { registeredToolNames } from "../support/tool-registry.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const run = promisify(execFile);

describe("package", () => {
  it("the README's tool table is the one the registered tools make (npm run docs)", async () => {
    const readme = await readFile(join(root, "README.md"), "utf8");
    expect(withToolTable(readme, await toolTable())).toBe(readme);
  });

  it("npm pack yields a package that npx runs: --version, and MCP over stdio", async () => {
    const out = await mkdtemp(join(tmpdir(), "ccm-pack-"));
    // npx unpacks into npm's cache (_npx): that cache, HOME and the XDG folders live in this test's temp root
    const env = isolatedEnv(await mkdtemp(join(tmpdir(), "ccm-npm-")));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", out], { cwd: root, env });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = (packed?.files ?? []).map((file) => file.path);
    expect(files).toContain("dist/cli.js");
    // the program and `report` as scripts, their V8 code caches (src/launch.ts) and tools/list as built (tools/built-list.ts)
    expect(files).toContain("dist/tools-list.json");
    expect(files.filter((file) => /^dist\/(?:main|report)\.vm/.test(file)).sort()).toEqual([
      "dist/main.vm",
      `dist/main.vm.v8-${process.versions.v8}-${process.arch}.cache`,
      "dist/report.vm",
      `dist/report.vm.v8-${process.versions.v8}-${process.arch}.cache`,
    ]);
    expect(files.filter((file) => !file.startsWith("dist/")).sort()).toEqual([
      "CHANGELOG.md",
      "LICENSE",
      "README.md",
      "package.json",
    ]);
    const tarball = join(out, packed?.filename ?? "");

    const clean = await mkdtemp(join(tmpdir(), "ccm-npx-"));
    const npx = (...args: string[]) =>
      run("npm", ["exec", "--yes", `--package=${tarball}`, "--", "codex-control-mcp", ...args], {
        cwd: clean,
        env: { ...env, CODEX_CONTROL_LOG: "debug" },
        timeout: 120_000,
      });
    const version = await npx("--version");
    expect(version.stdout).toBe(`${pkg.version}\n`);
    // installed elsewhere than it was built, the cache is still this V8's and accepted
    expect(version.stderr).toContain("start-up: V8 code cache of main.vm accepted");
    // and `report` runs as its own program (report.vm, in the package's files)
    const report = await npx("report", "--help");
    expect(report.stdout).toMatch(/^Usage: codex-control-mcp report /);
    expect(report.stderr).toContain("start-up: V8 code cache of report.vm accepted");
    // the README's form for a local tarball: `npx -y file:…` (npx runs a bare absolute path as a command)
    expect(
      (await run("npx", ["-y", `file:${tarball}`, "--version"], { cwd: clean, env, timeout: 120_000 })).stdout,
    ).toBe(`${pkg.version}\n`);

    // the installed bin, as a host would start it
    const { stdout: binPath } = await run(
      "npm",
      [
        "exec",
        "--yes",
        `--package=${tarball}`,
        "--",
        "node",
        "-e",
        "process.stdout.write(require('child_process').execSync('command -v codex-control-mcp').toString())",
      ],
      { cwd: clean, env },
    );
    const transport = new StdioClientTransport({
      command: binPath.trim(),
      args: [],
      env: {
        PATH: process.env.PATH ?? "",
        CODEX_HOME: FIXTURE_HOME,
        CODEX_CONTROL_STATE_DIR: await mkdtemp(join(tmpdir(), "ccm-state-")),
      },
      stderr: "ignore",
    });
    const client = new Client({ name: "package-test", version: "1" });
    try {
      await client.connect(transport);
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(
        registeredToolNames({ readOnly: false }),
      );
      const listed = await client.callTool({ name: "list_sessions", arguments: { limit: 1 } });
      expect((listed.structuredContent as { sessions: unknown[] }).sessions).toHaveLength(1);
    } finally {
      await client.close();
    }
  }, 180_000);

  it("the README's `npm install -g .` puts codex-control-mcp on PATH from a checkout", async () => {
    const temp = await mkdtemp(join(tmpdir(), "ccm-global-"));
    const prefix = join(temp, "prefix");
    const env = { ...isolatedEnv(temp), npm_config_prefix: prefix };
    await run("npm", ["install", "-g", "."], { cwd: root, env, timeout: 120_000 });
    const onPath = {
      ...env,
      PATH: `${join(prefix, "bin")}:${process.env.PATH ?? ""}`,
      CODEX_HOME: FIXTURE_HOME,
      CODEX_CONTROL_STATE_DIR: join(temp, "state"),
    };
    const { stdout: found } = await run("sh", ["-c", "command -v codex-control-mcp"], { env: onPath });
    expect(found).toBe(`${join(prefix, "bin", "codex-control-mcp")}\n`);
    expect((await run("codex-control-mcp", ["--version"], { env: onPath })).stdout).toBe(`${pkg.version}\n`);
    const listed = JSON.parse(
      (await run("codex-control-mcp", ["sessions", "-n", "1", "--json"], { env: onPath })).stdout,
    ) as { sessions: unknown[] };
    expect(listed.sessions).toHaveLength(1);
  }, 180_000);
});
