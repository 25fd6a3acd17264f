// A trusted project's `.codex/config.toml` and the credentials check: 0.171 takes its `forced_login_method`
// (checked with the CLI: "ChatGPT login is required, but an API key is currently being used. Logging out.") but
// ignores its `model_provider` and `model_providers` (the run went to openai with CODEX_API_KEY). The check read
// CODEX_HOME's files only: it passed a run with CODEX_API_KEY that Codex then refused, deleting auth.json.
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assessCredentials } from "../../src/codex/credentials.js";
import { projectConfigs } from "../../src/codex/credentials-layers.js";
import { makeCodexHome } from "../support/codex-home.js";
import { startFakeModel } from "../support/fake-model.js";
import { gitIn } from "../support/git.js";
import { runCodexOnce } from "../support/mcp.js";

/** A CODEX_HOME on the fake model and a git repository holding `.codex/config.toml`, trusted when asked. */
async function projectHome(modelUrl: string, projectToml: string, trusted: boolean) {
  const made = await makeCodexHome(modelUrl, "cred-project");
  // the built-in openai provider (a login it takes), sent to the fake model
  await writeFile(
    join(made.home, "config.toml"),
    `model = "mock-model"\nopenai_base_url = ${JSON.stringify(modelUrl)}\napproval_policy = "never"\n`,
  );
  gitIn(made.workdir)("init", "-q");
  await mkdir(join(made.workdir, ".codex"));
  await writeFile(join(made.workdir, ".codex", "config.toml"), projectToml);
  if (trusted)
    await appendFile(join(made.home, "config.toml"), `\n[projects."${made.workdir}"]\ntrust_level = "trusted"\n`);
  return made;
}

describe("the credentials check and a trusted project's config", () => {
  it("refuses CODEX_API_KEY where the trusted project forces a ChatGPT login (real CLI)", async () => {
    const model = await startFakeModel();
    try {
      const { home, workdir } = await projectHome(model.url, 'forced_login_method = "chatgpt"\n', true);
      const { isError, text } = await runCodexOnce(home, workdir, { childEnv: { CODEX_API_KEY: "sk-codex" } });
      // before: the run started and failed, "codex exited with code 1: ChatGPT login is required, but an API key is
      // currently being used. Logging out."
      expect({ isError, text }).toEqual({
        isError: true,
        text: `Codex would have no credentials: forced_login_method = "chatgpt" in the project's .codex/config.toml, and CODEX_API_KEY is in the environment Codex runs get: Codex would refuse that key ("ChatGPT login is required, but an API key is currently being used. Logging out.") and delete ${home}/auth.json. Take CODEX_API_KEY out of the environment Codex runs get (\`--env-allow\` without it, or the server's entry), and sign Codex in with ChatGPT: \`CODEX_HOME=${home} codex login\`.`,
      });
    } finally {
      await model.close();
    }
  }, 120_000);

  it("reads an untrusted project's file not at all, and a trusted one's provider keys not", async () => {
    const provider = 'forced_login_method = "api"\nmodel_provider = "x"\n[model_providers.openai]\nname = "x"\n';
    const untrusted = await projectHome("http://127.0.0.1:9/v1", provider, false);
    expect(await projectConfigs(untrusted.home, untrusted.workdir)).toEqual([]);
    const trusted = await projectHome("http://127.0.0.1:9/v1", provider, true);
    const userToml = `model = "m"\n[projects."${trusted.workdir}"]\ntrust_level = "trusted"\n`;
    const projectTomls = await projectConfigs(trusted.home, trusted.workdir);
    expect(projectTomls).toEqual([{ file: join(trusted.workdir, ".codex", "config.toml"), text: provider }]);
    expect(
      assessCredentials({
        runEnv: { CODEX_API_KEY: "k" },
        serverEnv: {},
        codexHome: "/h",
        configToml: userToml,
        authJson: null,
        projectTomls,
      }),
    ).toEqual({
      provider: "openai",
      source: "env",
      variable: "CODEX_API_KEY",
      endpoint: "https://api.openai.com/v1",
      found: "CODEX_API_KEY is in the environment Codex runs get",
      fix: null,
    });
  });
});
