// The credentials check reads Codex's config as TOML, the way Codex does: before, its own line reader knew only
// `[a.b]` headers and `key = "string" | true | false` lines, so a provider Codex 0.171 reads fine written as dotted
// keys, under `[model_providers]`, as an inline table, with a multi-line or escaped string or a quoted key read as
// undefined or keyless (and a multi-line string holding a header's text was read as that header). Each form is run
// through the real CLI first, a loopback server recording the key it sends, then checked.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assessCredentials } from "../../src/codex/credentials.js";
import { makeCodexHome } from "../support/codex-home.js";
import { execInHome } from "../support/exec-codex.js";
import { useKeyRecorder } from "../support/key-recorder.js";

const served = useKeyRecorder();

const HEAD = 'model = "mock-model"\napproval_policy = "never"\nmodel_provider = "x"\n';
const RETRIES = "request_max_retries = 0\nstream_max_retries = 0";

/** The check of a home whose config.toml is `text`, for runs that get X_KEY. */
const checkWithXKey = (home: string, text: string) =>
  assessCredentials({ runEnv: { X_KEY: "sk-x" }, serverEnv: {}, codexHome: home, configToml: text, authJson: null });

/** Each form's config.toml (URL: the recorder's base URL), every one selecting provider "x" with key X_KEY. */
const FORMS: Record<string, (url: string) => string> = {
  "dotted keys at the top level": (url) =>
    `${HEAD}model_providers.x.name = "x"\nmodel_providers.x.base_url = "${url}"\nmodel_providers.x.env_key = "X_KEY"\n`,
  "dotted keys under [model_providers]": (url) =>
    `${HEAD}[model_providers]\nx.name = "x"\nx.base_url = "${url}"\nx.env_key = "X_KEY"\n`,
  "an inline table": (url) =>
    `${HEAD}model_providers = { x = { name = "x", base_url = "${url}", env_key = "X_KEY" } }\n`,
  "a multi-line string": (url) =>
    `${HEAD}[model_providers.x]\nname = "x"\nbase_url = "${url}"\nenv_key = """X_KEY"""\n${RETRIES}\n`,
  "a multi-line literal string": (url) =>
    `${HEAD}[model_providers.x]\nname = "x"\nbase_url = '''${url}'''\nenv_key = '''\nX_KEY'''\n${RETRIES}\n`,
  "quoted keys": (url) =>
    `${HEAD}[model_providers."x"]\n"name" = "x"\n'base_url' = "${url}"\n"env_key" = "X_KEY"\n${RETRIES}\n`,
  "an escaped string": (url) =>
    `${HEAD}[model_providers.x]\nname = "x"\nbase_url = "${url}"\nenv_key = "X\\u005FKEY"\n${RETRIES}\n`,
  "a multi-line string holding a header's text": (url) =>
    `${HEAD}[model_providers.x]\nbase_url = "${url}" # the recorder\nenv_key = "X_KEY"\nname = """\n[model_providers.x]\nenv_key = "OTHER_KEY"\n"""\n${RETRIES}\n`,
};

describe("a provider written in any TOML form Codex 0.171 reads", () => {
  for (const [form, config] of Object.entries(FORMS)) {
    it(`${form}: Codex sends X_KEY, and the check names X_KEY`, async () => {
      const { home, workdir } = await makeCodexHome(served.model.url, "toml-form");
      const text = config(served.recorder.url);
      await writeFile(join(home, "config.toml"), text);
      served.recorder.seen.length = 0;
      const run = await execInHome(home, workdir, { X_KEY: "sk-x", OTHER_KEY: "sk-other", OPENAI_API_KEY: "" });
      expect([run.code, new Set(served.recorder.seen)]).toEqual([0, new Set(["Bearer sk-x"])]);
      // before: "x" undefined ("neither defined … nor built in"), keyless ("needs no API key"), or another variable
      expect(checkWithXKey(home, text)).toEqual({
        provider: "x",
        source: "env",
        variable: "X_KEY",
        endpoint: served.recorder.url,
        found: 'model provider "x" reads its key from X_KEY, which Codex runs get',
        fix: null,
      });
    }, 120_000);
  }
});

describe("a config.toml that is not TOML", () => {
  const provider = (url: string) =>
    `[model_providers.x]\nname = "x"\nbase_url = "${url}"\nenv_key = "X_KEY"\n${RETRIES}\n`;
  const BROKEN: Record<string, { config: (url: string) => string; line: number; what: string }> = {
    "an unterminated string": {
      config: (url) => `model_provider = "x"\nmodel = "mock-model\n${provider(url)}`,
      line: 2,
      what: "control characters are not allowed in strings",
    },
    "81 nested arrays, one past Codex's limit": {
      config: (url) => `model_provider = "x"\nzz = ${"[".repeat(81)}${"]".repeat(81)}\n${provider(url)}`,
      line: 2,
      what: "document contains excessively nested structures. aborting.",
    },
  };
  for (const [form, { config, line, what }] of Object.entries(BROKEN)) {
    it(`${form}: Codex refuses to start naming the line, and so does the check`, async () => {
      const { home, workdir } = await makeCodexHome(served.model.url, "toml-broken");
      const text = config(served.recorder.url);
      await writeFile(join(home, "config.toml"), text);
      served.recorder.seen.length = 0;
      const run = await execInHome(home, workdir, { X_KEY: "sk-x" });
      const named = `Error loading config.toml:\n${home}/config.toml:${line}:`;
      expect([run.code, served.recorder.seen, run.stderr.includes(named)]).toEqual([1, [], true]);
      // before: the line was skipped, and the run passed ("reads its key from X_KEY, which Codex runs get")
      expect(checkWithXKey(home, text)).toEqual({
        provider: "",
        source: "missing",
        variable: null,
        endpoint: "",
        startRefused: true,
        found: `${home}/config.toml is not TOML (line ${line}: ${what}), which Codex 0.171 refuses to start with ("Error loading config.toml")`,
        fix: `Fix ${home}/config.toml at line ${line} (\`codex exec\` names the line and what is wrong there).`,
      });
    }, 120_000);
  }
});

describe("hostile keys", () => {
  it("a provider named __proto__ or constructor is undefined, and a `-c` key through __proto__ sets nothing shared", () => {
    const assess = (configToml: string, overrides: Array<[string, unknown]> = []) =>
      assessCredentials({ runEnv: {}, serverEnv: {}, codexHome: "/h", configToml, authJson: null, overrides });
    expect(["__proto__", "constructor", "toString"].map((id) => assess(`model_provider = "${id}"\n`).found)).toEqual(
      ["__proto__", "constructor", "toString"].map(
        (id) =>
          `config.toml selects model provider "${id}", which is neither defined under [model_providers.${id}] nor built in`,
      ),
    );
    expect(
      assess("", [
        ["__proto__.polluted", "yes"],
        ["model_providers.__proto__.env_key", "P_KEY"],
      ]).provider,
    ).toBe("openai");
    expect(({} as Record<string, unknown>).polluted).toBe(undefined);
  });
});

describe("a profile file that is not TOML", () => {
  it("is refused naming that file (0.171 with --profile p: 'Error loading config.toml: …/p.config.toml:1:11: …')", () => {
    // checked with the CLI: `codex exec --profile p` exits 1 with that message; before, the line was skipped
    expect(
      assessCredentials({
        runEnv: {},
        serverEnv: {},
        codexHome: "/h",
        configToml: 'model = "m"\n',
        authJson: '{"OPENAI_API_KEY":"sk-1"}',
        profile: "p",
        profileToml: 'model = "m\n',
      }),
    ).toMatchObject({
      startRefused: true,
      found:
        '/h/p.config.toml is not TOML (line 1: control characters are not allowed in strings), which Codex 0.171 refuses to start with ("Error loading config.toml")',
      fix: "Fix /h/p.config.toml at line 1 (`codex exec` names the line and what is wrong there).",
    });
  });
});
