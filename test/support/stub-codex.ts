// Fixture executables standing in for `codex` where the real CLI cannot be made to show a fault.
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

/** A `codex` that answers the capability probe like 0.169 and runs `body` (bash) for `exec`. */
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
cat > /dev/null
${body}
`,
  );
  await chmod(path, 0o755);
  return path;
}
