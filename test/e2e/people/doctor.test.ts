// What hosts get wrong and `doctor` must catch: a key that is the host's placeholder text, an allowlist read
// from the config rather than guessed from object identity, and a CODEX_HOME that is a typo or a file.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assessCredentials, placeholderSyntax } from "../../../src/codex/credentials.js";
import { loadConfig } from "../../../src/config/config.js";
import { codexConfig } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { copyFixtureHome } from "../../support/fixtures.js";
import { connect } from "../../support/mcp.js";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "dist", "cli.js");
const withKey = (url: string) =>
  codexConfig(url).replace("request_max_retries", 'env_key = "MOCK_KEY"\nrequest_max_retries');

let model: FakeModel;
let home: string;
let stateDir: string;
beforeAll(async () => {
  model = await startFakeModel();
  ({ home } = await copyFixtureHome());
  await writeFile(join(home, "config.toml"), withKey(model.url));
  stateDir = await mkdtemp(join(tmpdir(), "ccm-state-"));
});
afterAll(async () => model.close());

async function cli(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const base = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    CODEX_HOME: home,
    CODEX_BIN: PINNED_CODEX,
    CODEX_CONTROL_STATE_DIR: stateDir,
  };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      env: { ...base, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("a credential variable that holds a placeholder", () => {
  it("each host syntax is recognized as a placeholder; a real key and near misses are not", () => {
    expect(
      [
        "${OPENAI_API_KEY}",
        "$OPENAI_API_KEY",
        "{env:OPENAI_API_KEY}",
        "%OPENAI_API_KEY%",
        "${env:OPENAI_API_KEY}",
        " $KEY ",
      ].map(placeholderSyntax),
    ).toEqual(["${VAR}", "$VAR", "{env:VAR}", "%VAR%", "${env:VAR}", "$VAR"]);
    expect(["sk-proj-abc$def", "sk-123", "$", "${}", "%%", "{env:}", "$1abc"].map(placeholderSyntax)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it("fails the credentials check with the cause in the calling host's terms", () => {
    // CODEX_API_KEY: the variable `codex exec` sends as the key (Codex sends no OPENAI_API_KEY)
    const assess = (value: string, host?: string) =>
      assessCredentials({
        runEnv: { CODEX_API_KEY: value },
        serverEnv: { CODEX_API_KEY: value },
        codexHome: "/h",
        configToml: "",
        authJson: null,
        host,
      });
    expect(assess("${CODEX_API_KEY}", "claude-ai")).toEqual({
      provider: "openai",
      source: "missing",
      variable: "CODEX_API_KEY",
      endpoint: "https://api.openai.com/v1",
      found:
        'CODEX_API_KEY is the text "${CODEX_API_KEY}", a placeholder (${VAR}) the host passed on without expanding it, not a key',
      fix: "This host does not expand ${CODEX_API_KEY} (Claude Desktop expands nothing; Gemini CLI expands $VAR, opencode {env:VAR}, OpenClaw ${VAR}, Cursor and VS Code ${env:VAR}; %VAR% is Windows shell syntax no host expands). Write the key itself in the entry, use the syntax this host expands, or start the host from a shell that has CODEX_API_KEY and leave it out of the entry.",
    });
    expect(assess("{env:CODEX_API_KEY}", "gemini-cli-mcp-client").fix).toBe(
      "Gemini CLI expands `$CODEX_API_KEY` and `${CODEX_API_KEY}` in an entry's `env`; it passed {env:CODEX_API_KEY} on as it was written. Write the key itself in the entry, use the syntax this host expands, or start the host from a shell that has CODEX_API_KEY and leave it out of the entry.",
    );
    expect(
      assess("$CODEX_API_KEY", "opencode").fix?.startsWith(
        "opencode expands `{env:CODEX_API_KEY}` in an entry's `environment`; it passed $CODEX_API_KEY on",
      ),
    ).toBe(true);
    expect(
      assess("%CODEX_API_KEY%", "codex-mcp-client").fix?.startsWith(
        'Codex expands nothing in `env`: list the variable in `env_vars = ["CODEX_API_KEY"]` instead; it passed %CODEX_API_KEY% on',
      ),
    ).toBe(true);
    // a login does not rescue it: the variable would still be sent as the key
    expect(
      assessCredentials({
        runEnv: { CODEX_API_KEY: "$CODEX_API_KEY" },
        serverEnv: {},
        codexHome: "/h",
        configToml: "",
        authJson: '{"tokens":{}}',
      }).source,
    ).toBe("missing");
    expect(assess("sk-real").source).toBe("env");
    // the client names Copilot CLI and Auggie send (seen in their initialize requests)
    expect(
      assess("$CODEX_API_KEY", "copilot-cli").fix?.startsWith(
        "Copilot CLI expands `${CODEX_API_KEY}` in an entry's `env`, except `${OPENAI_API_KEY}`, which arrives empty (write the key itself: `copilot mcp add … --env CODEX_API_KEY=$CODEX_API_KEY`, unquoted",
      ),
    ).toBe(true);
    expect(
      assess("{env:CODEX_API_KEY}", "augment-mcp-client").fix?.startsWith(
        "Auggie expands `${CODEX_API_KEY}` in an entry's `env` (`--env 'CODEX_API_KEY=${CODEX_API_KEY}'`); it passed {env:CODEX_API_KEY} on",
      ),
    ).toBe(true);
    const missing = assessCredentials({
      runEnv: {},
      serverEnv: {},
      codexHome: "/h",
      configToml: "",
      authJson: null,
      host: "copilot-cli",
    });
    // Copilot CLI drops only OPENAI_API_KEY, which Codex does not send anyway: CODEX_API_KEY does get through
    expect(missing.fix).toBe(
      "Log Codex in once: `CODEX_HOME=/h codex login` (an API key: `codex login --with-api-key`, the key on stdin). Or pass the key as CODEX_API_KEY: Copilot CLI passes its environment on: start it from a shell that has CODEX_API_KEY, or write the key into the entry, your shell expanding it: `copilot mcp add codex-control --env CODEX_API_KEY=$CODEX_API_KEY … -- codex-control-mcp` (unquoted).",
    );
  });

  it("`doctor` exits 1 with FAIL credentials for a provider's env_key given as ${MOCK_KEY}, and passes with a key", async () => {
    const placeholder = await cli({ MOCK_KEY: "${MOCK_KEY}" }, "doctor");
    expect(placeholder.code).toBe(1);
    expect(placeholder.stdout).toContain(
      'FAIL  credentials        MOCK_KEY is the text "${MOCK_KEY}", a placeholder (${VAR}) the host passed on without expanding it, not a key\n      fix: This host does not expand ${MOCK_KEY}',
    );
    const json = JSON.parse((await cli({ MOCK_KEY: "{env:MOCK_KEY}" }, "doctor", "--json")).stdout) as {
      credentials: unknown;
    };
    expect(json.credentials).toEqual({
      provider: "mock",
      source: "missing",
      variable: "MOCK_KEY",
      endpoint: model.url,
      endpoint_answers: true,
    });
    expect((await cli({ MOCK_KEY: "sk-mock" }, "doctor")).code).toBe(0);
  });
});

describe("the env allowlist is what the config says", () => {
  it("a config built from a copy of the environment has no allowlist; --env-allow makes one", async () => {
    const copied = loadConfig([], { ...process.env, CODEX_HOME: home, CODEX_CONTROL_STATE_DIR: stateDir });
    // a HOME of its own: the capability probe's Codex must write into CODEX_HOME, not ~/.codex, whatever the allowlist
    // (Codex writes nothing under its TMPDIR, so the child gets one beside that HOME rather than around it)
    const userHome = await mkdtemp(join(tmpdir(), "ccm-user-home-"));
    await mkdir(join(userHome, "tmp"));
    const allowed = loadConfig(["--env-allow", "MOCK_KEY"], {
      ...process.env,
      HOME: userHome,
      TMPDIR: join(userHome, "tmp"),
      CODEX_HOME: home,
      CODEX_CONTROL_STATE_DIR: stateDir,
      MOCK_KEY: "sk-mock",
    });
    const report = async (config: typeof copied) => {
      const mcp = await connect({ ...config, runner: { ...config.runner, codexBin: PINNED_CODEX } });
      try {
        return (await mcp.call("doctor", {})).structuredContent as {
          policy: { env_allowlist: boolean };
          checks: Array<{ name: string; level: string; found: string }>;
        };
      } finally {
        await mcp.close();
      }
    };
    const open = await report(copied);
    expect(open.policy.env_allowlist).toBe(false);
    expect(open.checks.find((check) => check.name === "policy")?.found).toMatch(
      /; Codex inherits the whole environment$/,
    );
    const narrowed = await report(allowed);
    expect(narrowed.policy.env_allowlist).toBe(true);
    expect(narrowed.checks.find((check) => check.name === "policy")?.found).toMatch(
      /; Codex gets only the allowlisted environment \(MOCK_KEY and the base set\)$/,
    );
    expect(narrowed.checks.find((check) => check.name === "codex")?.level).toBe("ok");
    expect(await readdir(userHome)).toEqual(["tmp"]);
  });
});

describe("a CODEX_HOME that is a typo or a file", () => {
  it("sessions, summary and doctor name the path: missing, or not a directory", async () => {
    const missing = join(dirname(home), "codx");
    const file = join(dirname(home), "a-file");
    await writeFile(file, "not a folder\n");
    expect(await cli({ CODEX_HOME: missing }, "sessions")).toEqual({
      code: 1,
      stdout: "",
      stderr: `codex-control-mcp: CODEX_HOME ${missing} does not exist: fix CODEX_HOME (a typo?), or run Codex once to create it.\n`,
    });
    expect(await cli({ CODEX_HOME: missing }, "summary", "last")).toEqual({
      code: 1,
      stdout: "",
      stderr: `codex-control-mcp: CODEX_HOME ${missing} does not exist: fix CODEX_HOME (a typo?), or run Codex once to create it.\n`,
    });
    const notDir = `codex-control-mcp: CODEX_HOME ${file} is not a directory: point CODEX_HOME at the folder that holds Codex's sessions/ (by default ~/.codex).\n`;
    expect(await cli({ CODEX_HOME: file }, "sessions")).toEqual({ code: 1, stdout: "", stderr: notDir });
    expect(await cli({ CODEX_HOME: file }, "summary", "last")).toEqual({ code: 1, stdout: "", stderr: notDir });
    const doctor = await cli({ CODEX_HOME: file, MOCK_KEY: "sk-mock" }, "doctor");
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(
      `FAIL  CODEX_HOME         ${file} is not a directory\n      fix: Point CODEX_HOME at the folder that holds Codex's sessions/ (by default ~/.codex).`,
    );
    const absent = await cli({ CODEX_HOME: missing, MOCK_KEY: "sk-mock" }, "doctor");
    expect(absent.stdout).toContain(
      `WARN  CODEX_HOME         ${missing} does not exist\n      fix: If CODEX_HOME is a typo, fix it; otherwise run Codex once, which creates it.`,
    );
  });
});
