// A sub-agent whose task goes on in its parent: the next step resumes the parent only when the parent's log is
// in CODEX_HOME (0.171: `codex exec resume <id>` of a session with no log fails, "no rollout found for thread
// id"), and goes past a parent that is a sub-agent itself (resumed, it answers into its own log only).
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, testConfig, type Connected } from "../support/mcp.js";
import { shapeHome, shapeIdOf } from "../support/shape-home.js";

const idOf = shapeIdOf;
let home: string;
let mcp: Connected;
const day = () => join(home, "sessions", "2026", "12", "05");

/** A minimal log of session `n`: its session_meta, a sub-agent's when `parent` is given. */
async function session(n: number, parent?: number): Promise<void> {
  const source =
    parent === undefined ? "exec" : { subagent: { thread_spawn: { parent_thread_id: idOf(parent), depth: 1 } } };
  const meta = {
    id: idOf(n),
    timestamp: "2026-12-05T09:00:00.000Z",
    cwd: "/home/user/proj",
    cli_version: "0.171.0",
    source,
  };
  const line = JSON.stringify({ timestamp: "2026-12-05T09:00:00.000Z", type: "session_meta", payload: meta });
  await writeFile(
    join(day(), `rollout-2026-12-05T09-00-${String(n % 60).padStart(2, "0")}-${idOf(n)}.jsonl`),
    `${line}\n`,
  );
}
async function gone(n: number): Promise<void> {
  await rm(join(day(), `rollout-2026-12-05T09-00-${String(n % 60).padStart(2, "0")}-${idOf(n)}.jsonl`));
}

beforeAll(async () => {
  // the token-only sub-agent 92 of parent 93 (test/fixtures/shapes/subagent-token-counts-only.jsonl)
  home = await shapeHome(
    "ccm-subagent-parents-",
    [
      ["subagent-token-counts-only", 92],
      ["subagent-spawned-failed-auth", 44],
    ],
    "2026-12-05T12-00",
  );
  mcp = await connect(testConfig({ codexHome: home, codexBin: "codex" }));
});
afterAll(async () => mcp.close());

async function diagnosisOf(n: number): Promise<{ next_command: string | null; next_step: string; evidence: string[] }> {
  const summary = (await mcp.call("session_summary", { session_id: idOf(n) })).structuredContent as Record<
    string,
    unknown
  >;
  return summary.diagnosis as { next_command: string | null; next_step: string; evidence: string[] };
}

const orphaned = (n: number) =>
  `Nothing here can be resumed: put the log of ${idOf(n)} (the session that owns this sub-agent's task) back into CODEX_HOME and ask for this summary again, or start the task anew.`;
const parentResume = (n: number) =>
  `CODEX_HOME=${home} codex exec --skip-git-repo-check resume ${idOf(n)} 'Your sub-agent ${idOf(92)} did not finish its task; what stopped it is dealt with now: start a sub-agent on that task again, or do it yourself.'`;

describe("a failed sub-agent (a whole log) whose parent has no log in CODEX_HOME", () => {
  it("is resumed itself: its own log resumes (0.171), the parent's id does not", async () => {
    const diagnosis = await diagnosisOf(44);
    expect(diagnosis.next_command).toBe(
      `CODEX_HOME=${home} codex exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox --model mock-model resume ${idOf(44)} 'Continue where you left off.'`,
    );
    expect(diagnosis.evidence.at(-1)).toBe(
      `a sub-agent of ${idOf(45)}, whose log is not in CODEX_HOME (\`codex exec resume\` would fail: "no rollout found"), so the sub-agent itself is resumed; its answer stays in its own log`,
    );
  });
});

describe("a token-only sub-agent's parent", () => {
  it("not in CODEX_HOME: nothing to resume (0.171 pasted: the parent's resume fails, and so does the token-only log's own)", async () => {
    const diagnosis = await diagnosisOf(92);
    expect(diagnosis.next_command).toBeNull();
    expect(diagnosis.next_step).toBe(orphaned(93));
    expect(diagnosis.evidence.at(-1)).toBe(
      `its task is its parent's, and the log of ${idOf(93)} is not in CODEX_HOME; a log that kept only token counts cannot be resumed itself`,
    );
  });

  it("in CODEX_HOME: the parent is resumed (the answer changes as soon as the parent's log is there)", async () => {
    await session(93);
    const diagnosis = await diagnosisOf(92);
    expect(diagnosis.next_command).toBe(parentResume(93));
    expect(diagnosis.evidence.at(-1)).toBe(
      `a sub-agent of ${idOf(93)}: the task is the parent's (resumed, a sub-agent answers into its own log, which the parent does not read), so the parent is resumed`,
    );
  });

  it("a sub-agent itself whose parent is on disk: that one, the task's owner, is resumed", async () => {
    await session(93, 95);
    await session(95);
    const diagnosis = await diagnosisOf(92);
    expect(diagnosis.next_command).toBe(parentResume(95));
    expect(diagnosis.evidence.at(-1)).toBe(
      `a sub-agent of ${idOf(93)}, itself a sub-agent of ${idOf(95)}: the task is ${idOf(95)}'s (resumed, a sub-agent answers into its own log, which its parent does not read), so ${idOf(95)} is resumed`,
    );
  });

  it("a sub-agent itself whose own parent has no log: nothing to resume, the missing one named", async () => {
    await gone(95);
    const diagnosis = await diagnosisOf(92);
    expect(diagnosis.next_command).toBeNull();
    expect(diagnosis.next_step).toBe(orphaned(95));
  });

  it("parents naming each other (a loop) end the walk: the parent, as before", async () => {
    await session(93, 92);
    expect((await diagnosisOf(92)).next_command).toBe(parentResume(93));
  });
});
