// An MCP tool timeout whose tool today's config.toml no longer offers: `enabled_tools` (allow-list) that does
// not name it, or `disabled_tools` that does (codex-rs ToolFilter). A resume with only a longer timeout would
// start without the tool; the step offers it for the run (a -c of the list) or names the change.
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configFacts } from "../../src/sessions/codex-config.js";
import { connect, testConfig, type Connected } from "../support/mcp.js";
import { shapeHome, shapeIdOf } from "../support/shape-home.js";

let home: string;
let mcp: Connected;
const ID = shapeIdOf(20);

beforeAll(async () => {
  home = await shapeHome("ccm-mcp-filters-", [["mcp-tool-call-timed-out", 20]], "2026-12-05T14-00");
  mcp = await connect(testConfig({ codexHome: home, codexBin: join(home, "no-such-codex") }));
});
afterAll(async () => mcp.close());

async function diagnosisWith(config: string): Promise<Record<string, unknown>> {
  await rm(join(home, "config.toml"), { force: true });
  await writeFile(join(home, "config.toml"), config);
  const summary = (await mcp.call("session_summary", { session_id: ID })).structuredContent as {
    diagnosis: Record<string, unknown>;
  };
  return summary.diagnosis;
}

const TSRV = '[mcp_servers.tsrv]\ncommand = "node"\nargs = ["server.js"]\n';
const RAN_OUT = "The MCP tool tsrv/slowtool did not answer within its server's tool_timeout_sec (3s)";
const resume = (options: string) =>
  `CODEX_HOME=${home} ${join(home, "no-such-codex")} exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox --model mock-model ${options} resume ${ID} 'The MCP tool call timed out; it has more time now: call it again.'`;

describe("an MCP tool timeout whose tool config.toml leaves out now", () => {
  it("enabled_tools without it: the resume adds it to the list for the run", async () => {
    const diagnosis = await diagnosisWith(`${TSRV}enabled_tools = ["fast"]\n`);
    const command = resume(
      `-c 'mcp_servers.tsrv.enabled_tools=["fast","slowtool"]' -c mcp_servers.tsrv.tool_timeout_sec=60`,
    );
    expect(diagnosis.next_command).toBe(command);
    expect(diagnosis.next_step).toBe(
      `${RAN_OUT}. CODEX_HOME's config.toml leaves the tool slowtool of the server tsrv out now (its enabled_tools does not name it), so a resume would not offer it; this resume offers the tool for this run only (\`-c mcp_servers.tsrv.enabled_tools=["fast","slowtool"]\`) with a longer timeout (\`-c mcp_servers.tsrv.tool_timeout_sec=60\`): ${command}`,
    );
    expect(diagnosis.evidence).toContain(
      "CODEX_HOME's config.toml leaves the tool slowtool of the MCP server tsrv out (its enabled_tools does not name it)",
    );
  });

  it("disabled_tools naming it: the resume takes it out of the list for the run, the others stay off", async () => {
    const diagnosis = await diagnosisWith(`${TSRV}disabled_tools = ["slowtool", "drop_db"]\n`);
    expect(diagnosis.next_command).toBe(
      resume(`-c 'mcp_servers.tsrv.disabled_tools=["drop_db"]' -c mcp_servers.tsrv.tool_timeout_sec=60`),
    );
  });

  it("an empty allow-list and off: the server turned on, the tool allowed", async () => {
    const diagnosis = await diagnosisWith(`${TSRV}enabled = false\nenabled_tools = []\n`);
    const command = resume(
      `-c mcp_servers.tsrv.enabled=true -c 'mcp_servers.tsrv.enabled_tools=["slowtool"]' -c mcp_servers.tsrv.tool_timeout_sec=60`,
    );
    expect(diagnosis.next_command).toBe(command);
    expect(diagnosis.next_step).toBe(
      `${RAN_OUT}. CODEX_HOME's config.toml has \`enabled = false\` for the server tsrv now, so a resume would not offer its tools at all, and leaves the tool slowtool out (its enabled_tools does not name it); this resume turns the server on and offers the tool for this run only (\`-c mcp_servers.tsrv.enabled=true\`, \`-c mcp_servers.tsrv.enabled_tools=["slowtool"]\`) with a longer timeout (\`-c mcp_servers.tsrv.tool_timeout_sec=60\`): ${command}`,
    );
  });

  it("a name in the list that is not plain: no -c of it, the step names the change", async () => {
    const diagnosis = await diagnosisWith(`${TSRV}enabled_tools = ["fast'; rm -rf ~; '"]\n`);
    const command = resume("-c mcp_servers.tsrv.tool_timeout_sec=60");
    expect(diagnosis.next_command).toBe(command);
    expect(diagnosis.next_step).toBe(
      `${RAN_OUT}. CODEX_HOME's config.toml leaves the tool slowtool of the server tsrv out now (its enabled_tools does not name it), so a resume would not offer it; add slowtool to enabled_tools in its [mcp_servers.tsrv] table (not every name is plain enough to print here), then resume with a longer timeout (\`-c mcp_servers.tsrv.tool_timeout_sec=60\`): ${command}`,
    );
  });

  it("lists that offer it (or another server's lists): the timeout alone, as before", async () => {
    const config = `${TSRV}enabled_tools = ["slowtool"]\ndisabled_tools = ["fast"]\n[mcp_servers.other]\nurl = "http://x"\nenabled_tools = []\n`;
    expect((await diagnosisWith(config)).next_command).toBe(resume("-c mcp_servers.tsrv.tool_timeout_sec=60"));
  });
});

describe("configFacts: the tool lists", () => {
  it("reads enabled_tools and disabled_tools of each server that sets one", () => {
    expect(
      configFacts(
        `${TSRV}enabled_tools = ["a"]\n[mcp_servers.b]\nurl = "http://x"\ndisabled_tools = ["x", "y"]\n[mcp_servers.c]\nurl = "http://x"\ndisabled_tools = []\n[mcp_servers.d]\nurl = "http://x"\nenabled_tools = "a"\n`,
      )?.mcpToolFilters,
    ).toEqual([
      { server: "b", enabledTools: null, disabledTools: ["x", "y"] },
      { server: "tsrv", enabledTools: ["a"], disabledTools: [] },
    ]);
  });
});
