// The caller-settings allowlist, decided on plain objects.
import { describe, expect, it } from "vitest";
import { boundedLine, MAX_RECORD_BYTES } from "../../src/contract/index.js";
import {
  CALLER_CONFIG_KEYS,
  flattenConfig,
  policyDifferences,
  refuseCallerSettings,
  refuseWorkspace,
} from "../../src/runs/run-policy.js";
import { stateReach } from "../../src/runs/state-reach.js";

const strict = { allowConfigKeys: [], allowProfile: false };
const refusal = (key: string) =>
  `config key ${JSON.stringify(key)} cannot be set by a caller: only settings that cannot start a process, widen the sandbox, change the model endpoint or credentials, or read a file are allowed (${CALLER_CONFIG_KEYS.join(", ")}). The operator can allow it with --allow-config-key ${key} (or CODEX_CONTROL_ALLOW_CONFIG_KEYS).`;

describe("caller config settings", () => {
  it("the safe keys pass with scalar values", () => {
    expect(
      refuseCallerSettings(
        {
          config: {
            model_reasoning_summary: "detailed",
            model_verbosity: "low",
            hide_agent_reasoning: true,
            model: "m",
          },
        },
        strict,
      ),
    ).toBeUndefined();
  });

  it.each([
    [{ notify: ["bash", "-c", "touch /tmp/x"] }, "notify"],
    [{ "mcp_servers.x.command": "bash" }, "mcp_servers.x.command"],
    [{ mcp_servers: { x: { command: "bash", args: ["-c", "id"] } } }, "mcp_servers.x.command"],
    [{ "sandbox_workspace_write.writable_roots": ["/"] }, "sandbox_workspace_write.writable_roots"],
    [{ sandbox_workspace_write: { network_access: true } }, "sandbox_workspace_write.network_access"],
    [{ "sandbox_workspace_write.exclude_slash_tmp": true }, "sandbox_workspace_write.exclude_slash_tmp"],
    [{ approval_policy: "on-request", sandbox_mode: "danger-full-access" }, "approval_policy"],
    [{ model_provider: "evil", "model_providers.evil.base_url": "http://evil" }, "model_provider"],
    [{ model_providers: { evil: { base_url: "http://evil", env_key: "SECRET" } } }, "model_providers.evil.base_url"],
    [{ model_instructions_file: "/etc/passwd" }, "model_instructions_file"],
    [{ profile: "evil" }, "profile"],
    [{ sandbox_workspace_write: {} }, "sandbox_workspace_write"],
    [
      { model_reasoning_summary: "auto", shell_environment_policy: { inherit: "all" } },
      "shell_environment_policy.inherit",
    ],
  ])("%j is refused naming %s and the operator switch", (config, key) => {
    expect(refuseCallerSettings({ config }, strict)).toBe(refusal(key));
  });

  it("a safe key cannot carry a table or an array", () => {
    expect(refuseCallerSettings({ config: { model: { x: 1 } } }, strict)).toBe(refusal("model.x"));
    expect(refuseCallerSettings({ config: { model_verbosity: ["low"] } }, strict)).toBe(
      'config key "model_verbosity" takes a single string, number or boolean, got an array.',
    );
  });

  it("a model or profile name that begins with - is refused: a printed `--model <name>` would be an option", () => {
    expect(refuseCallerSettings({ model: "-x" }, strict)).toBe(
      'model "-x" begins with "-" (a pasted `--model <name>` would take it for an option): pass the name as Codex lists it.',
    );
  });

  it("keys that are not dotted paths are refused before anything else", () => {
    expect(refuseCallerSettings({ config: { "--yolo": true } }, strict)).toBe(
      'config key "--yolo" is not a dotted config path (letters, digits, _ and -, joined by dots).',
    );
  });

  it("--allow-config-key allows a key and everything under it, in dotted or table form", () => {
    const operator = {
      allowConfigKeys: ["mcp_servers", "sandbox_workspace_write.network_access"],
      allowProfile: false,
    };
    expect(
      refuseCallerSettings(
        { config: { mcp_servers: { x: { command: "node" } }, "sandbox_workspace_write.network_access": true } },
        operator,
      ),
    ).toBeUndefined();
    expect(
      refuseCallerSettings(
        { config: { sandbox_workspace_write: { network_access: true, writable_roots: ["/"] } } },
        operator,
      ),
    ).toBe(refusal("sandbox_workspace_write.writable_roots"));
    expect(refuseCallerSettings({ config: { mcp_servers_evil: 1 } }, operator)).toBe(refusal("mcp_servers_evil"));
  });

  it("profile needs --allow-profile", () => {
    expect(refuseCallerSettings({ profile: "fast" }, strict)).toBe(
      'profile "fast" cannot be chosen by a caller: a Codex profile can set anything, including commands Codex starts and the sandbox. The operator can allow profiles with --allow-profile (or CODEX_CONTROL_ALLOW_PROFILE=1).',
    );
    expect(refuseCallerSettings({ profile: "fast" }, { allowConfigKeys: [], allowProfile: true })).toBeUndefined();
  });

  it("flattens tables to the keys they set", () => {
    expect(flattenConfig({ a: { b: { c: 1 }, d: [1] }, "e.f": {} })).toEqual([
      ["a.b.c", 1],
      ["a.d", [1]],
      ["e.f", {}],
    ]);
  });
});

describe("workspace rule", () => {
  const dirs = [
    { what: "the home directory", path: "/home/u", insideToo: false },
    { what: "CODEX_HOME", path: "/home/u/.codex", insideToo: true },
  ];
  const why =
    "a run there could change Codex's configuration or this server's own state. Pass the project directory itself.";
  it.each([
    ["/", `cwd / is the root directory: ${why}`],
    ["/home", `cwd /home contains the home directory (/home/u): ${why}`],
    ["/home/u", `cwd /home/u is the home directory: ${why}`],
    ["/home/u/.codex/sessions", `cwd /home/u/.codex/sessions is inside CODEX_HOME (/home/u/.codex): ${why}`],
    ["/home/u/project", undefined],
    ["/home/u/.codex-other", undefined],
    // a folder whose name begins with two dots is a folder inside, not a way out
    ["/home/u/.codex/..x", `cwd /home/u/.codex/..x is inside CODEX_HOME (/home/u/.codex): ${why}`],
    ["/home/u/.codex/.../y", `cwd /home/u/.codex/.../y is inside CODEX_HOME (/home/u/.codex): ${why}`],
  ])("%s", (cwd, message) => {
    expect(refuseWorkspace(cwd, dirs)).toBe(message);
  });

  it("a protected directory in a folder named ..x is inside the cwd", () => {
    expect(refuseWorkspace("/srv/p", [{ what: "the state dir", path: "/srv/p/..x/state", insideToo: true }])).toBe(
      `cwd /srv/p contains the state dir (/srv/p/..x/state): ${why}`,
    );
  });
});

describe("policy differences", () => {
  it("lists each widening of the sandbox and the approval policy", () => {
    expect(
      policyDifferences("sandboxed", "/w", {
        sandbox: "workspace-write",
        sandboxPolicy: {
          type: "workspace-write",
          writable_roots: ["/w", "/"],
          network_access: true,
          exclude_tmpdir_env_var: false,
          exclude_slash_tmp: true,
        },
        approval: "on-request",
      }),
    ).toEqual([
      'writable root "/" was not asked for',
      "sandbox network_access is true, asked for the default",
      "sandbox exclude_slash_tmp is true, asked for the default",
      "approval policy is on-request, asked for never",
    ]);
    expect(
      policyDifferences("read-only", "/w", {
        sandbox: "danger-full-access",
        sandboxPolicy: { type: "danger-full-access" },
        approval: "never",
      }),
    ).toEqual(["sandbox is danger-full-access, asked for read-only"]);
    expect(
      policyDifferences("sandboxed", "/w", {
        sandbox: "workspace-write",
        sandboxPolicy: {
          type: "workspace-write",
          network_access: false,
          exclude_tmpdir_env_var: false,
          exclude_slash_tmp: false,
        },
        approval: "never",
      }),
    ).toEqual([]);
  });
});

describe("policy differences against the operator's own configuration", () => {
  const loosened = {
    sandbox: "workspace-write",
    sandboxPolicy: {
      type: "workspace-write",
      writable_roots: ["/w", "/shared"],
      network_access: false,
      exclude_tmpdir_env_var: false,
      exclude_slash_tmp: false,
    },
    approval: "never",
  };

  it("a session that turned an operator's exclude_slash_tmp = true back to false is reported; the operator's own roots are not", () => {
    const operator = { sandboxWorkspaceWrite: { exclude_slash_tmp: true, writable_roots: ["/shared"] } };
    expect(policyDifferences("sandboxed", "/w", loosened, operator)).toEqual([
      "sandbox exclude_slash_tmp is false, the operator's configuration sets true",
    ]);
    // the control: compared with Codex's defaults only, the loosening goes unseen (and the operator's root looks foreign)
    expect(policyDifferences("sandboxed", "/w", loosened)).toEqual(['writable root "/shared" was not asked for']);
  });

  it("a switch the operator turned on that the session does not record is reported; what matches is not", () => {
    const operator = { sandboxWorkspaceWrite: { exclude_tmpdir_env_var: true } };
    expect(
      policyDifferences(
        "sandboxed",
        "/w",
        {
          sandbox: "workspace-write",
          sandboxPolicy: { type: "workspace-write", writable_roots: ["/w"] },
          approval: "never",
        },
        operator,
      ),
    ).toEqual(["sandbox exclude_tmpdir_env_var is not set, the operator's configuration sets true"]);
    expect(
      policyDifferences(
        "sandboxed",
        "/w",
        {
          sandbox: "workspace-write",
          sandboxPolicy: { type: "workspace-write", exclude_tmpdir_env_var: true },
          approval: "never",
        },
        operator,
      ),
    ).toEqual([]);
  });
});

describe("what a sandboxed run could reach", () => {
  it("/tmp and $TMPDIR get Codex's exclusions; a writable root around the state refuses sandboxed runs", () => {
    expect(
      stateReach({
        codexHome: "/home/u/.codex",
        stateDir: "/home/u/.local/state/ccm",
        tmpdir: undefined,
        writableRoots: [],
      }),
    ).toEqual({ exclusions: {}, refusal: undefined, findings: [] });
    const tmp = stateReach({
      codexHome: "/tmp/ci/codex",
      stateDir: "/var/tmp/run/state",
      tmpdir: "/var/tmp/run",
      writableRoots: [],
    });
    expect(tmp.exclusions).toEqual({ exclude_slash_tmp: true, exclude_tmpdir_env_var: true });
    expect(tmp.refusal).toBe(undefined);
    const rooted = stateReach({
      codexHome: "/home/u/.codex",
      stateDir: "/srv/shared/state",
      tmpdir: undefined,
      writableRoots: ["/srv/shared"],
    });
    expect(rooted.refusal).toBe(
      "the state dir /srv/shared/state is inside the writable root /srv/shared of Codex's config (sandbox_workspace_write.writable_roots), so a sandboxed run could change what the next run executes. Remove that root, or move the state dir out of it (--state-dir, CODEX_HOME); read-only runs are still allowed.",
    );
  });

  it("a state dir in a folder named ..x under /tmp is under /tmp", () => {
    expect(
      stateReach({ codexHome: "/home/u/.codex", stateDir: "/tmp/..x/state", tmpdir: undefined, writableRoots: [] })
        .exclusions,
    ).toEqual({ exclude_slash_tmp: true });
  });
});

describe("ledger record bound", () => {
  it("cuts long values, noting their length, until the line is under 64 KB", () => {
    const line = boundedLine({ type: "session", run_id: "run_x", at: "t", session_id: "s".repeat(3_000_000) });
    expect(Buffer.byteLength(line)).toBeLessThan(MAX_RECORD_BYTES);
    expect(JSON.parse(line)).toEqual({
      type: "session",
      run_id: "run_x",
      at: "t",
      session_id: `${"s".repeat(16_384)}… [truncated: 3000000 chars]`,
    });
    const small = boundedLine({ type: "session", run_id: "run_x", at: "t", session_id: "ok" });
    expect(small).toBe('{"type":"session","run_id":"run_x","at":"t","session_id":"ok"}');
  });
});
