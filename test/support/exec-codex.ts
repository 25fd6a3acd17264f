// One `codex exec` of the real pinned CLI against the fake model, in a home of its own: the way to write the real
// log of a scripted shape (see fake-model.ts's script commands) without the run wing in between.
import { spawn } from "node:child_process";
import { appendFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { codexEnv, makeCodexHome } from "./codex-home.js";
import { PINNED_CODEX } from "./codex-versions.js";
import type { FakeModel } from "./fake-model.js";

export interface ExecOptions {
  /** Extra `codex exec` arguments before the prompt (`-m gpt-5.5`, `-s workspace-write`). */
  args?: string[];
  /** TOML appended to the home's config.toml (`[features]` …). */
  config?: string;
  /** Files written into the workdir first, name → content. */
  files?: Record<string, string>;
}

export interface ExecResult {
  home: string;
  workdir: string;
  /** The root both live in (a path outside the workdir: `${root}/outside.txt`). */
  root: string;
  exitCode: number | null;
  stdout: string;
  /** The session ids of the logs written, in file-name order (a parent before the sub-agents it spawned). */
  sessionIds: string[];
}

/** `prompt` may name `{ROOT}`: the temp root holding the workdir, outside its writable roots. */
export async function execCodex(model: FakeModel, prompt: string, options: ExecOptions = {}): Promise<ExecResult> {
  const { home, workdir } = await makeCodexHome(model.url, "shape");
  const root = join(workdir, "..");
  if (options.config) await appendFile(join(home, "config.toml"), `${options.config}\n`);
  for (const [name, content] of Object.entries(options.files ?? {})) await writeFile(join(workdir, name), content);
  const argv = [
    PINNED_CODEX,
    "exec",
    "--skip-git-repo-check",
    "-C",
    workdir,
    ...(options.args ?? []),
    prompt.replaceAll("{ROOT}", root),
  ];
  const child = spawn(process.execPath, argv, { env: codexEnv(home), stdio: ["ignore", "pipe", "ignore"] });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  const exitCode = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { home, workdir, root, exitCode, stdout, sessionIds: await sessionIdsIn(home) };
}

async function sessionIdsIn(home: string): Promise<string[]> {
  // none when Codex refused to start (a bad config): the test's own assertions say so
  const all = await readdir(join(home, "sessions"), { recursive: true }).catch(() => [] as string[]);
  const files = all.filter((f) => f.endsWith(".jsonl"));
  return files
    .sort()
    .map((file) => /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/.exec(file)?.[1] ?? file);
}

/**
 * `codex exec "please say hi"` in an existing home and folder, with the home's clean environment and `env` over
 * it: its exit code and stderr (what Codex itself does with a config or credentials, beside our answer).
 */
export function execInHome(
  home: string,
  workdir: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(PINNED_CODEX, ["exec", "--skip-git-repo-check", "-C", workdir, "please say hi"], {
    env: { ...codexEnv(home), ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr })));
}
