// Codex 0.171 reads two config files of the machine whatever CODEX_HOME is (checked with the CLI, /etc
// bound over in a private mount namespace): `/etc/codex/config.toml` under the user's config.toml and
// `/etc/codex/managed_config.toml` over every other layer; a server defined in either takes
// `-c mcp_servers.<name>.tool_timeout_sec=…`, one with no transport or a file that is not TOML stops it. No
// variable moves them, so the reader takes their paths as a parameter and these tests pass temp files.
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readCodexConfig, SYSTEM_CONFIG_FILES } from "../../src/sessions/codex-config.js";
import { configRefusals } from "../../src/sessions/diagnosis-config-refusals.js";
import { mcpTimeoutOf } from "../../src/sessions/diagnosis-work.js";
import { mcpTimeoutStep } from "../../src/sessions/mcp-timeout-step.js";
import { resumeCommandLine } from "../../src/sessions/resume-command.js";
import { sandboxStep } from "../../src/sessions/sandbox-step.js";
import { diagnose } from "../../src/sessions/diagnosis.js";
import { foldEvents } from "../../src/sessions/session-model.js";
import { approvalBlockedTurn } from "../support/session-events.js";

let home: string;
let files: { config: string; managed: string };
beforeAll(async () => {
  const root = await realpath(await mkdtemp(join(tmpdir(), "ccm-system-config-")));
  home = join(root, "home");
  await mkdir(join(root, "etc"), { recursive: true });
  await mkdir(home);
  files = { config: join(root, "etc", "config.toml"), managed: join(root, "etc", "managed_config.toml") };
});

async function factsWith(user: string, system?: string, managed?: string) {
  await writeFile(join(home, "config.toml"), user);
  for (const [text, path] of [
    [system, files.config],
    [managed, files.managed],
  ] as const)
    if (text === undefined) await rm(path, { force: true });
    else await writeFile(path, text);
  return readCodexConfig(home, null, files);
}

const timeout = mcpTimeoutOf({
  callId: "c",
  name: "mcp__sys__slowtool",
  arguments: {},
  turn: 1,
  result: { kind: "call_result", callId: "c", text: "timed out awaiting tools/call after 3s", line: 1 },
});
const ID = "01a24829-b1af-7030-bed6-9ac9a3aa7f27";
const cmd = (extra: { options?: string[]; prompt?: string }) =>
  resumeCommandLine({ sessionId: ID, cwd: "/p", ...extra });

describe("the machine's config files under and over the user's", () => {
  it("a server only /etc/codex/config.toml defines: the -c resume, not 'define the server again' with a plain one", async () => {
    const facts = await factsWith("", '[mcp_servers.sys]\ncommand = "node"\n');
    expect(facts).toEqual({
      mcpServers: ["sys"],
      disabledMcpServers: [],
      mcpToolFilters: [],
      excludeSlashTmp: false,
      machineLayers: [files.config],
    });
    if (!timeout) throw new Error("no timeout");
    expect(mcpTimeoutStep(timeout, facts, cmd).command).toBe(
      cmd({
        options: ["-c", "mcp_servers.sys.tool_timeout_sec=60"],
        prompt: "The MCP tool call timed out; it has more time now: call it again.",
      }),
    );
  });

  it("the user's file over the system's, the managed one over both, per key", async () => {
    const facts = await factsWith(
      '[mcp_servers.sys]\nenabled = false\n[mcp_servers.own]\nurl = "http://x"\n',
      '[mcp_servers.sys]\ncommand = "node"\n[sandbox_workspace_write]\nexclude_slash_tmp = true\n',
      "[mcp_servers.own]\nenabled = false\n[sandbox_workspace_write]\nexclude_slash_tmp = false\n[mcp_servers.man]\ntool_timeout_sec = 3\n",
    );
    expect(facts).toEqual({
      mcpServers: ["man", "own", "sys"],
      disabledMcpServers: ["own", "sys"],
      mcpToolFilters: [],
      excludeSlashTmp: false,
      invalidMcpServers: ["man"],
      managedMcpKeys: { file: files.managed, keys: ["man.tool_timeout_sec", "own.enabled"] },
      machineLayers: [files.config, files.managed],
    });
  });

  // 0.171 takes the managed file over every -c (checked: `codex -c mcp_servers.x.tool_timeout_sec=60 mcp get x`
  // with x's tool_timeout_sec = 3 in /etc/codex/managed_config.toml says 3; without it, 60): a -c resume for a
  // key it sets times out again, or starts without the server, while the step said it had more time
  it("a timeout or enabled = false the managed file sets: no -c that Codex ignores, the file named to change", async () => {
    if (!timeout) throw new Error("no timeout");
    const plain = cmd({ prompt: "The MCP tool call timed out; call it again." });
    const pinnedTimeout = await factsWith(
      '[mcp_servers.sys]\ncommand = "node"\n',
      undefined,
      "[mcp_servers.sys]\ntool_timeout_sec = 3\n",
    );
    const step = mcpTimeoutStep(timeout, pinnedTimeout, cmd);
    expect(step.command).toBe(plain);
    expect(step.evidence).toEqual([
      `${files.managed} sets \`mcp_servers.sys.tool_timeout_sec\`, which Codex 0.171 takes over any \`-c\``,
    ]);
    expect(step.next).toBe(
      `The MCP tool sys/slowtool did not answer within its server's tool_timeout_sec (3s). ${files.managed} sets \`mcp_servers.sys.tool_timeout_sec\`, which Codex 0.171 takes over any \`-c\`, so no \`-c mcp_servers.sys.tool_timeout_sec=60\` is printed: have that file (the machine's managed config) give the server \`tool_timeout_sec = 60\` and let it run the tool, then: ${plain}`,
    );
    const pinnedOff = await factsWith(
      '[mcp_servers.sys]\ncommand = "node"\n',
      undefined,
      "[mcp_servers.sys]\nenabled = false\n",
    );
    expect(mcpTimeoutStep(timeout, pinnedOff, cmd).command).toBe(plain);
    // a key the -c would not set (the tool allowed): the -c resume
    const allowed = await factsWith(
      '[mcp_servers.sys]\ncommand = "node"\n',
      undefined,
      '[mcp_servers.sys]\nenabled_tools = ["slowtool"]\n',
    );
    expect(mcpTimeoutStep(timeout, allowed, cmd).command).toBe(
      cmd({
        options: ["-c", "mcp_servers.sys.tool_timeout_sec=60"],
        prompt: "The MCP tool call timed out; it has more time now: call it again.",
      }),
    );
    // set in the user's file only: the -c resume as before
    const own = await factsWith('[mcp_servers.sys]\ncommand = "node"\nenabled = false\ntool_timeout_sec = 3\n');
    expect(mcpTimeoutStep(timeout, own, cmd).command).toBe(
      cmd({
        options: ["-c", "mcp_servers.sys.enabled=true", "-c", "mcp_servers.sys.tool_timeout_sec=60"],
        prompt: "The MCP tool call timed out; it has more time now: call it again.",
      }),
    );
  });

  it("one that is not TOML: nothing else known, and every printed command says to have it fixed first", async () => {
    const facts = await factsWith('[mcp_servers.sys]\ncommand = "node"\n', undefined, "x = [[[\n");
    expect(facts).toEqual({
      mcpServers: [],
      disabledMcpServers: [],
      mcpToolFilters: [],
      excludeSlashTmp: false,
      brokenSystemConfig: files.managed,
    });
    expect(configRefusals(facts)).toEqual({
      evidence: [`${files.managed} is not TOML, which Codex 0.171 refuses to start with ("Error loading config.toml")`],
      steps: [
        `(First have ${files.managed}, the machine's own config, fixed (\`codex exec\` names the line): Codex 0.171 refuses to start with it.)`,
      ],
    });
  });

  // 0.171 refuses to start with a top-level `profile` in either machine file as in the user's (checked with
  // the CLI, /etc/codex bound over in a private mount namespace: "legacy `profile = \"x\"` config is no longer
  // supported"); every printed command failed while the step said nothing of it
  it("a top-level profile in a machine file: every printed command says to have it taken out first", async () => {
    for (const [system, managed, file] of [
      ['profile = "x"\n', undefined, () => files.config],
      [undefined, 'profile = "x"\n', () => files.managed],
    ] as const) {
      const facts = await factsWith('[mcp_servers.sys]\ncommand = "node"\n', system, managed);
      expect(configRefusals(facts)).toEqual({
        evidence: [
          `${file()} has a top-level \`profile = "…"\`, which Codex 0.171 refuses to start with ("legacy \`profile\` config is no longer supported; use \`--profile <name>\` with \`<name>.config.toml\` instead")`,
        ],
        steps: [
          `(First have the top-level \`profile\` line taken out of ${file()}, the machine's own config: Codex 0.171 refuses to start with it.)`,
        ],
      });
      expect(facts?.machineLegacyProfile).toBe(file());
      expect(facts?.legacyProfile).toBeUndefined();
    }
  });

  // the merged tables' facts were told as CODEX_HOME's file's: "`[mcp_servers.man]` in CODEX_HOME's config.toml
  // names neither…; remove it in CODEX_HOME's config.toml", of a table only the managed file has
  it("a fact of the merged tables names the machine files it merged, not CODEX_HOME's file alone", async () => {
    const facts = await factsWith("", undefined, "[mcp_servers.man]\ntool_timeout_sec = 3\n");
    const where = `CODEX_HOME's config.toml with ${files.managed}`;
    expect(configRefusals(facts).evidence).toEqual([
      `\`[mcp_servers.man]\` in ${where} names neither a \`command\` nor a \`url\` (or both), which Codex 0.171 refuses to start with ("invalid transport")`,
    ]);
    const off = await factsWith('[mcp_servers.sys]\ncommand = "node"\n', "[mcp_servers.sys]\nenabled = false\n");
    if (!timeout) throw new Error("no timeout");
    expect(mcpTimeoutStep(timeout, off, cmd).evidence).toEqual([
      `CODEX_HOME's config.toml with ${files.config} turns the MCP server sys off (enabled = false)`,
    ]);
    // no machine file: CODEX_HOME's file alone, as before
    const own = await factsWith('[mcp_servers.sys]\ncommand = "node"\nenabled = false\n');
    expect(mcpTimeoutStep(timeout, own, cmd).evidence).toEqual([
      "CODEX_HOME's config.toml turns the MCP server sys off (enabled = false)",
    ]);
  });

  // the managed file is a layer over -c for every key (checked with the CLI: `codex exec --sandbox
  // workspace-write -c sandbox_workspace_write.network_access=true` writes network_access false in its
  // turn_context with the managed file's false, true without it): a `-c …network_access=true` resume is
  // blocked again, while the step offered it as the fix
  it("network access the managed file sets: no -c network_access resume that Codex ignores", async () => {
    const work = {
      failed: [],
      denials: [{ call_id: "c", command: "curl x", kind: "network" as const, target: null, mode: "workspace-write" }],
      refusedWrites: [],
      gaveUp: false,
      lastCallFailed: true,
    };
    const pinned = await factsWith("", undefined, "[sandbox_workspace_write]\nnetwork_access = false\n");
    const step = sandboxStep("workspace-write", work, "/p", undefined, (mode) => mode, pinned);
    expect(step.resume.options).toBeUndefined();
    expect(step.resume.sandbox).toBe("danger-full-access");
    expect(step.how).toBe(
      `${files.managed} sets [sandbox_workspace_write] network_access, which Codex 0.171 takes over any \`-c\` (\`-c sandbox_workspace_write.network_access=true\` would not help): have it changed there, or: Only running without the sandbox allows this: it needs the operator's consent (this server: --allow-full-access, then resume_session full-access). By hand`,
    );
    // the user's own file: the -c as before
    const own = await factsWith("[sandbox_workspace_write]\nnetwork_access = false\n");
    expect(sandboxStep("workspace-write", work, "/p", undefined, (mode) => mode, own).resume.options).toEqual([
      "-c",
      "sandbox_workspace_write.network_access=true",
    ]);
  });

  // checked with the CLI: `codex exec -c 'approval_policy="on-request"' -c 'approvals_reviewer="auto_review"'`
  // writes approval_policy "never" in its turn_context with the managed file's `approval_policy = "never"`
  // ("on-request" without it): the auto-review resume the step printed is blocked again
  it("an approval policy the managed file sets: no -c approval_policy resume that Codex ignores", async () => {
    const model = await foldEvents(approvalBlockedTurn());
    const input = { sessionId: ID, cwd: "/p" };
    const pinned = await factsWith("", undefined, 'approval_policy = "never"\n');
    const diagnosis = diagnose(model, { ...input, config: pinned });
    expect(diagnosis.category).toBe("approval_required");
    const plain = resumeCommandLine({
      sessionId: ID,
      cwd: "/p",
      prompt: "The blocked tools are allowed now; call them again.",
    });
    expect(diagnosis.next_command).toBe(plain);
    expect(diagnosis.next_step).toBe(
      `${files.managed} sets approval_policy, which Codex 0.171 takes over any \`-c\` (resume_session mode "auto-review" and \`-c approval_policy="on-request"\` would not help): have the operator allow that tool in Codex's config, then: ${plain}`,
    );
    // without it: the auto-review resume, as before
    const own = diagnose(model, { ...input, config: await factsWith('approval_policy = "never"\n') });
    expect(own.next_command).toContain(`-c 'approval_policy="on-request"'`);
  });

  // checked with the CLI: with the managed file's `sandbox_mode = "read-only"`, `codex exec --sandbox
  // workspace-write` (with or without --add-dir) writes a read-only sandbox_policy in its turn_context, and
  // --dangerously-bypass-approvals-and-sandbox is refused: every wider-sandbox resume the step printed failed again
  it("a sandbox mode the managed file sets: the wider-sandbox step says to have it changed first", async () => {
    const work = {
      failed: [],
      denials: [{ call_id: "c", command: "touch f", kind: "write" as const, target: "/p/f", mode: "read-only" }],
      refusedWrites: ["/p/f"],
      gaveUp: false,
      lastCallFailed: true,
    };
    const pinned = await factsWith("", undefined, 'sandbox_mode = "read-only"\n');
    const step = sandboxStep("read-only", work, "/p", undefined, (mode) => mode, pinned);
    expect(step.resume.sandbox).toBe("workspace-write");
    expect(step.how).toBe(
      `(First have sandbox_mode changed in ${files.managed}: Codex 0.171 takes it over \`--sandbox\`, so the resume would run "read-only" again.) Resume with the workspace-write sandbox (resume_session sandboxed)`,
    );
    // the managed mode is the one the step asks for: nothing to add
    const same = await factsWith("", undefined, 'sandbox_mode = "workspace-write"\n');
    expect(sandboxStep("read-only", work, "/p", undefined, (mode) => mode, same).how).toBe(
      "Resume with the workspace-write sandbox (resume_session sandboxed)",
    );
  });

  // CODEX_HOME's config.toml not TOML stops 0.171 whatever the machine files are, yet a machine file not read
  // here (a link, as /etc files made by a configuration manager are) made the whole config unknown first:
  // the "fix CODEX_HOME's config.toml first" every printed command carried was gone
  it("CODEX_HOME's file not TOML is said even where a machine file is a link", async () => {
    await writeFile(join(home, "config.toml"), "x = [[[\n");
    const link = join(home, "..", "etc", "linked.toml");
    await rm(link, { force: true });
    await symlink(join(home, "config.toml"), link);
    const facts = await readCodexConfig(home, null, { config: link, managed: files.managed, owners: [] });
    expect(facts?.brokenUserConfig).toBe(true);
    // the control: a link no trusted owner laid (none is trusted here), CODEX_HOME's file TOML: unknown
    await writeFile(join(home, "config.toml"), "");
    expect(await readCodexConfig(home, null, { config: link, managed: files.managed, owners: [] })).toBeUndefined();
  });

  it("by default the paths 0.171 reads on Unix", () => {
    expect(SYSTEM_CONFIG_FILES).toEqual({
      config: "/etc/codex/config.toml",
      managed: "/etc/codex/managed_config.toml",
      requirements: "/etc/codex/requirements.toml",
    });
  });
});

// The facts were merged again on every summary question once a machine file existed (the user's file alone
// was remembered by its table): 450 servers over three files took 0.7–1.4 ms a question, 0.2–0.3 ms now.
describe("the merged facts of unchanged files", () => {
  it("are the same object until a file changes", async () => {
    const first = await factsWith('[mcp_servers.own]\ncommand = "node"\n', '[mcp_servers.sys]\ncommand = "node"\n');
    expect(await readCodexConfig(home, null, files)).toBe(first);
    await writeFile(files.config, '[mcp_servers.other]\ncommand = "node"\n');
    const changed = await readCodexConfig(home, null, files);
    expect(changed).not.toBe(first);
    expect(changed?.mcpServers).toEqual(["other", "own"]);
  });
});
