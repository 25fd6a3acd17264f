// A `local_shell` call (the Responses built-in of the codex-mini era) names its folder in
// `action.working_directory`, where exec_command/shell name `workdir`: a relative refused path is that folder's.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, testConfig, type Connected } from "../support/mcp.js";
import { SHAPES, shapeHome, shapeIdOf } from "../support/shape-home.js";

let home: string;
let mcp: Connected;

/** Fixture 91 with its exec_command call swapped for the same command as a local_shell_call. */
async function localShellLog(n: number, action: Record<string, unknown>): Promise<void> {
  const lines = (await readFile(join(SHAPES, "sandbox-relative-write-in-call-workdir.jsonl"), "utf8"))
    .replaceAll(shapeIdOf(91), shapeIdOf(n))
    .split("\n");
  const index = lines.findIndex((line) => line.includes('"type":"function_call","id":"fc_3"'));
  expect(index).toBeGreaterThan(0);
  const line = JSON.parse(lines[index] as string) as { payload: Record<string, unknown> };
  line.payload = { type: "local_shell_call", id: "lsh_3", call_id: "call_3", status: "completed", action };
  lines[index] = JSON.stringify(line);
  const name = `rollout-2026-12-05T13-00-0${n - 95}-${shapeIdOf(n)}.jsonl`;
  await writeFile(join(home, "sessions", "2026", "12", "05", name), lines.join("\n"));
}

beforeAll(async () => {
  home = await shapeHome("ccm-local-shell-", [], "2026-12-05T13-00");
  const exec = { type: "exec", command: ["touch", "out/x.txt"], timeout_ms: 10000, env: {} };
  await localShellLog(95, { ...exec, working_directory: "/home/user/other" });
  await localShellLog(96, exec);
  await localShellLog(97, { ...exec, working_directory: "../other" });
  mcp = await connect(testConfig({ codexHome: home, codexBin: join(home, "no-such-codex") }));
});
afterAll(async () => mcp.close());

async function diagnosisOf(n: number): Promise<Record<string, unknown>> {
  const summary = (await mcp.call("session_summary", { session_id: shapeIdOf(n) })).structuredContent as {
    diagnosis: Record<string, unknown>;
  };
  return summary.diagnosis;
}

const resumeOf = (n: number, middle: string, prompt: string) =>
  `CODEX_HOME=${home} ${join(home, "no-such-codex")} exec --cd /home/user/proj ${middle} resume ${shapeIdOf(n)} '${prompt}'`;

describe("a local_shell call's working_directory", () => {
  it("/home/user/other: the refused out/x.txt is that folder's, --add-dir /home/user/other/out", async () => {
    const diagnosis = await diagnosisOf(95);
    expect(diagnosis.sandbox_denials).toEqual([
      { call_id: "call_3", command: "touch out/x.txt", kind: "write", target: "out/x.txt", mode: "workspace-write" },
    ]);
    expect(diagnosis.next_command).toBe(
      "mkdir -p /home/user/other/out && " +
        resumeOf(
          95,
          "--sandbox workspace-write --skip-git-repo-check --model mock-model --add-dir /home/user/other/out",
          "The folders you wrote to are writable now; do the refused writes again.",
        ),
    );
  });

  it("relative (../other): the session cwd's, --add-dir /home/user/other/out", async () => {
    expect((await diagnosisOf(97)).next_command).toBe(
      "mkdir -p /home/user/other/out && " +
        resumeOf(
          97,
          "--sandbox workspace-write --skip-git-repo-check --model mock-model --add-dir /home/user/other/out",
          "The folders you wrote to are writable now; do the refused writes again.",
        ),
    );
  });

  it("none: the folder is not known, full access as for any relative path", async () => {
    expect((await diagnosisOf(96)).next_command).toBe(
      resumeOf(
        96,
        "--dangerously-bypass-approvals-and-sandbox --skip-git-repo-check --model mock-model",
        "The sandbox is off now; run the blocked commands again.",
      ),
    );
  });
});
