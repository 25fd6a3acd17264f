// A `codex exec review` (real CLI 0.171) whose reviewer ran a command that failed while it looked at the code
// (`git diff; exit 1`) and whose verdict is "patch is incorrect": the review sub-agent's diagnosis said
// command_failures and printed a resume asking the reviewer to "fix" its look at the code, and the review's own
// session said "Nothing to repair". A reviewer's exploratory command is no failure for the user to repair, and
// the verdict is the review's outcome, not a failure of the run: both now say the review finished, with its
// verdict and findings, and print the same review to run again once the findings are addressed.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionSummary, SessionStore } from "../../src/sessions/index.js";
import { normalizeLine } from "../../src/sessions/normalize.js";
import { codexEnv, makeCodexHome } from "../support/codex-home.js";
import { PINNED_CODEX } from "../support/codex-versions.js";
import { DEFAULT_REVIEW, startFakeModel, type FakeModel } from "../support/fake-model.js";
import { gitIn } from "../support/git.js";
import { pasted } from "../support/pasted.js";

let model: FakeModel;
beforeAll(async () => {
  model = await startFakeModel();
});
afterAll(async () => {
  await model.close();
});

async function reviewed(verdict: string, findings: number) {
  const { home, workdir } = await makeCodexHome(model.url, "review-diagnosis");
  const git = gitIn(workdir);
  git("init", "-q", "-b", "main");
  await pasted(`cd ${workdir} && echo one > a.txt`, codexEnv(home));
  git("add", "a.txt");
  git("commit", "-q", "-m", "first");
  await pasted(`cd ${workdir} && echo two >> a.txt`, codexEnv(home));
  const finding = {
    title: "[P1] Drops a line",
    body: "a.txt loses its ending.",
    confidence_score: 0.9,
    priority: 1,
    code_location: { absolute_file_path: join(workdir, "a.txt"), line_range: { start: 2, end: 2 } },
  };
  model.review = {
    ...DEFAULT_REVIEW,
    findings: Array.from({ length: findings }, () => finding),
    overall_correctness: verdict,
    overall_explanation: "Checked a.txt.",
  };
  const ran = await pasted(
    `cd ${workdir} && ${process.execPath} ${PINNED_CODEX} exec review 'STEPS: RUN:git diff; exit 1'`,
    codexEnv(home),
  );
  expect(ran.code, ran.stderr).toBe(0);
  const ids = (await logsIn(home)).map((name) => /([0-9a-f-]{36})\.jsonl$/.exec(name)?.[1] ?? "");
  const store = new SessionStore(home);
  const summaries = await Promise.all(ids.map((id) => sessionSummary(store, id, { reasoningLimit: 0 })));
  const parent = summaries.find((summary) => summary.parent_session_id === null);
  const child = summaries.find((summary) => summary.parent_session_id === parent?.session_id);
  return { home, workdir, parent: parent?.diagnosis, child: child?.diagnosis };
}

async function logsIn(home: string): Promise<string[]> {
  return (await readdir(join(home, "sessions"), { recursive: true })).filter((name) => name.endsWith(".jsonl"));
}

describe("a finished `codex exec review` (real CLI 0.171)", () => {
  it("is its verdict, not the reviewer's failed look at the code nor 'Nothing to repair'", async () => {
    const { home, workdir, parent, child } = await reviewed("patch is incorrect", 1);
    const again = `codex exec --cd ${workdir} --dangerously-bypass-approvals-and-sandbox --model mock-model review 'STEPS: RUN:git diff; exit 1'`;
    const step = `The review finished with the verdict "patch is incorrect" and 1 finding: that is its outcome, not a failure of the run. Address the findings (the review's answer lists them), then review again: ${again}`;
    expect(parent?.category).toBe("completed");
    expect(parent?.next_step).toBe(step);
    expect(parent?.next_command).toBe(again);
    expect(child?.category).toBe("completed");
    expect(child?.next_step).toBe(step);
    expect(child?.next_command).toBe(again);
    expect(child?.evidence).toContain(
      "a review's own sub-agent: its failed commands are the reviewer's look at the code, not failures to repair",
    );
    expect(child?.evidence).toContain('the review finished with the verdict "patch is incorrect" and 1 finding');
    // pasted, it runs the same review again: a new review and its sub-agent
    const ran = await pasted(again.replace(/^codex /, `${process.execPath} ${PINNED_CODEX} `), codexEnv(home));
    expect(ran.code, ran.stderr).toBe(0);
    expect(await logsIn(home)).toHaveLength(4);
  });

  it("a correct patch: nothing to repair", async () => {
    const { workdir, parent, child } = await reviewed("patch is correct", 0);
    const again = `codex exec --cd ${workdir} --dangerously-bypass-approvals-and-sandbox --model mock-model review 'STEPS: RUN:git diff; exit 1'`;
    const step = `Nothing to repair: the review finished with the verdict "patch is correct" and no findings. To review again: ${again}`;
    expect([parent?.category, parent?.next_step]).toEqual(["completed", step]);
    expect([child?.category, child?.next_step]).toEqual(["completed", step]);
  });
});

describe("a review's end as the log writes it", () => {
  const line = (review_output: unknown) => ({
    timestamp: "2026-12-06T01:00:23.900Z",
    type: "event_msg",
    payload: {
      type: "item_completed",
      thread_id: "t",
      turn_id: "u",
      item: { type: "ExitedReviewMode", review_output },
    },
  });
  it("its verdict bounded and its findings counted; a failed review's null output is no outcome", () => {
    const at = { line: 1, timestamp: "2026-12-06T01:00:23.900Z" };
    expect(normalizeLine(line({ overall_correctness: "x".repeat(5000), findings: [{}, {}] }), 1)).toEqual([
      { kind: "review_ended", outcome: { verdict: "x".repeat(200), findings: 2 }, ...at },
    ]);
    expect(normalizeLine(line(null), 1)).toEqual([]);
    expect(
      normalizeLine({ ...line(null), payload: { type: "exited_review_mode", review_output: { findings: "no" } } }, 1),
    ).toEqual([{ kind: "review_ended", outcome: { verdict: null, findings: 0 }, ...at }]);
  });
});
