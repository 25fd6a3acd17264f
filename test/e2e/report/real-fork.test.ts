// The report on a fork family made by the real CLI (0.169 `codex exec fork`: the child references its
// parent's history and its counter continues from the parent's total, with no marker in its own file):
// the family's tokens are the parent's plus the child's own, its turns two, not three.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionsReport } from "../../../src/sessions/report/view.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { connect, type Connected } from "../../support/mcp.js";

const require = createRequire(import.meta.url);
const CODEX = join(dirname(require.resolve("@openai/codex/package.json")), "bin", "codex.js");

let model: FakeModel;
let home: string;
let workdir: string;
let mcp: Connected;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "report-fork"));
  mcp = await connect({ codexHome: home });
});
afterAll(async () => {
  await mcp.close();
  await model.close();
});

function codexExec(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CODEX, "exec", "--json", "--skip-git-repo-check", "-C", workdir, ...args], {
      env: codexEnv(home),
      stdio: ["ignore", "pipe", "ignore"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("error", reject);
    child.on("close", () => resolve(stdout));
  });
}

const threadOf = (stdout: string) => /"thread_id":"([0-9a-f-]+)"/.exec(stdout)?.[1] as string;

describe("a real-CLI fork family in the report", () => {
  it("counts the parent's history once", async () => {
    const parent = threadOf(await codexExec(["please RUN:echo one"]));
    threadOf(await codexExec(["fork", parent, "please RUN:echo two"]));
    const own = (
      (await mcp.call("token_usage", { session_id: parent })).structuredContent as { total: { total: number } }
    ).total.total;
    const result = await mcp.call("sessions_report", { group_by: "category" });
    const report = result.structuredContent as unknown as SessionsReport;
    // the fake model answers every request with the same usage: the child's own turn costs what the parent's did
    expect(report.total).toMatchObject({
      sessions: 2,
      turns: 2,
      categories: { completed: 2 },
      tokens: { total: 2 * own },
    });
    // asked again (the digests in memory), the same
    expect(
      ((await mcp.call("sessions_report", { group_by: "category" })).structuredContent as unknown as SessionsReport)
        .total.tokens.total,
    ).toBe(2 * own);
  });
});
