// s10 review of the debug tools' new config reading: a session folder reached through a link (macOS /tmp,
// a linked home; 0.171 records `codex exec --cd <path>` as given, links and all) is not walked for project
// layers, and must then get the user's config.toml's facts, as before project layers were read, not "unknown".
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, testConfig, type Connected } from "../support/mcp.js";
import { SHAPES, shapeIdOf } from "../support/shape-home.js";

const ID = shapeIdOf(20);
let root: string;
let home: string;
let linked: string;
let mcp: Connected;

async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await rm(path, { force: true });
  await writeFile(path, text);
}

beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "ccm-rdebug-")));
  home = join(root, "home");
  const repo = join(root, "repo");
  await mkdir(join(repo, "sub"), { recursive: true });
  await put(join(repo, ".git", "HEAD"), "ref: refs/heads/main\n");
  await symlink(repo, join(root, "via-link"));
  linked = join(root, "via-link", "sub");
  const log = (await readFile(join(SHAPES, "mcp-tool-call-timed-out.jsonl"), "utf8")).replaceAll(
    "/home/user/proj",
    linked,
  );
  await put(join(home, "sessions", "2026", "12", "05", `rollout-2026-12-05T15-00-00-${ID}.jsonl`), log);
  mcp = await connect(testConfig({ codexHome: home, codexBin: join(home, "no-such-codex") }));
});
afterAll(async () => mcp.close());

async function diagnosisWith(user: string): Promise<Record<string, unknown>> {
  await put(join(home, "config.toml"), user);
  const summary = (await mcp.call("session_summary", { session_id: ID })).structuredContent as {
    diagnosis: Record<string, unknown>;
  };
  return summary.diagnosis;
}

const TSRV = '[mcp_servers.tsrv]\ncommand = "node"\nargs = ["server.js"]\n';
const resume = (options: string, prompt: string) =>
  `CODEX_HOME=${home} ${join(home, "no-such-codex")} exec --cd ${linked} --dangerously-bypass-approvals-and-sandbox ${options}${options ? " " : ""}resume ${ID} '${prompt}'`;

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
