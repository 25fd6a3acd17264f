// CODEX_HOME's config.toml and auth.json are read for the credentials gate (run_codex, resume_session,
// review_changes) and by doctor: only a regular file of at most 1 MiB, never waiting on a FIFO. Before, a FIFO
// at auth.json held each run_codex on one of libuv's four threads: after four, every file call of the server
// waited too, and list_sessions never answered (doctor hung the same way). The control: a plain read of the
// FIFO waits for a writer.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSmallFile } from "../../src/shared/small-file.js";
import { connect, testConfig, textOf } from "../support/mcp.js";

async function homeWithFifo(name: string) {
  const root = await mkdtemp(join(tmpdir(), "ccm-fifo-home-"));
  const home = join(root, "home");
  await mkdir(join(home, "sessions"), { recursive: true });
  execFileSync("mkfifo", [join(home, name)]);
  const project = join(root, "project");
  await mkdir(project);
  return { home, project, fifo: join(home, name) };
}

describe("a FIFO in CODEX_HOME", () => {
  it("at auth.json: four run_codex calls are refused for want of credentials, and list_sessions still answers", async () => {
    const { home, project } = await homeWithFifo("auth.json");
    const config = testConfig({ codexHome: home });
    const { CODEX_API_KEY: _key, ...childEnv } = config.runner.childEnv;
    const mcp = await connect({ ...config, runner: { ...config.runner, childEnv } });
    try {
      const runs = await Promise.all(
        Array.from({ length: 4 }, () => mcp.call("run_codex", { prompt: "hi", cwd: project })),
      );
      expect(runs.map((run) => [run.isError, textOf(run).startsWith("Codex would have no credentials")])).toEqual(
        Array.from({ length: 4 }, () => [true, true]),
      );
      expect((await mcp.call("list_sessions", {})).isError ?? false).toBe(false);
    } finally {
      await mcp.close();
    }
  });

  it("is read as no file, as is a file over the bound; a regular file is read", async () => {
    const { home, fifo } = await homeWithFifo("config.toml");
    await writeFile(join(home, "big.toml"), "x".repeat(2048));
    await writeFile(join(home, "auth.json"), "{}");
    expect([
      await readSmallFile(fifo, 1024),
      await readSmallFile(join(home, "big.toml"), 1024),
      await readSmallFile(join(home, "auth.json"), 1024),
      await readSmallFile(join(home, "missing"), 1024),
    ]).toEqual([undefined, undefined, "{}", undefined]);
  });

  it("control: a plain read of the FIFO waits for a writer", async () => {
    const { fifo } = await homeWithFifo("auth.json");
    const child = spawnSync(
      process.execPath,
      ["-e", `require("node:fs/promises").readFile(${JSON.stringify(fifo)}, "utf8").then(() => process.exit(0))`],
      { timeout: 1_000 },
    );
    expect(child.signal).toBe("SIGTERM"); // still waiting when killed
  });
});
