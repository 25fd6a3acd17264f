// A throw-away CODEX_HOME whose config points the real Codex CLI at the fake model on loopback.
import { mkdtemp, mkdir, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCodexHome {
  /** CODEX_HOME, symlinks resolved (Codex canonicalizes it and stores resolved paths). */
  home: string;
  /** A scratch working directory for runs, outside CODEX_HOME. */
  workdir: string;
}

export async function makeCodexHome(modelUrl: string, name = "codex"): Promise<TestCodexHome> {
  const root = await realpath(await mkdtemp(join(tmpdir(), `ccm-${name}-`)));
  const home = join(root, "home");
  const workdir = join(root, "proj");
  await mkdir(home, { recursive: true });
  await mkdir(workdir, { recursive: true });
  await writeFile(join(home, "config.toml"), codexConfig(modelUrl));
  return { home, workdir };
}

export function codexConfig(modelUrl: string): string {
  return [
    'model = "mock-model"',
    'model_provider = "mock"',
    'approval_policy = "never"',
    'sandbox_mode = "danger-full-access"',
    "",
    "[model_providers.mock]",
    'name = "mock"',
    `base_url = "${modelUrl}"`,
    'wire_api = "responses"',
    "request_max_retries = 0",
    "stream_max_retries = 0",
    "",
  ].join("\n");
}

/** Environment for a Codex child: its own home, a dummy key, nothing from the developer's machine. */
export function codexEnv(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    CODEX_HOME: home,
    OPENAI_API_KEY: "sk-fake",
    RUST_LOG: "error",
    NO_COLOR: "1",
    TZ: "UTC",
  };
}
