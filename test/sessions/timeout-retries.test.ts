// A run that hit its timeout after Codex retried the model's request: the retry is the cause only when the run
// was still waiting on the model; once the model answered (it asked for a command, which ran into the timeout),
// the run timed out on the work. The log is 0.171's (test/fixtures/shapes/timeout-after-a-recovered-retry.jsonl:
// the first stream dropped, the retry answered with `sleep 40`, the run's 12 s timeout killed it); the run
// facts are what the server's ledger recorded for it.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diagnose, type RunFacts } from "../../src/sessions/diagnosis.js";
import { normalizeLine } from "../../src/sessions/normalize.js";
import { foldEvents } from "../../src/sessions/session-model.js";
import { FIXTURES } from "../support/fixtures.js";

const ID = "0199bbbb-0000-7000-8000-000000000013";
const CWD = "/home/user/proj";
const RETRY =
  "Reconnecting... 1/2 (stream disconnected before completion: Transport error: network error: error decoding response body)";
const RUN: RunFacts = {
  runId: "run_1",
  status: "timeout",
  alive: false,
  startedAt: "2026-12-05T10:53:00.272Z",
  endedAt: "2026-12-05T10:53:12.387Z",
  error: "timed out: no result within 12000 ms",
  errors: [RETRY],
  stderrTail: "",
};
// the session ran outside a git repository (its meta records none): a resume there needs the flag
const RESUME = `codex exec --cd ${CWD} --sandbox workspace-write --skip-git-repo-check --model mock-model resume ${ID} 'Continue where you left off.'`;

/** The fixture's first `count` lines (all: the whole run), folded. */
async function session(count?: number) {
  const text = await readFile(join(FIXTURES, "shapes", "timeout-after-a-recovered-retry.jsonl"), "utf8");
  const lines = text.trim().split("\n").slice(0, count);
  return foldEvents(lines.flatMap((line, index) => normalizeLine(JSON.parse(line), index + 1) ?? []));
}

describe("a timeout after a retry", () => {
  it("the retry got through and the command it led to ran into the timeout: timeout, not the provider", async () => {
    const diagnosis = diagnose(await session(), { sessionId: ID, cwd: CWD, run: RUN });
    expect(diagnosis).toMatchObject({ category: "timeout", retryable: false, error: null, next_command: RESUME });
    expect(diagnosis.evidence).toEqual([
      "turn 1 was aborted (interrupted)",
      'the last call, "sleep 40", was cut off when its turn was interrupted or aborted (it did not fail on its own)',
      'run run_1 of this server ended timeout: "timed out: no result within 12000 ms"',
      `the run's --json stream reported: ${JSON.stringify(RETRY)}; the model answered after it (the command it asked for was running when the run hit its timeout)`,
    ]);
    expect(diagnosis.next_step).toBe(
      `The run hit its timeout. Resume it with a larger timeout_ms (or split the task): ${RESUME}`,
    );
  });

  it("the run was still waiting on the model: the retries are the cause, and Codex had not given up", async () => {
    // the log up to the prompt: the model never answered before the timeout
    const diagnosis = diagnose(await session(7), {
      sessionId: ID,
      cwd: CWD,
      run: { ...RUN, errors: [RETRY, RETRY.replace("1/2", "2/2")] },
    });
    expect(diagnosis).toMatchObject({
      category: "server_error",
      retryable: true,
      error: { source: "stream", retries: 2 },
      next_command: RESUME,
    });
    expect(diagnosis.evidence).toEqual([
      "turn 1 has no end: the run was killed, crashed, or is still running",
      'run run_1 of this server ended timeout: "timed out: no result within 12000 ms"',
      "the model produced nothing after the prompt: the request may have failed (a model error is not always written to the log)",
      `the run's --json stream reported: ${JSON.stringify(RETRY.replace("1/2", "2/2"))}`,
      "Codex retried 2 time(s) and was still retrying when the run hit its timeout",
    ]);
  });
});
