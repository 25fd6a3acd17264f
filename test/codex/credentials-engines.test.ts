// Which key the real Codex CLI 0.171 sends for its built-in `openai` provider, by engine, and the preflight
// that must say the same: a loopback server records each request's Authorization header (answering 401
// without one, else passing the request on to the fake model). `codex exec` sends CODEX_API_KEY (before any
// login), `codex app-server` only the login in auth.json, and neither sends OPENAI_API_KEY. The preflight
// counted OPENAI_API_KEY for both and CODEX_API_KEY for app-server: it passed runs that then failed with a 401.
import { writeFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { makeCodexHome } from "../support/codex-home.js";
import { execInHome } from "../support/exec-codex.js";
import { useKeyRecorder } from "../support/key-recorder.js";
import { runCodexOnce } from "../support/mcp.js";

const served = useKeyRecorder();
let url = "";
/** The Authorization header of each request, "-" for none. */
let seen: string[] = [];
beforeAll(() => {
  url = served.recorder.url;
  seen = served.recorder.seen;
});

/** A CODEX_HOME on the built-in `openai` provider, its base URL the recorder; `login`: auth.json's API key. */
async function openaiHome(name: string, login?: string) {
  const made = await makeCodexHome(served.model.url, name);
  await writeFile(
    `${made.home}/config.toml`,
    `model = "mock-model"\nopenai_base_url = ${JSON.stringify(url)}\napproval_policy = "never"\n`,
  );
  if (login) await writeFile(`${made.home}/auth.json`, JSON.stringify({ OPENAI_API_KEY: login }));
  return made;
}

async function runCodex(name: string, engine: "exec" | "app-server", env: Record<string, string>, login?: string) {
  const { home, workdir } = await openaiHome(name, login);
  const answer = await runCodexOnce(
    home,
    workdir,
    { childEnv: { OPENAI_API_KEY: "", CODEX_API_KEY: "", ...env } },
    { engine },
  );
  return { ...answer, home, workdir };
}

describe("credentials of the built-in openai provider (real CLI)", () => {
  it("exec: OPENAI_API_KEY alone is refused, and Codex really sends no key with it", async () => {
    seen.length = 0;
    const { isError, text, home, workdir } = await runCodex("cred-exec-openai", "exec", { OPENAI_API_KEY: "sk-env" });
    // before: the run started, and failed with a 401 ("Codex's credentials were rejected")
    expect([isError, text]).toEqual([
      true,
      `Codex would have no credentials: no login in ${home}/auth.json, and no CODEX_API_KEY in the environment Codex runs get; OPENAI_API_KEY is set, but Codex does not send it (\`codex exec\` reads CODEX_API_KEY). Log Codex in once: \`printenv OPENAI_API_KEY | CODEX_HOME=${home} codex login --with-api-key\`. Or pass the key as CODEX_API_KEY: Add CODEX_API_KEY to the \`env\` of this server's entry in your MCP host's configuration (or start the host from a shell that has it).`,
    ]);
    expect(seen).toEqual([]);
    expect((await execInHome(home, workdir, { OPENAI_API_KEY: "sk-env" })).code).toBe(1);
    expect(new Set(seen)).toEqual(new Set(["-"]));
  }, 120_000);

  it("exec: CODEX_API_KEY passes, and is the key Codex sends", async () => {
    seen.length = 0;
    const { isError, view } = await runCodex("cred-exec-codex", "exec", { CODEX_API_KEY: "sk-codex" });
    expect([isError, view.status, view.error]).toEqual([false, "completed", null]);
    expect(new Set(seen)).toEqual(new Set(["Bearer sk-codex"]));
  }, 120_000);

  it("app-server: CODEX_API_KEY is refused (it reads only a login), with the login as the fix", async () => {
    seen.length = 0;
    const { isError, text, home } = await runCodex("cred-app-codex", "app-server", {
      CODEX_API_KEY: "sk-codex",
      OPENAI_API_KEY: "sk-env",
    });
    // before: the run started, and its turn failed with a 401
    expect([isError, text]).toEqual([
      true,
      `Codex would have no credentials: no login in ${home}/auth.json; OPENAI_API_KEY is set, but Codex does not send it (\`codex app-server\` reads only a login). Log Codex in once: \`printenv OPENAI_API_KEY | CODEX_HOME=${home} codex login --with-api-key\`; engine "app-server" reads no key from the environment.`,
    ]);
    expect(seen).toEqual([]);
  }, 120_000);

  it("app-server: a login passes, and is the key Codex sends (a CODEX_API_KEY beside it is not)", async () => {
    seen.length = 0;
    const { isError, view } = await runCodex("cred-app-login", "app-server", { CODEX_API_KEY: "sk-codex" }, "sk-login");
    expect([isError, view.status, view.error]).toEqual([false, "completed", null]);
    expect(new Set(seen)).toEqual(new Set(["Bearer sk-login"]));
  }, 120_000);
});
