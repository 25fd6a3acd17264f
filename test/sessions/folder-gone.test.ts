// a session folder whose parent is gone too (a removed temp root or checkout holding it) still got a
// `codex exec --cd <folder> … resume`, which 0.171 stops at once ("Error: No such file or directory (os error
// 2)", checked with the CLI). Now the step says which folders are missing and which folder above them is there.
// A path whose nearest folder here is the top level or right under it (`/home` for `/home/user/proj`) is still
// taken as another machine's (copied or published logs): its command is printed.
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { folderGone } from "../../src/sessions/folder-gone.js";
import { connect, testConfig, type Connected } from "../support/mcp.js";
import { SHAPES, shapeIdOf } from "../support/shape-home.js";

const ID = shapeIdOf(20);
let root: string;
let home: string;
let cwd: string;
let mcp: Connected;

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "ccm-gone-")));
  home = join(root, "home");
  cwd = join(root, "checkout", "repo", "sub");
  const log = (await readFile(join(SHAPES, "mcp-tool-call-timed-out.jsonl"), "utf8")).replaceAll(
    "/home/user/proj",
    cwd,
  );
  const path = join(home, "sessions", "2026", "12", "05", `rollout-2026-12-05T15-00-00-${ID}.jsonl`);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, log);
  await writeFile(join(home, "config.toml"), '[mcp_servers.tsrv]\ncommand = "node"\n');
  mcp = await connect(testConfig({ codexHome: home, codexBin: join(home, "no-such-codex") }));
});
afterAll(async () => mcp.close());

const diagnosis = async () =>
  (
    (await mcp.call("session_summary", { session_id: ID })).structuredContent as {
      diagnosis: { next_step: string; next_command: string | null; evidence: string[] };
    }
  ).diagnosis;

describe("a session folder whose parent is gone too", () => {
  it("says which folders are missing and which one above is there, with no command that stops at once", async () => {
    const command = `CODEX_HOME=${home} ${join(home, "no-such-codex")} exec --cd ${cwd} --dangerously-bypass-approvals-and-sandbox --model mock-model -c mcp_servers.tsrv.tool_timeout_sec=60 resume ${ID} 'The MCP tool call timed out; it has more time now: call it again.'`;
    const fact = `the session's folder "${cwd}" does not exist here, nor "${join(root, "checkout")}" above it ("${root}" does)`;
    const gone = await diagnosis();
    expect(gone.next_command).toBeNull();
    expect(gone.evidence.at(-1)).toBe(fact);
    expect(gone.next_step).toBe(
      `The MCP tool tsrv/slowtool did not answer within its server's tool_timeout_sec (3s); resume with a longer one (\`-c mcp_servers.tsrv.tool_timeout_sec=60\`, or set it in Codex's config.toml): ${command} — but ${fact}, so that command stops at once ("No such file or directory"). Put the folder back first (a removed git worktree: \`git worktree add ${cwd} <branch>\`), or run the command with \`--cd\` naming a folder that exists (the conversation comes along, not the files it worked on).`,
    );
    // put back: the command again
    await mkdir(cwd, { recursive: true });
    try {
      expect((await diagnosis()).next_command).toBe(command);
    } finally {
      await rm(join(root, "checkout"), { recursive: true });
    }
  });

  it("the nearest folder here at the top or right under it: another machine's path, taken as there", async () => {
    expect(await folderGone(join(root, "a", "b", "c"))).toEqual({ nearest: root });
    expect(await folderGone(join(root, "a"))).toBe("missing");
    // a folder right under the top level (a temp root of another machine): only looked up, never made
    expect(await folderGone(`/tmp/ccm-s11-never-here-${process.pid}/a/b`)).toBe(false);
    expect(await folderGone("/no-such-top-ccm/user/proj")).toBe(false);
    expect(await folderGone("/no-such-top-ccm/user")).toBe(false);
    // a file on the way: not a missing folder
    await writeFile(join(root, "plain"), "");
    expect(await folderGone(join(root, "plain", "a", "b"))).toBe(false);
  });
});
