// A CODEX_HOME whose config.toml trusts a git repository with a .codex/config.toml of its own: the layers Codex
// merges for a run in that repository.
import { mkdir, mkdtemp, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A CODEX_HOME trusting a git repository whose .codex/config.toml is `project`. */
export async function projectWith(user: string, project: string) {
  const root = await realpath(await mkdtemp(join(tmpdir(), "ccm-trusted-project-")));
  const home = join(root, "home");
  const repo = join(root, "repo");
  await mkdir(join(repo, ".git"), { recursive: true });
  await mkdir(join(repo, ".codex"), { recursive: true });
  await mkdir(home);
  await writeFile(join(repo, ".git", "HEAD"), "ref: refs/heads/main\n");
  await writeFile(join(home, "config.toml"), `${user}[projects."${repo}"]\ntrust_level = "trusted"\n`);
  await writeFile(join(repo, ".codex", "config.toml"), project);
  const none = { config: join(root, "none.toml"), managed: join(root, "none2.toml") };
  return { home, repo, none };
}
