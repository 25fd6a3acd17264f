// A machine config file this user cannot read (`/etc/codex/config.toml` or `managed_config.toml` of mode 600,
// another user's) stops Codex 0.171 ("Failed to read config file /etc/codex/config.toml: Permission denied
// (os error 13)"; the managed one: "Permission denied (os error 13)"; checked with the CLI as `nobody`, /etc/codex
// bound over in a private mount namespace), yet the config was only "unknown" and every printed command said
// nothing of it. As root no mode makes a file unreadable, so `open` answers EACCES for these paths here.
import { mkdir, mkdtemp, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("node:fs/promises", async (original) => {
  const real = await original<typeof import("node:fs/promises")>();
  return {
    ...real,
    open: (async (path: string, ...rest: unknown[]) => {
      if (String(path).includes("unreadable-by-this-user"))
        throw Object.assign(new Error(`EACCES: permission denied, open '${String(path)}'`), { code: "EACCES" });
      return (real.open as (...args: unknown[]) => unknown)(path, ...rest);
    }) as typeof real.open,
  };
});

const { readCodexConfig } = await import("../../src/sessions/codex-config.js");
const { configRefusals } = await import("../../src/sessions/diagnosis-config-refusals.js");

let home: string;
let etc: string;
beforeAll(async () => {
  const root = await realpath(await mkdtemp(join(tmpdir(), "ccm-system-unreadable-")));
  home = join(root, "home");
  etc = join(root, "etc");
  await mkdir(etc);
  await mkdir(home);
  await writeFile(join(home, "config.toml"), '[mcp_servers.sys]\ncommand = "node"\n');
});

describe("a machine config file this user cannot read", () => {
  it("every printed command says to have it made readable first", async () => {
    for (const which of ["config", "managed"] as const) {
      const files = {
        config: join(etc, which === "config" ? "unreadable-by-this-user.toml" : "config.toml"),
        managed: join(etc, which === "managed" ? "unreadable-by-this-user.toml" : "managed_config.toml"),
      };
      const file = files[which];
      const facts = await readCodexConfig(home, null, files);
      expect(configRefusals(facts)).toEqual({
        evidence: [
          `${file} cannot be read by this user ("Permission denied"), which Codex 0.171 refuses to start with ("Failed to read config file")`,
        ],
        steps: [
          `(First have ${file}, the machine's own config, made readable to the user Codex runs as: Codex 0.171 refuses to start otherwise.)`,
        ],
      });
      expect(facts).toEqual({
        mcpServers: [],
        disabledMcpServers: [],
        mcpToolFilters: [],
        excludeSlashTmp: false,
        unreadableSystemConfig: file,
      });
    }
  });

  it("a file that is there and readable: no refusal (the control)", async () => {
    const files = { config: join(etc, "config.toml"), managed: join(etc, "managed_config.toml") };
    await writeFile(files.config, "");
    const facts = await readCodexConfig(home, null, files);
    expect(configRefusals(facts)).toEqual({ evidence: [], steps: [] });
    expect(facts?.mcpServers).toEqual(["sys"]);
  });
});

// requirements.toml this user cannot read stops 0.171 too ("Error loading config.toml: Failed to read
// requirements file /etc/codex/requirements.toml: Permission denied (os error 13)", checked as `nobody` with the
// file root's and mode 600), yet it was "not judged" and every printed command said nothing of it.
describe("a requirements.toml this user cannot read", () => {
  it("every printed command says to have it made readable first", async () => {
    const requirements = join(etc, "unreadable-by-this-user.toml");
    const files = { config: join(etc, "config.toml"), managed: join(etc, "managed_config.toml"), requirements };
    const facts = await readCodexConfig(home, null, files);
    expect(configRefusals(facts)).toEqual({
      evidence: [
        `${requirements} cannot be read by this user ("Permission denied"), which Codex 0.171 refuses to start with ("Failed to read requirements file")`,
      ],
      steps: [
        `(First have ${requirements}, the machine's requirements, made readable to the user Codex runs as: Codex 0.171 refuses to start otherwise.)`,
      ],
    });
    expect(facts).toEqual({
      mcpServers: [],
      disabledMcpServers: [],
      mcpToolFilters: [],
      excludeSlashTmp: false,
      unreadableRequirements: requirements,
    });
  });
});
