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

// an MCP server over stdio whose `slowtool` answers after 3 s (its tool_timeout_sec is 1 s)
const SERVER = `import { createInterface } from "node:readline";
const send = (m) => process.stdout.write(JSON.stringify(m) + "\\n");
createInterface({ input: process.stdin }).on("line", (line) => {
  const m = JSON.parse(line);
  if (m.method === "initialize") send({ jsonrpc: "2.0", id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: "tsrv", version: "1" } } });
  else if (m.method === "tools/list") send({ jsonrpc: "2.0", id: m.id, result: { tools: [{ name: "slowtool", description: "slow", inputSchema: { type: "object" } }] } });
  else if (m.method === "tools/call") setTimeout(() => send({ jsonrpc: "2.0", id: m.id, result: { content: [{ type: "text", text: "ok slowtool" }] } }), 3000);
  else if (m.id !== undefined) send({ jsonrpc: "2.0", id: m.id, result: {} });
});
`;

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
  await writeFile(server, SERVER);
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
  const command = `CODEX_HOME=${home} ${PINNED_CODEX} exec --cd ${sub} --dangerously-bypass-approvals-and-sandbox -c mcp_servers.tsrv.tool_timeout_sec=60 resume ${id} 'The MCP tool call timed out; it has more time now: call it again.'`;
  expect(summary.diagnosis.next_command).toBe(command);
  // the person's prompt in place of the printed one: the fake model calls the tool again on it
  const resumed = await pasted(command.replace(/'[^']*'$/, `'please MCP:slowtool {"x":"b"}'`), codexEnv(home));
  expect(resumed.code).toBe(0);
  expect(JSON.stringify(model.requests.at(-1)?.input?.at(-1))).toContain("ok slowtool");
});
