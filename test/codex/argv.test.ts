// The capability parser on the real CLIs' own help texts, and the argv builder on plain arrays.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildExecArgv, UnsupportedRequestError } from "../../src/codex/argv.js";
import { parseCapabilities, type Capabilities } from "../../src/codex/capabilities.js";
import { tomlValue } from "../../src/codex/toml.js";
import { resumeCommandLine } from "../../src/sessions/resume-command.js";
import { FIXTURES } from "../support/fixtures.js";

function capsOf(version: string): Capabilities {
  const [versionText = "", help = ""] = readFileSync(join(FIXTURES, "cli-help", `${version}.txt`), "utf8").split(
    "---\n",
  );
  return parseCapabilities(versionText, help);
}

const UUID = "019a5b2c-0000-7000-8000-00000000c0de";

describe("parseCapabilities on real help texts", () => {
  it.each([
    ["0.20.0", "legacy", false, true],
    ["0.39.0", "legacy", true, true],
    ["0.63.0", "current", true, true],
    ["0.100.0", "current", true, true],
    ["0.169.0", "current", true, false],
    ["0.171.0", "current", true, false],
  ])("%s: stream %s, resume %s, --full-auto %s", (version, stream, resume, fullAuto) => {
    const caps = capsOf(version);
    expect(caps.version).toBe(version);
    expect(caps.jsonStream).toBe(stream);
    expect(caps.subcommands.has("resume")).toBe(resume);
    expect(caps.flags.has("--full-auto")).toBe(fullAuto);
    for (const flag of [
      "--sandbox",
      "--cd",
      "--json",
      "--skip-git-repo-check",
      "--output-last-message",
      "--dangerously-bypass-approvals-and-sandbox",
    ]) {
      expect([flag, caps.flags.has(flag)]).toEqual([flag, true]);
    }
    expect(caps.flags.has("--output-schema")).toBe(version !== "0.20.0" && version !== "0.39.0");
  });

  it("an unreadable version is an error that shows what was printed", () => {
    expect(() => parseCapabilities("garbage", "")).toThrow(
      'could not read a version from `codex --version`: "garbage"',
    );
  });
});

describe("buildExecArgv", () => {
  const cwd = "/srv/-odd dir";

  it("0.169: sandbox flag, valued flags with `=`, prompt on stdin", () => {
    expect(
      buildExecArgv(
        {
          cwd,
          mode: "sandboxed",
          model: "gpt-5-codex",
          reasoningEffort: "high",
          profile: "ci",
          config: { "sandbox_workspace_write.network_access": true, notify: ["a", "b"] },
          skipGitRepoCheck: true,
          outputSchemaFile: "/tmp/s.json",
          lastMessageFile: "/tmp/last.txt",
          images: ["/tmp/a.png", "-b.png"],
        },
        capsOf("0.169.0"),
      ),
    ).toEqual([
      "exec",
      "--json",
      "--cd=/srv/-odd dir",
      "--sandbox=workspace-write",
      "--skip-git-repo-check",
      "--model=gpt-5-codex",
      "--profile=ci",
      '--config=model_reasoning_effort="high"',
      "--config=sandbox_workspace_write.network_access=true",
      '--config=notify=["a", "b"]',
      "--image=/tmp/a.png",
      "--image=-b.png",
      "--output-schema=/tmp/s.json",
      "--output-last-message=/tmp/last.txt",
      "-",
    ]);
  });

  it("modes map to the sandbox flags each CLI has; never a model unless asked", () => {
    expect(buildExecArgv({ cwd: "/w", mode: "read-only" }, capsOf("0.169.0"))).toEqual([
      "exec",
      "--json",
      "--cd=/w",
      "--sandbox=read-only",
      "-",
    ]);
    expect(buildExecArgv({ cwd: "/w", mode: "full-access" }, capsOf("0.169.0"))).toEqual([
      "exec",
      "--json",
      "--cd=/w",
      "--dangerously-bypass-approvals-and-sandbox",
      "-",
    ]);
    const noSandboxFlag = { ...capsOf("0.20.0"), flags: new Set(["--json", "--full-auto"]) };
    expect(buildExecArgv({ cwd: "/w", mode: "sandboxed" }, noSandboxFlag)).toEqual([
      "exec",
      "--json",
      "--cd=/w",
      "--full-auto",
      "-",
    ]);
    expect(() => buildExecArgv({ cwd: "/w", mode: "read-only" }, noSandboxFlag)).toThrow(UnsupportedRequestError);
  });

  it("resume: every option before `resume <id>`, the prompt still on stdin", () => {
    expect(
      buildExecArgv(
        { cwd: "/w", mode: "sandboxed", resumeSessionId: "019a5b2c-0000-7000-8000-00000000c0de" },
        capsOf("0.39.0"),
      ),
    ).toEqual([
      "exec",
      "--json",
      "--cd=/w",
      "--sandbox=workspace-write",
      "resume",
      "019a5b2c-0000-7000-8000-00000000c0de",
      "-",
    ]);
    expect(() => buildExecArgv({ cwd: "/w", mode: "sandboxed", resumeSessionId: UUID }, capsOf("0.20.0"))).toThrow(
      "Codex 0.20.0 cannot resume sessions (`codex exec resume` arrived in 0.35). Upgrade with `npm install -g @openai/codex`.",
    );
  });

  it("a session id that is not a UUID never reaches the argv: it could be read as an option", () => {
    // the control: a UUID passes, so the refusal below is the id's shape and nothing else
    expect(buildExecArgv({ cwd: "/w", mode: "sandboxed", resumeSessionId: UUID }, capsOf("0.169.0"))).toContain(UUID);
    for (const id of ['--config=mcp_servers.x={command="sh"}', "-c", `${UUID} `, `${UUID}\n`, "x"]) {
      expect(() => buildExecArgv({ cwd: "/w", mode: "sandboxed", resumeSessionId: id }, capsOf("0.169.0"))).toThrow(
        `${JSON.stringify(id.slice(0, 80))} is not a Codex session id (a UUID); only a session's own id is resumed.`,
      );
    }
  });

  it("the server's own sandbox exclusions come after the caller's config, and only for a sandboxed run", () => {
    const exclusions = { exclude_slash_tmp: true, exclude_tmpdir_env_var: true };
    expect(buildExecArgv({ cwd: "/w", mode: "sandboxed", sandboxExclusions: exclusions }, capsOf("0.169.0"))).toEqual([
      "exec",
      "--json",
      "--cd=/w",
      "--sandbox=workspace-write",
      "--config=sandbox_workspace_write.exclude_slash_tmp=true",
      "--config=sandbox_workspace_write.exclude_tmpdir_env_var=true",
      "-",
    ]);
    expect(buildExecArgv({ cwd: "/w", mode: "read-only", sandboxExclusions: exclusions }, capsOf("0.169.0"))).toEqual([
      "exec",
      "--json",
      "--cd=/w",
      "--sandbox=read-only",
      "-",
    ]);
  });

  it("refuses flags the CLI lacks and config keys that could smuggle options", () => {
    expect(() => buildExecArgv({ cwd: "/w", mode: "sandboxed", outputSchemaFile: "/s" }, capsOf("0.39.0"))).toThrow(
      "Codex 0.39.0 has no `exec --output-schema`, needed for output_schema. Upgrade with `npm install -g @openai/codex`.",
    );
    for (const key of ["--yolo", "a=b", "a b", "", "model --json"]) {
      expect(() => buildExecArgv({ cwd: "/w", mode: "sandboxed", config: { [key]: 1 } }, capsOf("0.169.0"))).toThrow(
        UnsupportedRequestError,
      );
    }
  });
});

describe("tomlValue", () => {
  it("encodes strings, numbers, booleans, arrays and inline tables", () => {
    expect(tomlValue('say "hi"\n')).toBe('"say \\"hi\\"\\n"');
    expect(tomlValue(1.5)).toBe("1.5");
    expect(tomlValue(false)).toBe("false");
    expect(tomlValue([1, "a"])).toBe('[1, "a"]');
    expect(tomlValue({ a: 1, "b.c": { d: true } })).toBe('{ a = 1, "b.c" = { d = true } }');
    expect(() => tomlValue(null)).toThrow(
      "config values must be strings, numbers, booleans, arrays or tables, got null",
    );
    expect(() => tomlValue(Number.NaN)).toThrow("config values must be finite numbers, got NaN");
  });
});

describe("resumeCommandLine", () => {
  it("keeps the directory and sandbox, quotes for a POSIX shell", () => {
    expect(resumeCommandLine({ sessionId: UUID, cwd: "/my proj", sandbox: "read-only", prompt: "it's done?" })).toBe(
      `codex exec --cd '/my proj' --sandbox read-only resume ${UUID} 'it'\\''s done?'`,
    );
    expect(resumeCommandLine({ sessionId: UUID })).toBe(`codex exec resume ${UUID} 'Continue where you left off.'`);
  });

  it("prints no id from a log that is not a UUID: quoting alone would still let Codex read it as an option", () => {
    expect(resumeCommandLine({ sessionId: '--config=notify=["sh"]' })).toBe(
      "codex exec resume '<session id: the log'\\''s is not a UUID>' 'Continue where you left off.'",
    );
  });
});
