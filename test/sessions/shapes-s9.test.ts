// Next steps that did not work when pasted: each depends on what the log cannot say (the user's config.toml as
// it is now, the folder a command ran in, the parent of a sanitized sub-agent). Fixtures in test/fixtures/shapes/.
import { readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configFacts, MAX_CONFIG_BYTES, readCodexConfig } from "../../src/sessions/codex-config.js";
import { sandboxStep } from "../../src/sessions/sandbox-step.js";
import { connect, testConfig, type Connected } from "../support/mcp.js";
import { SHAPES, shapeHome, shapeIdOf } from "../support/shape-home.js";

const NAMED: Array<[string, number]> = [
  ["mcp-tool-call-timed-out", 20],
  ["sandbox-read-only-write-to-tmp", 12],
  ["sandbox-relative-write-in-call-workdir", 91],
  ["subagent-token-counts-only", 92],
];
const idOf = shapeIdOf;
/** Commands whose relative paths are not the workdir's (sessions made from fixture 91 with the command swapped). */
const ELSEWHERE: Array<[number, string]> = [
  [81, "sh -c 'cd sub && touch out/x.txt'"],
  [82, 'bash -lc "cd sub; touch out/x.txt"'],
  [83, "make -C sub out/x.txt"],
  [84, "env --chdir=sub touch out/x.txt"],
  [85, "git -C sub checkout -- out/x.txt"],
];
let home: string;
let mcp: Connected;

beforeAll(async () => {
  home = await shapeHome("ccm-shapes-s9-", NAMED, "2026-12-05T12-00");
  // the same call, but its command changes folder itself: the workdir is not where the path is relative to
  const moved = (await readFile(join(SHAPES, "sandbox-relative-write-in-call-workdir.jsonl"), "utf8"))
    .replaceAll(idOf(91), idOf(94))
    .replace('\\"cmd\\": \\"touch out/x.txt\\"', '\\"cmd\\": \\"cd sub && touch out/x.txt\\"');
  expect(moved).toContain("cd sub && touch");
  await writeFile(join(home, "sessions", "2026", "12", "05", `rollout-2026-12-05T12-00-59-${idOf(94)}.jsonl`), moved);
  // more commands that run elsewhere than their workdir: a quoted inner shell's cd, -C / --chdir options
  const log = await readFile(join(SHAPES, "sandbox-relative-write-in-call-workdir.jsonl"), "utf8");
  for (const [index, [n, command]] of ELSEWHERE.entries()) {
    const text = log
      .replaceAll(idOf(91), idOf(n))
      .replace('touch out/x.txt\\"', `${JSON.stringify(JSON.stringify(command).slice(1, -1)).slice(1, -1)}\\"`);
    expect(text).toContain(JSON.stringify(JSON.stringify(command).slice(1, -1)).slice(1, -1));
    const name = `rollout-2026-12-05T12-01-${String(index).padStart(2, "0")}-${idOf(n)}.jsonl`;
    await writeFile(join(home, "sessions", "2026", "12", "05", name), text);
  }
  mcp = await connect(testConfig({ codexHome: home, codexBin: join(home, "no-such-codex") }));
});
afterAll(async () => mcp.close());

/** The config.toml the next answer reads (each answer reads it anew). */
async function config(text: string | null): Promise<void> {
  const path = join(home, "config.toml");
  await rm(path, { force: true });
  if (text !== null) await writeFile(path, text);
}

async function diagnosisOf(n: number): Promise<Record<string, unknown>> {
  const summary = (await mcp.call("session_summary", { session_id: idOf(n) })).structuredContent as Record<
    string,
    unknown
  >;
  return summary.diagnosis as Record<string, unknown>;
}

const TSRV = '[mcp_servers.tsrv]\ncommand = "node"\nargs = ["server.js"]\n';

describe("an MCP tool timeout: -c mcp_servers.<name>.… only for a server the config defines", () => {
  it("the server is no longer defined: no -c (0.171 refuses to start with it), and the step says why", async () => {
    await config('model = "gpt-5"\n');
    const diagnosis = await diagnosisOf(20);
    const command = `CODEX_HOME=${home} ${join(home, "no-such-codex")} exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox --model mock-model resume ${idOf(20)} 'The MCP tool call timed out; call it again.'`;
    expect(diagnosis.next_command).toBe(command);
    expect(diagnosis.next_step).toBe(
      `The MCP tool tsrv/slowtool did not answer within its server's tool_timeout_sec (3s). CODEX_HOME's config.toml does not define the server tsrv, so \`-c mcp_servers.tsrv.tool_timeout_sec=60\` makes Codex refuse to start ("invalid transport in \`mcp_servers.tsrv\`"). Define the server again with \`tool_timeout_sec = 60\` in its [mcp_servers.tsrv] table, then: ${command}`,
    );
    expect(diagnosis.evidence).toEqual([
      "turn 1 completed, but its last command failed",
      'the agent\'s last message: "Done. The tool said: tool call error: tool call failed for `tsrv/slowtool`"',
      "CODEX_HOME's config.toml does not define the MCP server tsrv (any more)",
      'failed: "mcp__tsrv__slowtool" (no exit code) (the MCP server did not answer within its tool_timeout_sec, 3s)',
    ]);
    // no config.toml at all defines no server either
    await config(null);
    expect((await diagnosisOf(20)).next_command).toBe(command);
  });

  it("the server is defined: the -c override, as before", async () => {
    await config(TSRV);
    expect((await diagnosisOf(20)).next_command).toBe(
      `CODEX_HOME=${home} ${join(home, "no-such-codex")} exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox --model mock-model -c mcp_servers.tsrv.tool_timeout_sec=60 resume ${idOf(20)} 'The MCP tool call timed out; it has more time now: call it again.'`,
    );
  });

  it("the server is defined but enabled = false: the resume turns it on too (pasted with 0.171: else no tool offered)", async () => {
    await config(`${TSRV}enabled = false\n`);
    const diagnosis = await diagnosisOf(20);
    const command = `CODEX_HOME=${home} ${join(home, "no-such-codex")} exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox --model mock-model -c mcp_servers.tsrv.enabled=true -c mcp_servers.tsrv.tool_timeout_sec=60 resume ${idOf(20)} 'The MCP tool call timed out; it has more time now: call it again.'`;
    expect(diagnosis.next_command).toBe(command);
    expect(diagnosis.next_step).toBe(
      `The MCP tool tsrv/slowtool did not answer within its server's tool_timeout_sec (3s). CODEX_HOME's config.toml has \`enabled = false\` for the server tsrv now, so a resume would not offer its tools at all; this resume turns it on for this run only (\`-c mcp_servers.tsrv.enabled=true\`) with a longer timeout (\`-c mcp_servers.tsrv.tool_timeout_sec=60\`): ${command}`,
    );
    expect(diagnosis.evidence).toContain("CODEX_HOME's config.toml turns the MCP server tsrv off (enabled = false)");
    // enabled = true (or any other server off) changes nothing
    await config(`${TSRV}enabled = true\n[mcp_servers.other]\nurl = "http://x"\nenabled = false\n`);
    expect((await diagnosisOf(20)).next_command).toContain(
      " --dangerously-bypass-approvals-and-sandbox --model mock-model -c mcp_servers.tsrv.tool_timeout_sec=60 resume",
    );
  });

  it("a config that cannot be read is unknown: the -c override, as before", async () => {
    await config("this is [not toml");
    expect((await diagnosisOf(20)).next_command).toContain("-c mcp_servers.tsrv.tool_timeout_sec=60 resume");
    // a link is never followed, even to a config that defines nothing
    await config(null);
    await writeFile(join(home, "elsewhere.toml"), 'model = "gpt-5"\n');
    await symlink(join(home, "elsewhere.toml"), join(home, "config.toml"));
    expect(await readCodexConfig(home)).toBeUndefined();
    expect((await diagnosisOf(20)).next_command).toContain("-c mcp_servers.tsrv.tool_timeout_sec=60 resume");
    await config(`x = "${"a".repeat(MAX_CONFIG_BYTES)}"\n`);
    expect(await readCodexConfig(home)).toBeUndefined();
  });

  it("an unchanged config is not parsed again; a rewrite of the same size is", async () => {
    await config(`${TSRV}enabled = false\n`);
    const first = await readCodexConfig(home);
    expect(first?.disabledMcpServers).toEqual(["tsrv"]);
    expect(await readCodexConfig(home)).toBe(first);
    await writeFile(join(home, "config.toml"), `${TSRV}enabled = true \n`);
    expect((await readCodexConfig(home))?.disabledMcpServers).toEqual([]);
  });

  it("reads the servers and exclude_slash_tmp", () => {
    expect(
      configFacts(
        `${TSRV}[mcp_servers."my-srv"]\nurl = "http://x"\n[sandbox_workspace_write]\nexclude_slash_tmp = true\nwritable_roots = ["/data", "rel", 3]\n`,
      ),
    ).toEqual({ mcpServers: ["my-srv", "tsrv"], disabledMcpServers: [], mcpToolFilters: [], excludeSlashTmp: true });
    expect(configFacts("")).toEqual({
      mcpServers: [],
      disabledMcpServers: [],
      mcpToolFilters: [],
      excludeSlashTmp: false,
    });
    expect(
      configFacts(
        `${TSRV}enabled = false\n[mcp_servers.on]\nurl = "http://x"\nenabled = true\n[mcp_servers.odd]\nenabled = "no"\n`,
      ),
    ).toEqual({
      mcpServers: ["odd", "on", "tsrv"],
      disabledMcpServers: ["tsrv"],
      mcpToolFilters: [],
      excludeSlashTmp: false,
      // neither `command` nor `url`: 0.171 refuses to start ("invalid transport")
      invalidMcpServers: ["odd"],
    });
    expect(configFacts("[[x")).toBeUndefined();
  });
});

describe("exclude_slash_tmp = true in the config: a /tmp write needs --add-dir", () => {
  it("a read-only session's refused /tmp write: --add-dir /tmp, not a plain workspace-write resume", async () => {
    await config("[sandbox_workspace_write]\nexclude_slash_tmp = true\n");
    const diagnosis = await diagnosisOf(12);
    const command = `mkdir -p /tmp && CODEX_HOME=${home} ${join(home, "no-such-codex")} exec --cd /home/user/proj --sandbox workspace-write --skip-git-repo-check --model mock-model --add-dir /tmp resume ${idOf(12)} 'The folders you wrote to are writable now; do the refused writes again.'`;
    expect(diagnosis.next_command).toBe(command);
    expect(diagnosis.next_step).toBe(
      `Resume in the workspace-write sandbox with --add-dir /tmp (config.toml's [sandbox_workspace_write] exclude_slash_tmp = true keeps /tmp read-only) (Codex's flag for more writable folders; resume_session cannot pass it, and it widens what Codex may write: the operator's call). By hand: ${command}`,
    );
  });

  it("without it: the plain workspace-write resume, as before", async () => {
    await config(null);
    expect((await diagnosisOf(12)).next_command).toBe(
      `CODEX_HOME=${home} ${join(home, "no-such-codex")} exec --cd /home/user/proj --sandbox workspace-write --skip-git-repo-check --model mock-model resume ${idOf(12)} 'The sandbox was read-only; do the writes again.'`,
    );
  });

  it("only a stricter config counts: a session that ran with /tmp excluded (-c) still gets --add-dir", () => {
    const work = {
      failed: [],
      denials: [
        {
          call_id: "c",
          command: "touch /tmp/x/f",
          kind: "write" as const,
          target: "/tmp/x/f",
          mode: "workspace-write",
        },
      ],
      refusedWrites: ["/tmp/x/f"],
      gaveUp: false,
      lastCallFailed: true,
    };
    const recorded = { type: "workspace-write", writable_roots: [], exclude_slash_tmp: true };
    const step = sandboxStep("workspace-write", work, "/home/user/proj", recorded, (mode) => mode, {
      mcpServers: [],
      disabledMcpServers: [],
      mcpToolFilters: [],
      excludeSlashTmp: false,
    });
    expect(step.resume.options).toEqual(["--add-dir", "/tmp/x"]);
  });
});

describe("a relative refused path is the call's workdir's", () => {
  it("`touch out/x.txt` with workdir /home/user/other: --add-dir that folder, not full access", async () => {
    await config(null);
    const diagnosis = await diagnosisOf(91);
    expect(diagnosis.sandbox_denials).toEqual([
      { call_id: "call_3", command: "touch out/x.txt", kind: "write", target: "out/x.txt", mode: "workspace-write" },
    ]);
    expect(diagnosis.next_command).toBe(
      `mkdir -p /home/user/other/out && CODEX_HOME=${home} ${join(home, "no-such-codex")} exec --cd /home/user/proj --sandbox workspace-write --skip-git-repo-check --model mock-model --add-dir /home/user/other/out resume ${idOf(91)} 'The folders you wrote to are writable now; do the refused writes again.'`,
    );
  });
});

describe("a relative refused path in a command that changes folder", () => {
  it.each(ELSEWHERE)("session %i, `%s`: the folder is not known, so full access as before", async (n) => {
    expect((await diagnosisOf(n)).next_command).toBe(
      `CODEX_HOME=${home} ${join(home, "no-such-codex")} exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox --skip-git-repo-check --model mock-model resume ${idOf(n)} 'The sandbox is off now; run the blocked commands again.'`,
    );
  });

  it("`cd sub && touch out/x.txt`: the folder is not known, so full access as before", async () => {
    const diagnosis = await diagnosisOf(94);
    expect(diagnosis.next_command).toBe(
      `CODEX_HOME=${home} ${join(home, "no-such-codex")} exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox --skip-git-repo-check --model mock-model resume ${idOf(94)} 'The sandbox is off now; run the blocked commands again.'`,
    );
  });
});

describe("a sanitized sub-agent that kept only token counts", () => {
  it("whose parent has no log here: nothing to resume (subagent-parents.test.ts)", async () => {
    const diagnosis = await diagnosisOf(92);
    expect(diagnosis.category).toBe("interrupted");
    expect(diagnosis.next_command).toBeNull();
  });
});

describe("errors name the fix, and repeat at most 80 characters of the input", () => {
  it("token_usage live without a Codex binary names --codex-bin", async () => {
    const result = await mcp.call("token_usage", { session_id: idOf(20), live: true });
    const live = (result.structuredContent as { live_rate_limits: { state: string; reason: string } }).live_rate_limits;
    const bin = join(home, "no-such-codex");
    expect(live).toMatchObject({
      state: "unavailable",
      reason: `could not start \`codex app-server\` to read the live rate limits: cannot start \`${bin} app-server\`: spawn ${bin} ENOENT (no Codex CLI found as ${JSON.stringify(bin)}: install it, or start this server with --codex-bin <path> or CODEX_BIN=<path>)`,
    });
  });

  it("a 4,096-character id is clipped in the error", async () => {
    const id = "a".repeat(4096);
    const result = await mcp.call("session_summary", { session_id: id });
    expect(result.isError).toBe(true);
    const text = (result.content as Array<{ text: string }>)[0]?.text ?? "";
    expect(text.startsWith(`no session "${"a".repeat(80)}…" in CODEX_HOME (${home}).`)).toBe(true);
    expect(text.length).toBeLessThan(400);
  });
});
