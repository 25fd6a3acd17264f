// An untrusted project's `.codex/config.toml` naming 130,000 MCP servers (hostile; it fits the 1 MiB a config
// may have): their names were appended with `push(...names)`, one argument each, and a spread of about 125,000
// overflows V8's stack, so reading the config (each summary's step) failed with "Maximum call stack size
// exceeded". They are appended one by one (shared/arrays.ts).
import { mkdtemp, realpath } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCodexConfig } from "../../src/sessions/codex-config.js";
import { putFile } from "../support/files.js";

const SERVERS = 130_000;

describe("an untrusted project config naming 130,000 MCP servers", () => {
  it("is read, each server named as only the untrusted project's", async () => {
    const root = await realpath(await mkdtemp(join(tmpdir(), "ccm-huge-servers-")));
    const home = join(root, "home");
    const cwd = join(root, "repo");
    await putFile(join(cwd, ".git", "HEAD"), "ref: refs/heads/main\n");
    await putFile(join(home, "config.toml"), "");
    const names = Array.from({ length: SERVERS }, (_, n) => `s${n.toString(36)}`);
    await putFile(
      join(cwd, ".codex", "config.toml"),
      `[mcp_servers]\n${names.map((name) => `${name}=1`).join("\n")}\n`,
    );
    const none = { config: join(root, "no-config.toml"), managed: join(root, "no-managed.toml") };
    const facts = await readCodexConfig(home, cwd, none);
    expect(facts?.untrustedProjectServers?.length).toBe(SERVERS);
  });
});
