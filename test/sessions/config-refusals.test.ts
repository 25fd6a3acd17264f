// configs Codex 0.171 refuses to start with (checked with the CLI and a temp CODEX_HOME): CODEX_HOME's
// config.toml that is not TOML ("Error loading config.toml: <file>:2:3: …"), and an MCP server whose table, the
// layers merged, names neither a `command` nor a `url`, or both ("invalid transport", "url is not supported for
// stdio"), enabled or not. Every printed command then fails; the step must say what to fix first.
import { mkdir, mkdtemp, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configFacts, readCodexConfig } from "../../src/sessions/codex-config.js";
import { connect, testConfig, type Connected } from "../support/mcp.js";
import { SHAPES, shapeIdOf } from "../support/shape-home.js";
import { putFile } from "../support/files.js";

const ID = shapeIdOf(20);
let root: string;
let home: string;
let repo: string;
let cwd: string;
let mcp: Connected;

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "ccm-refusals-")));
  home = join(root, "home");
  repo = join(root, "repo");
  cwd = join(repo, "sub");
  await mkdir(cwd, { recursive: true });
  await putFile(join(repo, ".git", "HEAD"), "ref: refs/heads/main\n");
  const log = (await readFile(join(SHAPES, "mcp-tool-call-timed-out.jsonl"), "utf8")).replaceAll(
    "/home/user/proj",
    cwd,
  );
  await putFile(join(home, "sessions", "2026", "12", "05", `rollout-2026-12-05T15-00-00-${ID}.jsonl`), log);
  mcp = await connect(testConfig({ codexHome: home, codexBin: join(home, "no-such-codex") }));
});
afterAll(async () => mcp.close());

async function diagnosisWith(user: string, project?: string): Promise<{ next_step: string; evidence: string[] }> {
  await putFile(join(home, "config.toml"), user);
  await rm(join(repo, ".codex"), { recursive: true, force: true });
  if (project !== undefined) await putFile(join(repo, ".codex", "config.toml"), project);
  const summary = (await mcp.call("session_summary", { session_id: ID })).structuredContent as {
    diagnosis: { next_step: string; evidence: string[] };
  };
  return summary.diagnosis;
}

const TSRV = '[mcp_servers.tsrv]\ncommand = "node"\nargs = ["server.js"]\n';
const TRUSTED = () => `[projects."${repo}"]\ntrust_level = "trusted"\n`;
const RAN_OUT = "The MCP tool tsrv/slowtool did not answer within its server's tool_timeout_sec (3s)";
const resume = (options: string) =>
  `CODEX_HOME=${home} ${join(home, "no-such-codex")} exec --cd ${cwd} --dangerously-bypass-approvals-and-sandbox --model mock-model ${options} resume ${ID} 'The MCP tool call timed out; it has more time now: call it again.'`;
const LONGER = () =>
  `${RAN_OUT}; resume with a longer one (\`-c mcp_servers.tsrv.tool_timeout_sec=60\`, or set it in Codex's config.toml): ${resume("-c mcp_servers.tsrv.tool_timeout_sec=60")}`;

describe("CODEX_HOME's config.toml that is not TOML", () => {
  it("the printed resume says to fix it first (it was printed with no word of it; 0.171: 'Error loading config.toml')", async () => {
    const diagnosis = await diagnosisWith(`${TSRV}[[[broken\n`);
    // nothing else is known: the override is printed as for an unknown config
    expect(diagnosis.next_step).toBe(
      `${LONGER()} (First fix CODEX_HOME's config.toml, which is not TOML (\`codex exec\` names the line): Codex 0.171 refuses to start with it.)`,
    );
    expect(diagnosis.evidence.at(-1)).toBe(
      'CODEX_HOME\'s config.toml is not TOML, which Codex 0.171 refuses to start with ("Error loading config.toml")',
    );
    expect(await readCodexConfig(home, cwd)).toEqual({
      mcpServers: [],
      disabledMcpServers: [],
      mcpToolFilters: [],
      excludeSlashTmp: false,
      brokenUserConfig: true,
    });
  });
});

describe("an MCP server with no transport Codex takes", () => {
  it("a trusted project's server with only a timeout: fix it first, not a bare -c resume that cannot start ('invalid transport')", async () => {
    const diagnosis = await diagnosisWith(TRUSTED(), "[mcp_servers.tsrv]\ntool_timeout_sec = 3\n");
    const where = "CODEX_HOME's config.toml with the project's .codex/config.toml";
    expect(diagnosis.next_step).toBe(
      `${LONGER()} (First give \`[mcp_servers.tsrv]\` exactly one of \`command\` (a program to start) or \`url\` (a streamable HTTP server), or remove it, in ${where}: Codex 0.171 refuses to start otherwise.)`,
    );
    expect(diagnosis.evidence.at(-1)).toBe(
      `\`[mcp_servers.tsrv]\` in ${where} names neither a \`command\` nor a \`url\` (or both), which Codex 0.171 refuses to start with ("invalid transport")`,
    );
  });

  it("the layers merged: the user's command and the project's timeout start; a disabled one without either does not", async () => {
    expect((await diagnosisWith(`${TSRV}${TRUSTED()}`, "[mcp_servers.tsrv]\ntool_timeout_sec = 3\n")).next_step).toBe(
      LONGER(),
    );
    expect(
      (
        await diagnosisWith(
          `${TSRV}${TRUSTED()}`,
          '[mcp_servers.other]\nenabled = false\n[mcp_servers."a.b"]\nurl = "u"\ncommand = "c"\n',
        )
      ).evidence.at(-1),
    ).toBe(
      `\`[mcp_servers.other]\`, 1 more in CODEX_HOME's config.toml with the project's .codex/config.toml name neither a \`command\` nor a \`url\` (or both), which Codex 0.171 refuses to start with ("invalid transport")`,
    );
  });

  it('exactly one string command or url (0.171: `command = 5` refused, `command = ""` starts)', () => {
    const invalid = (table: string) => configFacts(`[mcp_servers.s]\n${table}\n`)?.invalidMcpServers;
    expect(invalid('command = ""')).toBeUndefined();
    expect(invalid('url = "http://127.0.0.1:9/mcp"')).toBeUndefined();
    expect(invalid("command = 5")).toEqual(["s"]);
    expect(invalid('command = "a"\nurl = "http://x"')).toEqual(["s"]);
    expect(invalid("enabled = false")).toEqual(["s"]);
    expect(configFacts("[mcp_servers]\ns = 5\n")?.invalidMcpServers).toEqual(["s"]);
  });
});
