// `codex exec fork` (0.169, paginated history): the child file references its parent's history
// (`history_base`) and its token counter continues from the parent's total. The fork is charged only its own.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionsReport } from "../../../src/sessions/report/view.js";
import { codexEnv, makeCodexHome } from "../../support/codex-home.js";
import { PINNED_CODEX } from "../../support/codex-versions.js";
import { startFakeModel, type FakeModel } from "../../support/fake-model.js";
import { connect, type Connected } from "../../support/mcp.js";

let model: FakeModel;
let home: string;
let workdir: string;
let mcp: Connected;

beforeAll(async () => {
  model = await startFakeModel();
  ({ home, workdir } = await makeCodexHome(model.url, "fork"));
  mcp = await connect({ codexHome: home });
});
afterAll(async () => {
  await mcp.close();
  await model.close();
});

function codexExec(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [PINNED_CODEX, "exec", "--json", "--skip-git-repo-check", "-C", workdir, ...args],
      {
        env: codexEnv(home),
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("error", reject);
    child.on("close", () => resolve(stdout));
  });
}

const threadOf = (stdout: string) => /"thread_id":"([0-9a-f-]+)"/.exec(stdout)?.[1] as string;

describe("a fork made by the real CLI", () => {
  it("is a `fork` of its parent, charged only its own turn and tokens; the parent lists it", async () => {
    const parent = threadOf(await codexExec(["please RUN:echo one"]));
    const child = threadOf(await codexExec(["fork", parent, "please RUN:echo two"]));
    expect(child).not.toBe(parent);

    const parentUsage = (await mcp.call("token_usage", { session_id: parent })).structuredContent as {
      total: { total: number };
    };
    const usage = (await mcp.call("token_usage", { session_id: child })).structuredContent as Record<string, unknown>;
    // the fake model answers each request with the same usage: the fork's own turn costs what the parent's did
    expect(usage).toMatchObject({
      total: { total: parentUsage.total.total },
      inherited: { parent_session_id: parent, tokens: { total: parentUsage.total.total } },
    });

    const summary = (await mcp.call("session_summary", { session_id: child })).structuredContent as Record<
      string,
      unknown
    >;
    expect(summary).toMatchObject({
      kind: "fork",
      parent_session_id: parent,
      counts: { turns: 1, function_calls: 1 },
      turns: [{ index: 1, prompt: "please RUN:echo two", status: "completed" }],
      tokens: { total: parentUsage.total.total },
    });
    const parentSummary = (await mcp.call("session_summary", { session_id: parent })).structuredContent as {
      children: unknown[];
    };
    expect(parentSummary.children).toMatchObject([
      { session_id: child, kind: "fork", status: "completed", first_prompt: "please RUN:echo two" },
    ]);
    const listed = (await mcp.call("list_sessions", {})).structuredContent as {
      sessions: Array<Record<string, unknown>>;
    };
    expect(
      listed.sessions.map(({ session_id, kind, parent_session_id }) => ({ session_id, kind, parent_session_id })),
    ).toEqual([
      { session_id: child, kind: "fork", parent_session_id: parent },
      { session_id: parent, kind: "session", parent_session_id: null },
    ]);

    // the report across sessions counts the parent's history once: the fake model answers every request with
    // the same usage, so the child's own turn costs what the parent's did
    const own = (
      (await mcp.call("token_usage", { session_id: parent })).structuredContent as { total: { total: number } }
    ).total.total;
    const report = (await mcp.call("sessions_report", { group_by: "category" }))
      .structuredContent as unknown as SessionsReport;
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
