// Answers found wrong on real logs and on what the real CLI 0.171 writes (s10). Fixtures in test/fixtures/shapes/.
import { execFile } from "node:child_process";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { CLI } from "../support/stdio-server.js";
import { shapeHome, shapeIdOf } from "../support/shape-home.js";

const NAMED: Array<[string, number]> = [
  ["unified-exec-polls", 101],
  ["code-mode-exec-with-nested-calls", 102],
];
let home: string;

beforeAll(async () => {
  home = await shapeHome("ccm-shapes-s10-", NAMED, "2026-12-05T18-00");
});

/** The built CLI run from `cwd` with CODEX_HOME as given (as a person types it). */
async function cli(
  cwd: string,
  codexHome: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", CODEX_HOME: codexHome, CODEX_CONTROL_STATE_DIR: join(dirname(home), "state") },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe("a relative CODEX_HOME is Codex's: resolved against the current folder (codex-rs canonicalizes it)", () => {
  it("calls of a file folded whole (code mode, forks, sub-agents) found it again by its relative path", async () => {
    // before: `"ccm-shapes-s10-…/sessions/…" is not a session id`, exit 1 (the fold re-read the file by its path)
    const result = await cli(dirname(home), basename(home), ["calls", shapeIdOf(102), "--json"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout) as { session_id: string; path: string; total_calls: number };
    expect(answer.session_id).toBe("0199aaaa-0000-7000-8000-000000000007");
    expect(answer.path).toBe(
      join(home, "sessions", "2026", "12", "05", `rollout-2026-12-05T18-00-01-${shapeIdOf(102)}.jsonl`),
    );
    expect(answer.total_calls).toBe(3);
  });

  it("the printed next step names the home absolutely: it works pasted from any folder", async () => {
    const result = await cli(dirname(home), basename(home), ["summary", shapeIdOf(101), "--json"]);
    const summary = JSON.parse(result.stdout) as { path: string; diagnosis: { next_command: string } };
    expect(summary.path.startsWith(`${home}/`)).toBe(true);
    expect(summary.diagnosis.next_command.startsWith(`CODEX_HOME=${home} codex exec `)).toBe(true);
  });
});
