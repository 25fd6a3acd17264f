// s10 review of the debug tools' changes. A session folder reached through a link (macOS /tmp, a linked home;
// 0.171 records `codex exec --cd <path>` as given, links and all) is not walked for project layers, and must
// then get the user's config.toml's facts, as before project layers were read, not "unknown". A session folder
// that is a file now: 0.171 does not stop on `--cd <file>` (it starts, "Not a directory"), so the step must not
// say it does; and a missing one may be another machine's (published logs): "does not exist here".
import { mkdir, mkdtemp, readFile, realpath, rm, rmdir, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCodexConfig } from "../../src/sessions/codex-config.js";
import { connect, testConfig, type Connected } from "../support/mcp.js";
import { SHAPES, shapeIdOf } from "../support/shape-home.js";
import { putFile } from "../support/files.js";

const ID = shapeIdOf(20);
const FILE_ID = shapeIdOf(21);
const MISSING_ID = shapeIdOf(22);
const BROKEN_ID = shapeIdOf(23);
let root: string;
let home: string;
let linked: string;
let mcp: Connected;

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "ccm-rdebug-")));
  home = join(root, "home");
  const repo = join(root, "repo");
  await mkdir(join(repo, "sub"), { recursive: true });
  await putFile(join(repo, ".git", "HEAD"), "ref: refs/heads/main\n");
  await symlink(repo, join(root, "via-link"));
  linked = join(root, "via-link", "sub");
  const log = (await readFile(join(SHAPES, "mcp-tool-call-timed-out.jsonl"), "utf8")).replaceAll(
    "/home/user/proj",
    linked,
  );
  await putFile(join(home, "sessions", "2026", "12", "05", `rollout-2026-12-05T15-00-00-${ID}.jsonl`), log);
  // the same session in a folder that is a file now, and in one that is not there
  await writeFile(join(root, "was-a-folder"), "");
  for (const [id, folder, at] of [
    [FILE_ID, "was-a-folder", "01"],
    [MISSING_ID, "never-here", "02"],
    [BROKEN_ID, "repo/sub", "03"],
  ] as const) {
    const moved = log.replaceAll(linked, join(root, folder)).replaceAll(ID, id);
    await putFile(join(home, "sessions", "2026", "12", "05", `rollout-2026-12-05T15-00-${at}-${id}.jsonl`), moved);
  }
  mcp = await connect(testConfig({ codexHome: home, codexBin: join(home, "no-such-codex") }));
});
afterAll(async () => mcp.close());

async function diagnosisWith(user: string, id = ID): Promise<Record<string, unknown>> {
  await putFile(join(home, "config.toml"), user);
  const summary = (await mcp.call("session_summary", { session_id: id })).structuredContent as {
    diagnosis: Record<string, unknown>;
  };
  return summary.diagnosis;
}

const TSRV = '[mcp_servers.tsrv]\ncommand = "node"\nargs = ["server.js"]\n';
const resume = (options: string, prompt: string, cwd = linked, id = ID) =>
  `CODEX_HOME=${home} ${join(home, "no-such-codex")} exec --cd ${cwd} --dangerously-bypass-approvals-and-sandbox --model mock-model ${options}${options ? " " : ""}resume ${id} '${prompt}'`;

describe("a session folder with a link on the way: the user's config.toml still counts", () => {
  it("a server no config.toml defines: 'define it again', not the -c override 0.171 refuses ('invalid transport')", async () => {
    const diagnosis = await diagnosisWith("");
    // unknown config printed `-c mcp_servers.tsrv.tool_timeout_sec=60`: pasted, Codex stops at once
    expect(diagnosis.next_command).toBe(resume("", "The MCP tool call timed out; call it again."));
    expect(diagnosis.evidence).toContain("CODEX_HOME's config.toml does not define the MCP server tsrv (any more)");
  });

  it("a server it defines: the -c override; a top-level profile: named in the step", async () => {
    const command = resume(
      "-c mcp_servers.tsrv.tool_timeout_sec=60",
      "The MCP tool call timed out; it has more time now: call it again.",
    );
    expect((await diagnosisWith(TSRV)).next_command).toBe(command);
    const profiled = await diagnosisWith(`profile = "work"\n${TSRV}`);
    expect(profiled.next_step).toBe(
      `The MCP tool tsrv/slowtool did not answer within its server's tool_timeout_sec (3s); resume with a longer one (\`-c mcp_servers.tsrv.tool_timeout_sec=60\`, or set it in Codex's config.toml): ${command} (First take the top-level \`profile\` line out of CODEX_HOME's config.toml, its profile's settings into \`$CODEX_HOME/<name>.config.toml\` for \`--profile <name>\`: Codex 0.171 refuses to start with it.)`,
    );
  });
});

describe("a session folder that is no folder here", () => {
  const steps = (cwd: string, id: string) =>
    `The MCP tool tsrv/slowtool did not answer within its server's tool_timeout_sec (3s); resume with a longer one (\`-c mcp_servers.tsrv.tool_timeout_sec=60\`, or set it in Codex's config.toml): ${resume("-c mcp_servers.tsrv.tool_timeout_sec=60", "The MCP tool call timed out; it has more time now: call it again.", cwd, id)}`;

  it("a file in its place: not 'stops at once (No such file or directory)', which 0.171 does not do there", async () => {
    const file = join(root, "was-a-folder");
    const diagnosis = await diagnosisWith(TSRV, FILE_ID);
    expect(diagnosis.next_command).toBeNull();
    expect((diagnosis.evidence as string[]).at(-1)).toBe(`the session's folder "${file}" is a file now`);
    expect(diagnosis.next_step).toBe(
      `${steps(file, FILE_ID)} — but the session's folder "${file}" is a file now, so Codex resumes there without a folder to work in ("Not a directory"): no command it runs can start. Move the file away and put the folder back first, or run the command with \`--cd\` naming a folder that exists (the conversation comes along, not the files it worked on).`,
    );
  });

  it("a folder put back is seen at once by the same server, and removed again too (not an answer cached with the old)", async () => {
    const missing = join(root, "never-here");
    expect((await diagnosisWith(TSRV, MISSING_ID)).next_command).toBeNull();
    await mkdir(missing);
    expect((await diagnosisWith(TSRV, MISSING_ID)).next_command).toBe(
      resume(
        "-c mcp_servers.tsrv.tool_timeout_sec=60",
        "The MCP tool call timed out; it has more time now: call it again.",
        missing,
        MISSING_ID,
      ),
    );
    await rmdir(missing);
    expect((await diagnosisWith(TSRV, MISSING_ID)).next_command).toBeNull();
  });

  it("nothing there: 'does not exist here' (a published log's folder never existed here: not 'any more')", async () => {
    const missing = join(root, "never-here");
    const diagnosis = await diagnosisWith(TSRV, MISSING_ID);
    expect(diagnosis.next_command).toBeNull();
    expect((diagnosis.evidence as string[]).at(-1)).toBe(`the session's folder "${missing}" does not exist here`);
    expect(diagnosis.next_step).toBe(
      `${steps(missing, MISSING_ID)} — but the session's folder "${missing}" does not exist here, so that command stops at once ("No such file or directory"). Put the folder back first (a removed git worktree: \`git worktree add ${missing} <branch>\`), or run the command with \`--cd\` naming a folder that exists (the conversation comes along, not the files it worked on).`,
    );
  });
});

describe("a worktree whose .git file holds a relative gitdir (git 2.48+ --relative-paths)", () => {
  it("is trusted by its main repository's entry, as codex-rs resolves the gitdir against the top level", async () => {
    const main = join(root, "main");
    const tree = join(root, "tree");
    await putFile(join(main, ".git", "HEAD"), "ref: refs/heads/main\n");
    await putFile(join(tree, ".git"), "gitdir: ../main/.git/worktrees/tree\n");
    await putFile(join(tree, ".codex", "config.toml"), TSRV);
    await putFile(join(home, "config.toml"), `[projects."${main}"]\ntrust_level = "trusted"\n`);
    // before: the main repository's trust not found, the layer counted as an untrusted project's
    expect(await readCodexConfig(home, tree)).toEqual({
      mcpServers: ["tsrv"],
      disabledMcpServers: [],
      mcpToolFilters: [],
      excludeSlashTmp: false,
      projectLayers: 1,
    });
  });
});

describe("a trusted project's .codex/config.toml that is not TOML", () => {
  it("every printed command says Codex refuses to start with it (it was printed with no word of it)", async () => {
    const repo = join(root, "repo");
    await putFile(join(repo, ".codex", "config.toml"), "[[broken");
    try {
      const diagnosis = await diagnosisWith(`${TSRV}[projects."${repo}"]\ntrust_level = "trusted"\n`, BROKEN_ID);
      const command = resume(
        "-c mcp_servers.tsrv.tool_timeout_sec=60",
        "The MCP tool call timed out; it has more time now: call it again.",
        join(repo, "sub"),
        BROKEN_ID,
      );
      expect(diagnosis.next_command).toBe(command);
      expect(diagnosis.next_step).toBe(
        `The MCP tool tsrv/slowtool did not answer within its server's tool_timeout_sec (3s); resume with a longer one (\`-c mcp_servers.tsrv.tool_timeout_sec=60\`, or set it in Codex's config.toml): ${command} (First fix the trusted project's .codex/config.toml, which is not TOML: Codex 0.171 refuses to start with it.)`,
      );
      expect((diagnosis.evidence as string[]).at(-1)).toBe(
        "the trusted project's .codex/config.toml (between the repository's top level and the session's folder) is not TOML, which Codex 0.171 refuses to start with (\"Error parsing project config file\")",
      );
    } finally {
      await rm(join(repo, ".codex"), { recursive: true, force: true });
    }
  });
});
