// The config a printed resume runs with is Codex's layered one (0.171 checked): `$CODEX_HOME/config.toml`, then
// the trusted projects' `.codex/config.toml` from the git repository's top level down to the session's cwd,
// nearer winning per key. An untrusted project's file does not count ("Untrusted project-local configuration is
// disabled"); a top-level `profile` makes 0.171 refuse to start; a call's `mcp__<server>__<tool>` name holds
// Codex's sanitized names.
import { mkdir, readFile, realpath, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mkdtemp } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readCodexConfig, type CodexConfigFacts } from "../../src/sessions/codex-config.js";
import { mcpTimeoutOf } from "../../src/sessions/diagnosis-work.js";
import { mcpTimeoutStep } from "../../src/sessions/mcp-timeout-step.js";
import { resumeCommandLine } from "../../src/sessions/resume-command.js";
import { connect, testConfig, type Connected } from "../support/mcp.js";
import { SHAPES, shapeIdOf } from "../support/shape-home.js";
import { putFile } from "../support/files.js";

const ID = shapeIdOf(20);
const TMP_ID = shapeIdOf(12);
let root: string;
let home: string;
let repo: string;
let cwd: string;
let mcp: Connected;

const TSRV = '[mcp_servers.tsrv]\ncommand = "node"\nargs = ["server.js"]\n';
const trust = (folder: string, level = "trusted") => `[projects."${folder}"]\ntrust_level = "${level}"\n`;

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "ccm-project-config-")));
  home = join(root, "home");
  repo = join(root, "repo");
  cwd = join(repo, "sub");
  await mkdir(cwd, { recursive: true });
  // a git repository as Codex finds one: a .git folder holding HEAD
  await putFile(join(repo, ".git", "HEAD"), "ref: refs/heads/main\n");
  // the real-CLI MCP timeout shape, run in the repository's sub folder
  for (const [shape, id, at] of [
    ["mcp-tool-call-timed-out", ID, "15-00-00"],
    ["sandbox-read-only-write-to-tmp", TMP_ID, "15-00-01"],
  ] as const) {
    const log = (await readFile(join(SHAPES, `${shape}.jsonl`), "utf8")).replaceAll("/home/user/proj", cwd);
    await putFile(join(home, "sessions", "2026", "12", "05", `rollout-2026-12-05T${at}-${id}.jsonl`), log);
  }
  mcp = await connect(testConfig({ codexHome: home, codexBin: join(home, "no-such-codex") }));
});
afterAll(async () => mcp.close());

beforeEach(async () => {
  await rm(join(repo, ".codex"), { recursive: true, force: true });
  await rm(join(cwd, ".codex"), { recursive: true, force: true });
});

async function diagnosisWith(
  user: string,
  files: Record<string, string> = {},
  id = ID,
): Promise<Record<string, unknown>> {
  await putFile(join(home, "config.toml"), user);
  for (const [path, text] of Object.entries(files)) await putFile(path, text);
  const summary = (await mcp.call("session_summary", { session_id: id })).structuredContent as {
    diagnosis: Record<string, unknown>;
  };
  return summary.diagnosis;
}

const RAN_OUT = "The MCP tool tsrv/slowtool did not answer within its server's tool_timeout_sec (3s)";
const resume = (options: string, prompt = "The MCP tool call timed out; it has more time now: call it again.") =>
  `CODEX_HOME=${home} ${join(home, "no-such-codex")} exec --cd ${cwd} --dangerously-bypass-approvals-and-sandbox --model mock-model ${options}${options ? " " : ""}resume ${ID} '${prompt}'`;
const PLAIN = () => resume("", "The MCP tool call timed out; call it again.");

describe("an MCP server defined in the project's .codex/config.toml", () => {
  it("trusted (the repository's top level): the -c override, not 'define the server again' (main's step)", async () => {
    const diagnosis = await diagnosisWith(trust(repo), { [join(repo, ".codex", "config.toml")]: TSRV });
    const command = resume("-c mcp_servers.tsrv.tool_timeout_sec=60");
    expect(diagnosis.next_command).toBe(command);
    expect(diagnosis.next_step).toBe(
      `${RAN_OUT}; resume with a longer one (\`-c mcp_servers.tsrv.tool_timeout_sec=60\`, or set it in Codex's config.toml): ${command}`,
    );
  });

  it("not trusted: Codex ignores the file, so the step says so and prints no override", async () => {
    for (const user of ["", trust(repo, "untrusted"), trust(`${repo}/`)]) {
      const diagnosis = await diagnosisWith(user, { [join(repo, ".codex", "config.toml")]: TSRV });
      const ignored =
        '; the project\'s .codex/config.toml defines it, but the project is not trusted, and Codex ignores that file ("Untrusted project-local configuration is disabled")';
      expect(diagnosis.next_command).toBe(PLAIN());
      expect(diagnosis.next_step).toBe(
        `${RAN_OUT}. CODEX_HOME's config.toml does not define the server tsrv${ignored}, so \`-c mcp_servers.tsrv.tool_timeout_sec=60\` makes Codex refuse to start ("invalid transport in \`mcp_servers.tsrv\`"). Define the server again with \`tool_timeout_sec = 60\` in its [mcp_servers.tsrv] table of CODEX_HOME's config.toml, or mark the project trusted there ([projects."<its folder>"] trust_level = "trusted": Codex then runs the project's MCP servers too, the operator's call) and set the timeout in the project's file, then: ${PLAIN()}`,
      );
      expect(diagnosis.evidence).toContain(
        `CODEX_HOME's config.toml does not define the MCP server tsrv (any more)${ignored}`,
      );
    }
  });

  it("trust is the folder's own entry, else the top level's: the sub folder's trust does not carry the top's file", async () => {
    const top = { [join(repo, ".codex", "config.toml")]: TSRV };
    expect((await diagnosisWith(trust(cwd), top)).next_command).toBe(PLAIN());
    await rm(join(repo, ".codex"), { recursive: true });
    const own = { [join(cwd, ".codex", "config.toml")]: TSRV };
    expect((await diagnosisWith(trust(cwd), own)).next_command).toBe(resume("-c mcp_servers.tsrv.tool_timeout_sec=60"));
    // the top level's trust covers the folders below it
    expect((await diagnosisWith(trust(repo), own)).next_command).toBe(
      resume("-c mcp_servers.tsrv.tool_timeout_sec=60"),
    );
  });

  it("merged per key with the user's config, the nearer file winning", async () => {
    const off = await diagnosisWith(`${TSRV}${trust(repo)}`, {
      [join(repo, ".codex", "config.toml")]: "[mcp_servers.tsrv]\nenabled = false\n",
    });
    expect(off.next_command).toBe(resume("-c mcp_servers.tsrv.enabled=true -c mcp_servers.tsrv.tool_timeout_sec=60"));
    expect(off.evidence).toContain(
      "CODEX_HOME's config.toml with the project's .codex/config.toml turns the MCP server tsrv off (enabled = false)",
    );
    const narrowed = await diagnosisWith(trust(repo), {
      [join(repo, ".codex", "config.toml")]: `${TSRV}enabled_tools = ["fast", "slowtool"]\n`,
      [join(cwd, ".codex", "config.toml")]: '[mcp_servers.tsrv]\nenabled_tools = ["fast"]\n',
    });
    expect(narrowed.next_command).toBe(
      resume(`-c 'mcp_servers.tsrv.enabled_tools=["fast","slowtool"]' -c mcp_servers.tsrv.tool_timeout_sec=60`),
    );
    // an untrusted project's enabled = false does not count
    const ignored = await diagnosisWith(TSRV, {
      [join(repo, ".codex", "config.toml")]: "[mcp_servers.tsrv]\nenabled = false\n",
    });
    expect(ignored.next_command).toBe(resume("-c mcp_servers.tsrv.tool_timeout_sec=60"));
  });
});

describe("exclude_slash_tmp in a trusted project's .codex/config.toml", () => {
  it("a read-only session's refused /tmp write: --add-dir /tmp (main: the plain workspace-write resume, refused again)", async () => {
    const files = { [join(repo, ".codex", "config.toml")]: "[sandbox_workspace_write]\nexclude_slash_tmp = true\n" };
    const exec = `CODEX_HOME=${home} ${join(home, "no-such-codex")} exec --cd ${cwd} --sandbox workspace-write --skip-git-repo-check`;
    expect((await diagnosisWith(trust(repo), files, TMP_ID)).next_command).toBe(
      `mkdir -p /tmp && ${exec} --model mock-model --add-dir /tmp resume ${TMP_ID} 'The folders you wrote to are writable now; do the refused writes again.'`,
    );
    expect((await diagnosisWith("", files, TMP_ID)).next_command).toBe(
      `${exec} --model mock-model resume ${TMP_ID} 'The sandbox was read-only; do the writes again.'`,
    );
  });
});

describe("readCodexConfig: the layers a resume in the session's folder runs with", () => {
  const facts = (extra: Partial<CodexConfigFacts> = {}): CodexConfigFacts => ({
    mcpServers: [],
    disabledMcpServers: [],
    mcpToolFilters: [],
    excludeSlashTmp: false,
    ...extra,
  });
  const EXCLUDE = "[sandbox_workspace_write]\nexclude_slash_tmp = true\n";

  it("exclude_slash_tmp from a trusted project's file, not an untrusted one's; the nearer layer wins", async () => {
    await putFile(join(repo, ".codex", "config.toml"), EXCLUDE);
    await putFile(join(home, "config.toml"), trust(repo));
    expect(await readCodexConfig(home, cwd)).toEqual(facts({ excludeSlashTmp: true, projectLayers: 1 }));
    await putFile(join(home, "config.toml"), "");
    expect(await readCodexConfig(home, cwd)).toEqual(facts());
    await putFile(join(home, "config.toml"), `${trust(repo)}${EXCLUDE}`);
    await putFile(join(cwd, ".codex", "config.toml"), "[sandbox_workspace_write]\nexclude_slash_tmp = false\n");
    expect(await readCodexConfig(home, cwd)).toEqual(facts({ projectLayers: 2 }));
  });

  it("a worktree's top level is trusted by its main repository's entry", async () => {
    const tree = join(root, "tree");
    await putFile(join(tree, ".git"), `gitdir: ${repo}/.git/worktrees/tree\n`);
    await putFile(join(tree, ".codex", "config.toml"), TSRV);
    await putFile(join(home, "config.toml"), trust(repo));
    expect(await readCodexConfig(home, join(tree))).toEqual(facts({ mcpServers: ["tsrv"], projectLayers: 1 }));
    await putFile(join(home, "config.toml"), trust(join(root, "elsewhere")));
    expect(await readCodexConfig(home, tree)).toEqual(facts({ untrustedProjectServers: ["tsrv"] }));
  });

  it("outside a repository only the cwd's own .codex counts", async () => {
    const plain = join(root, "plain");
    await putFile(join(plain, ".codex", "config.toml"), TSRV);
    await mkdir(join(plain, "deeper"), { recursive: true });
    await putFile(join(home, "config.toml"), trust(plain));
    expect(await readCodexConfig(home, plain)).toEqual(facts({ mcpServers: ["tsrv"], projectLayers: 1 }));
    expect(await readCodexConfig(home, join(plain, "deeper"))).toEqual(facts());
  });

  it("links, broken files and odd folders: unknown where Codex would read them, else the user's file only", async () => {
    const user = `${TSRV}${trust(repo)}`;
    await putFile(join(home, "config.toml"), user);
    const own = facts({ mcpServers: ["tsrv"] });
    // a trusted project's file that is not TOML: 0.171 does not start ("Error parsing project config file")
    await putFile(join(repo, ".codex", "config.toml"), "[[broken");
    expect(await readCodexConfig(home, cwd)).toEqual({ ...own, brokenProjectConfig: true });
    // a link in place of the file or of .codex is never followed
    await rm(join(repo, ".codex"), { recursive: true });
    await putFile(join(root, "planted", "config.toml"), "[mcp_servers.tsrv]\nenabled = false\n");
    await mkdir(join(repo, ".codex"));
    await symlink(join(root, "planted", "config.toml"), join(repo, ".codex", "config.toml"));
    expect(await readCodexConfig(home, cwd)).toBeUndefined();
    await rm(join(repo, ".codex"), { recursive: true });
    await symlink(join(root, "planted"), join(repo, ".codex"));
    expect(await readCodexConfig(home, cwd)).toBeUndefined();
    await rm(join(repo, ".codex"));
    // a link on the way to the cwd
    await symlink(repo, join(root, "via-link"));
    expect(await readCodexConfig(home, join(root, "via-link", "sub"))).toEqual(own);
    // an untrusted project's broken file: Codex ignores it
    await putFile(join(home, "config.toml"), TSRV);
    await putFile(join(repo, ".codex", "config.toml"), "[[broken");
    expect(await readCodexConfig(home, cwd)).toEqual(own);
    // a cwd that is no plain absolute folder: the user's file only
    await putFile(join(home, "config.toml"), user);
    await putFile(join(repo, ".codex", "config.toml"), "[mcp_servers.tsrv]\nenabled = false\n");
    for (const odd of ["sub", `${repo}/../repo/sub`, `${cwd}/`, `${cwd}\0`, `/${"d".repeat(4096)}`, null, undefined])
      expect(await readCodexConfig(home, odd)).toEqual(own);
    // deeper than 64 folders: not walked, the user's file only
    expect(await readCodexConfig(home, `/${"d/".repeat(64)}x`)).toEqual(own);
    expect(await readCodexConfig(home, `/${"d/".repeat(63)}x`)).toEqual(own);
    expect((await readCodexConfig(home, cwd))?.disabledMcpServers).toEqual(["tsrv"]);
  });

  it("CODEX_HOME itself as a folder's .codex is the user's file, not a project layer", async () => {
    const inner = join(root, "inner");
    await putFile(join(inner, ".codex", "config.toml"), `${TSRV}${trust(inner)}`);
    expect(await readCodexConfig(join(inner, ".codex"), inner)).toEqual(facts({ mcpServers: ["tsrv"] }));
  });
});

describe("a top-level profile in the user's config (0.171 refuses to start)", () => {
  it("every printed command says so", async () => {
    const diagnosis = await diagnosisWith(`profile = "work"\n${TSRV}`);
    const command = resume("-c mcp_servers.tsrv.tool_timeout_sec=60");
    expect(diagnosis.next_step).toBe(
      `${RAN_OUT}; resume with a longer one (\`-c mcp_servers.tsrv.tool_timeout_sec=60\`, or set it in Codex's config.toml): ${command} (First take the top-level \`profile\` line out of CODEX_HOME's config.toml, its profile's settings into \`$CODEX_HOME/<name>.config.toml\` for \`--profile <name>\`: Codex 0.171 refuses to start with it.)`,
    );
    expect(diagnosis.evidence).toContain(
      'CODEX_HOME\'s config.toml has a top-level `profile = "…"`, which Codex 0.171 refuses to start with ("legacy `profile` config is no longer supported; use `--profile <name>` with `<name>.config.toml` instead")',
    );
    // a [profiles.<name>] table alone is not applied without --profile, and does not stop Codex
    expect((await diagnosisWith(`${TSRV}[profiles.work]\nmodel = "m"\n`)).next_step).not.toContain("profile");
  });
});

describe("a timeout named only by the call's mcp__<server>__<tool> (Codex's sanitized names)", () => {
  const call = (name: string) => ({
    callId: "c",
    name,
    arguments: {},
    turn: 1,
    result: { kind: "call_result" as const, callId: "c", text: "timed out awaiting tools/call after 3s", line: 1 },
  });
  const cmd = (extra: { options?: string[]; prompt?: string }) =>
    resumeCommandLine({ sessionId: ID, cwd: "/p", ...extra });
  const step = (name: string, config: CodexConfigFacts | undefined) => {
    const timeout = mcpTimeoutOf(call(name));
    if (!timeout) throw new Error(`no timeout in ${name}`);
    return mcpTimeoutStep(timeout, config, cmd);
  };
  const config = (servers: string[], extra: Partial<CodexConfigFacts> = {}): CodexConfigFacts => ({
    mcpServers: servers,
    disabledMcpServers: [],
    mcpToolFilters: [],
    excludeSlashTmp: false,
    ...extra,
  });
  const timeoutOf = (server: string) => ({
    options: ["-c", `mcp_servers.${server}.tool_timeout_sec=60`],
    prompt: "The MCP tool call timed out; it has more time now: call it again.",
  });
  const NO_SERVER = cmd({ prompt: "The MCP tool call timed out; call it again." });

  it("x_y is the configured x-y (0.171 writes - as _): its own name in the -c key", () => {
    expect(step("mcp__x_y__slowtool", config(["x-y"])).command).toBe(cmd(timeoutOf("x-y")));
    expect(step("mcp__x_y__slowtool", config(["other", "x_y"])).command).toBe(cmd(timeoutOf("x_y")));
  });

  it("a name that fits several configured servers, or an unknown config where a _ may stand for anything: no -c", () => {
    const ambiguous = step("mcp__x_y__slowtool", config(["x-y", "x.y"]));
    expect(ambiguous.command).toBe(NO_SERVER);
    expect(ambiguous.next).toBe(
      `The MCP tool call mcp__x_y__slowtool did not answer within its server's tool_timeout_sec (3s). Which configured server it is cannot be told from the call's name, so no \`-c mcp_servers.<server>.tool_timeout_sec\` is printed: set \`tool_timeout_sec = 60\` in that server's [mcp_servers.<server>] table, then: ${NO_SERVER}`,
    );
    expect(step("mcp__x_y__slowtool", undefined).command).toBe(NO_SERVER);
    // found, but `my.srv` is no `-c` key (the dot nests)
    const dotted = step("mcp__my_srv__slowtool", config(["my.srv"]));
    expect(dotted.command).toBe(NO_SERVER);
    expect(dotted.next).toBe(
      `The MCP tool call mcp__my_srv__slowtool did not answer within its server's tool_timeout_sec (3s). Its server's configured name cannot be written into a \`-c\` key, so no \`-c mcp_servers.<server>.tool_timeout_sec\` is printed: set \`tool_timeout_sec = 60\` in that server's [mcp_servers.<server>] table, then: ${NO_SERVER}`,
    );
    // no `_`: nothing was sanitized, the name is the configured one
    expect(step("mcp__db__slowtool", undefined).command).toBe(cmd(timeoutOf("db")));
  });

  it("a name that splits several ways: the split whose server is configured", () => {
    expect(step("mcp__a__b__c", config(["a"])).command).toBe(cmd(timeoutOf("a")));
    expect(step("mcp__a__b__c", config(["a__b"])).command).toBe(cmd(timeoutOf("a__b")));
    expect(step("mcp__a__b__c", config(["a", "a__b"])).command).toBe(NO_SERVER);
    expect(step("mcp__x___y", config(["x-"])).command).toBe(cmd(timeoutOf("x-")));
    expect(step("mcp__a__b__c", undefined).command).toBe(NO_SERVER);
  });

  it("the tool's lists compared as Codex writes their names; no list printed for a name it may have changed", () => {
    const filter = (enabledTools: string[] | null, disabledTools: string[] = []) =>
      config(["x-y"], { mcpToolFilters: [{ server: "x-y", enabledTools, disabledTools }] });
    // enabled_tools = ["my.tool"]: offered as my_tool, the call's tool
    expect(step("mcp__x_y__my_tool", filter(["my.tool"])).command).toBe(cmd(timeoutOf("x-y")));
    const left = step("mcp__x_y__my_tool", filter(["other"]));
    expect(left.command).toBe(cmd(timeoutOf("x-y")));
    expect(left.evidence).toEqual([
      "CODEX_HOME's config.toml leaves the tool my_tool of the MCP server x-y out (its enabled_tools names no tool Codex writes as my_tool)",
    ]);
    expect(left.next).toContain(
      "add the tool's own name (Codex writes it as my_tool) to enabled_tools in its [mcp_servers.x-y] table",
    );
  });
});
