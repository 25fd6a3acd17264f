// Fixture executables standing in for `codex` where the real CLI cannot be made to show a fault.
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RUN_MARKER } from "../../src/codex/processes.js";
import { PINNED_CODEX } from "./codex-versions.js";

const HELP = `Run Codex non-interactively

Usage: codex exec [OPTIONS] [PROMPT]

Commands:
  resume  Resume a previous session by id or pick the most recent with --last
  help    Print this message or the help of the given subcommand(s)

Options:
  -c, --config <key=value>
  -m, --model <MODEL>
  -s, --sandbox <SANDBOX_MODE>
      --dangerously-bypass-approvals-and-sandbox
  -C, --cd <DIR>
      --skip-git-repo-check
      --json
  -o, --output-last-message <FILE>
`;

/** Prints a session and a completed turn, like a quick successful 0.169 run. */
export const QUICK_SUCCESS = `echo '{"type":"thread.started","thread_id":"01a20a99-0000-7000-8000-00000000000a"}'; echo '{"type":"turn.started"}'; echo '{"type":"item.completed","item":{"id":"item_0","type":"agent_message","text":"ok"}}'; echo '{"type":"turn.completed","usage":{"input_tokens":1,"cached_input_tokens":0,"output_tokens":1}}'`;

/**
 * A `codex` that answers the capability probe like 0.169 and runs `body` (bash) for `exec`. The prompt
 * (stdin) goes to `$STDIN_FILE` when that is set in its environment, else nowhere.
 */
export async function stubCodex(body: string, version = "0.169.0"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ccm-stub-"));
  const path = join(dir, "codex");
  await writeFile(
    path,
    `#!/usr/bin/env bash
if [ "$1" = "--version" ]; then echo "codex-cli ${version}"; exit 0; fi
if [ "$1" = "exec" ] && [ "$2" = "--help" ]; then cat <<'HELP'
${HELP}HELP
exit 0; fi
cat > "\${STDIN_FILE:-/dev/null}"
${body}
`,
  );
  await chmod(path, 0o755);
  return path;
}

/** The pinned CLI, except that a run's `codex app-server` (not the probe's) never gets through its handshake. */
export async function stuckAppServer(): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), "ccm-stuck-")), "codex");
  await writeFile(
    path,
    `#!/usr/bin/env bash
if [ "$1" = "app-server" ] && [ -n "$${RUN_MARKER}" ]; then exec sleep 600; fi
exec ${JSON.stringify(process.execPath)} ${JSON.stringify(PINNED_CODEX)} "$@"
`,
  );
  await chmod(path, 0o755);
  return path;
}

/**
 * The real CLI (pinned) behind a wrapper that touches `started` when it runs for a run (its environment holds
 * the run marker; the server's own probes carry none): whether a run started any Codex at all.
 */
export async function markingCodex(prefix: string): Promise<{ bin: string; started: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const started = join(dir, "codex-was-started");
  const bin = join(dir, "codex");
  await writeFile(
    bin,
    `#!/usr/bin/env bash\nif [ -n "$${RUN_MARKER}" ]; then touch ${JSON.stringify(started)}; fi\nexec ${JSON.stringify(PINNED_CODEX)} "$@"\n`,
  );
  await chmod(bin, 0o755);
  return { bin, started };
}
