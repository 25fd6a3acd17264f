// The credentials check of resume_session and review_changes, and the folder Codex runs in. A trusted project's
// `.codex/config.toml` there may force a ChatGPT login (0.171 takes `forced_login_method` from it, refuses an API
// key and logs out). Both tools gave the check no cwd, so it read no project: it passed the run and Codex refused it.
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCodexHome } from "../support/codex-home.js";
import { startFakeModel, type FakeModel } from "../support/fake-model.js";
import { gitIn } from "../support/git.js";
import { seedSession, textOf, withCodexServer } from "../support/mcp.js";

let model: FakeModel;
beforeAll(async () => {
  model = await startFakeModel();
});
afterAll(async () => model.close());

/** A home on the built-in openai provider (a login it takes, sent to the fake model) and a git repository. */
async function openaiHome(): Promise<{ home: string; workdir: string }> {
  const made = await makeCodexHome(model.url, "run-folder");
  await writeFile(
    join(made.home, "config.toml"),
    `model = "mock-model"\nopenai_base_url = ${JSON.stringify(model.url)}\napproval_policy = "never"\n`,
  );
  gitIn(made.workdir)("init", "-q");
  return made;
}

/** `workdir` becomes a trusted project that forces a ChatGPT login. */
async function forceChatgpt(home: string, workdir: string): Promise<void> {
  await mkdir(join(workdir, ".codex"));
  await writeFile(join(workdir, ".codex", "config.toml"), 'forced_login_method = "chatgpt"\n');
  await appendFile(join(home, "config.toml"), `\n[projects."${workdir}"]\ntrust_level = "trusted"\n`);
}

/** What run_codex answers in that project, and so must the others. */
const refusal = (home: string) =>
  `Codex would have no credentials: forced_login_method = "chatgpt" in the project's .codex/config.toml, and CODEX_API_KEY is in the environment Codex runs get: Codex would refuse that key ("ChatGPT login is required, but an API key is currently being used. Logging out.") and delete ${home}/auth.json. Take CODEX_API_KEY out of the environment Codex runs get (\`--env-allow\` without it, or the server's entry), and sign Codex in with ChatGPT: \`CODEX_HOME=${home} codex login\`.`;

describe("the credentials check reads the trusted project Codex will run in (real CLI)", () => {
  it("resume_session: the session's cwd", async () => {
    const { home, workdir } = await openaiHome();
    const sessionId = await seedSession(home, workdir);
    await forceChatgpt(home, workdir);
    const before = model.requests.length;
    await withCodexServer(home, { childEnv: { CODEX_API_KEY: "sk-codex" } }, async (mcp) => {
      const result = await mcp.call("resume_session", { session_id: sessionId, prompt: "go on", wait_ms: 60_000 });
      // before: the resume started and failed, "codex exited with code 1: ChatGPT login is required, but an API
      // key is currently being used. Logging out."
      expect({ isError: result.isError, text: textOf(result) }).toEqual({ isError: true, text: refusal(home) });
    });
    expect(model.requests.length).toBe(before);
  }, 120_000);

  it("review_changes: the cwd it reviews", async () => {
    const { home, workdir } = await openaiHome();
    await writeFile(join(workdir, "a.txt"), "changed\n");
    await forceChatgpt(home, workdir);
    const before = model.requests.length;
    await withCodexServer(home, { childEnv: { CODEX_API_KEY: "sk-codex" } }, async (mcp) => {
      const result = await mcp.call("review_changes", { cwd: workdir, uncommitted: true, wait_ms: 60_000 });
      // before: the review started and failed the same way
      expect({ isError: result.isError, text: textOf(result) }).toEqual({ isError: true, text: refusal(home) });
    });
    expect(model.requests.length).toBe(before);
  }, 120_000);
});
