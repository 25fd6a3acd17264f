// A printed next step pasted into `sh` with the real Codex CLI (pinned, fake model): an MCP server defined only in
// a trusted project's .codex/config.toml (the repository's top level; the session ran in a sub folder) timed out.
// A resume in that folder runs with the project's file, so the step's `-c …tool_timeout_sec` resume starts and
// the call answers (main printed "define the server again" and a plain resume, which timed out again).
import { execFileSync } from "node:child_process";
import { appendFile, mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { GIT_ENV } from "../../support/git.js";
import { connect, testConfig, type Connected } from "../../support/mcp.js";
import { pasted } from "../../support/pasted.js";
import { SLOW_MCP_SERVER } from "../../support/slow-mcp-server.js";

let model: FakeModel;
let home: string;
let sub: string;
let mcp: Connected;

beforeAll(async () => {
  model = await startFakeModel();
  let repo: string;
  ({ home, workdir: repo } = await makeCodexHome(model.url, "project-config"));
  sub = join(repo, "sub");
  await mkdir(join(repo, ".codex"), { recursive: true });
  await mkdir(sub);
  execFileSync("git", ["init", "-q", repo], { env: GIT_ENV });
  const server = join(dirname(home), "tsrv.mjs");
  await writeFile(server, SLOW_MCP_SERVER);
  await writeFile(
    join(repo, ".codex", "config.toml"),
    `[mcp_servers.tsrv]\ncommand = "node"\nargs = [${JSON.stringify(server)}]\ntool_timeout_sec = 1\n`,
  );
  await appendFile(join(home, "config.toml"), `\n[projects.${JSON.stringify(repo)}]\ntrust_level = "trusted"\n`);
  mcp = await connect(testConfig({ codexHome: home, codexBin: PINNED_CODEX }));
});
afterAll(async () => {
  await mcp.close();
  await model.close();
});

it("the -c tool_timeout_sec resume, pasted: Codex starts with the project's server and the call answers", async () => {
  const run = await pasted(
    `${PINNED_CODEX} exec --cd '${sub}' --skip-git-repo-check 'please MCP:slowtool {"x":"a"}'`,
    codexEnv(home),
  );
  expect(run.code).toBe(0);
  const [file] = (await readdir(join(home, "sessions"), { recursive: true })).filter((name) => name.endsWith(".jsonl"));
  const id = file?.slice(-42, -6) ?? "";
  const answer = await mcp.call("session_summary", { session_id: id });
  const summary = answer.structuredContent as {
    diagnosis: { next_command: string; evidence: string[] };
  };
  const command = `CODEX_HOME=${home} ${PINNED_CODEX} exec --cd ${sub} --dangerously-bypass-approvals-and-sandbox --model mock-model -c mcp_servers.tsrv.tool_timeout_sec=60 resume ${id} 'The MCP tool call timed out; it has more time now: call it again.'`;
  expect(summary.diagnosis.next_command).toBe(command);
  // the person's prompt in place of the printed one: the fake model calls the tool again on it
  const resumed = await pasted(command.replace(/'[^']*'$/, `'please MCP:slowtool {"x":"b"}'`), codexEnv(home));
  expect(resumed.code).toBe(0);
  expect(JSON.stringify(model.requests.at(-1)?.input?.at(-1))).toContain("ok slowtool");
});
