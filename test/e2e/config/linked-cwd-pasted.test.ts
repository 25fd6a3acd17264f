// A printed next step pasted into `sh` with the real Codex CLI (pinned, fake model): a session run with
// `codex exec --cd <a path through a link>` (0.171 records the path as given, links and all: macOS /tmp, a
// linked home) whose MCP call timed out, and whose server is no longer in CODEX_HOME's config.toml. The config
// reader does not walk a path with a link; before the s10 review it then called the config "unknown" and
// printed `-c mcp_servers.tsrv.tool_timeout_sec=60`, which 0.171 refuses for a server no file defines. Now the
// user's file counts (as before project layers were read): the step says to define the server again, and its
// plain resume starts.
import { execFileSync } from "node:child_process";
import { mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { codexConfig, codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { GIT_ENV } from "../../support/git.js";
import { connect, testConfig, type Connected } from "../../support/mcp.js";
import { pasted } from "../../support/pasted.js";
import { SLOW_MCP_SERVER } from "../../support/slow-mcp-server.js";

let model: FakeModel;
let home: string;
let linked: string;
let mcp: Connected;

beforeAll(async () => {
  model = await startFakeModel();
  let repo: string;
  ({ home, workdir: repo } = await makeCodexHome(model.url, "linked-cwd"));
  await mkdir(join(repo, "sub"));
  execFileSync("git", ["init", "-q", repo], { env: GIT_ENV });
  await symlink(repo, join(dirname(repo), "via-link"));
  linked = join(dirname(repo), "via-link", "sub");
  const server = join(dirname(home), "tsrv.mjs");
  await writeFile(server, SLOW_MCP_SERVER);
  await writeFile(
    join(home, "config.toml"),
    `${codexConfig(model.url)}\n[mcp_servers.tsrv]\ncommand = "node"\nargs = [${JSON.stringify(server)}]\ntool_timeout_sec = 1\n`,
  );
  mcp = await connect(testConfig({ codexHome: home, codexBin: PINNED_CODEX }));
});
afterAll(async () => {
  await mcp.close();
  await model.close();
});

it("the server gone from config.toml: 'define it again' and a plain resume that starts, not a -c override Codex refuses", async () => {
  const run = await pasted(
    `${PINNED_CODEX} exec --cd '${linked}' --skip-git-repo-check 'please MCP:slowtool {"x":"a"}'`,
    codexEnv(home),
  );
  expect(run.code).toBe(0);
  // the server taken out of the user's config since
  await writeFile(join(home, "config.toml"), codexConfig(model.url));
  const [file] = (await readdir(join(home, "sessions"), { recursive: true })).filter((name) => name.endsWith(".jsonl"));
  const id = file?.slice(-42, -6) ?? "";
  const summary = (await mcp.call("session_summary", { session_id: id })).structuredContent as {
    diagnosis: { next_command: string; evidence: string[] };
  };
  const resume = (options: string, prompt: string) =>
    `CODEX_HOME=${home} ${PINNED_CODEX} exec --cd ${linked} --dangerously-bypass-approvals-and-sandbox --model mock-model ${options}resume ${id} '${prompt}'`;
  expect(summary.diagnosis.next_command).toBe(resume("", "The MCP tool call timed out; call it again."));
  expect(summary.diagnosis.evidence).toContain(
    "CODEX_HOME's config.toml does not define the MCP server tsrv (any more)",
  );
  // what was printed before: Codex refuses to start
  const refused = await pasted(
    resume(
      "-c mcp_servers.tsrv.tool_timeout_sec=60 ",
      "The MCP tool call timed out; it has more time now: call it again.",
    ),
    codexEnv(home),
  );
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("Error loading config.toml: invalid transport");
  // the printed command, pasted: Codex starts and the turn completes
  expect((await pasted(summary.diagnosis.next_command, codexEnv(home))).code).toBe(0);
});
