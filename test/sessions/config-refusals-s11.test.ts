// s11: configs Codex 0.171 refuses to start with (checked with the CLI and a temp CODEX_HOME): CODEX_HOME's
// config.toml that is not TOML ("Error loading config.toml: <file>:2:3: …"). Every printed command then fails;
// the step must say what to fix first.
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCodexConfig } from "../../src/sessions/codex-config.js";
import { connect, testConfig, type Connected } from "../support/mcp.js";
import { SHAPES, shapeIdOf } from "../support/shape-home.js";

const ID = shapeIdOf(20);
let root: string;
let home: string;
let repo: string;
let cwd: string;
let mcp: Connected;

async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await rm(path, { force: true });
  await writeFile(path, text);
}

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "ccm-refusals-")));
  home = join(root, "home");
  repo = join(root, "repo");
  cwd = join(repo, "sub");
  await mkdir(cwd, { recursive: true });
  await put(join(repo, ".git", "HEAD"), "ref: refs/heads/main\n");
  const log = (await readFile(join(SHAPES, "mcp-tool-call-timed-out.jsonl"), "utf8")).replaceAll(
    "/home/user/proj",
    cwd,
  );
  await put(join(home, "sessions", "2026", "12", "05", `rollout-2026-12-05T15-00-00-${ID}.jsonl`), log);
  mcp = await connect(testConfig({ codexHome: home, codexBin: join(home, "no-such-codex") }));
});
afterAll(async () => mcp.close());

async function diagnosisWith(user: string, project?: string): Promise<{ next_step: string; evidence: string[] }> {
  await put(join(home, "config.toml"), user);
  await rm(join(repo, ".codex"), { recursive: true, force: true });
  if (project !== undefined) await put(join(repo, ".codex", "config.toml"), project);
  const summary = (await mcp.call("session_summary", { session_id: ID })).structuredContent as {
    diagnosis: { next_step: string; evidence: string[] };
  };
  return summary.diagnosis;
}

const TSRV = '[mcp_servers.tsrv]\ncommand = "node"\nargs = ["server.js"]\n';
const RAN_OUT = "The MCP tool tsrv/slowtool did not answer within its server's tool_timeout_sec (3s)";
const resume = (options: string) =>
  `CODEX_HOME=${home} ${join(home, "no-such-codex")} exec --cd ${cwd} --dangerously-bypass-approvals-and-sandbox ${options} resume ${ID} 'The MCP tool call timed out; it has more time now: call it again.'`;
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
