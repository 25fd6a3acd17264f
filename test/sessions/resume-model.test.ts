// A printed resume kept the session's model out: `codex exec … resume <id>` runs the home's default model, so a
// session run with `-m gpt-5.5` was resumed on the fake home's mock-model (0.171 warns "This session was recorded
// with model `gpt-5.5` but is resuming with `mock-model`"). Checked with 0.171: `--model <m>` before `resume` (the
// form resume_session uses), after it, and `-c model=<m>` all resume on <m>. Real CLI 0.171 with the fake model.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnose } from "../../src/sessions/diagnosis.js";
import { sessionSummary } from "../../src/sessions/index.js";
import { normalizeLine } from "../../src/sessions/normalize.js";
import { foldEvents } from "../../src/sessions/session-model.js";
import { codexEnv } from "../support/codex-home.js";
import { PINNED_CODEX } from "../support/codex-versions.js";
import { execCodex } from "../support/exec-codex.js";
import { requestInputs, startFakeModel, type FakeModel } from "../support/fake-model.js";
import { pasted } from "../support/pasted.js";

let model: FakeModel;
beforeAll(async () => {
  model = await startFakeModel();
});
afterAll(async () => model.close());

async function rolloutLines(home: string): Promise<string[]> {
  const [file] = (await readdir(join(home, "sessions"), { recursive: true })).filter((f) => f.endsWith(".jsonl"));
  const text = await readFile(join(home, "sessions", file ?? ""), "utf8");
  return text.split("\n").filter((line) => line !== "");
}

describe("a resume step of a session run with another model than the home's", () => {
  it("names the session's model, and pasted, the resumed turn asks that model", async () => {
    const run = await execCodex(model, "please say hi", { args: ["-m", "gpt-5.5"] });
    const id = run.sessionIds[0] ?? "";
    const { diagnosis } = await sessionSummary(run.home, id, { reasoningLimit: 10, invocation: {} });
    const command = `codex exec --cd ${run.workdir} --dangerously-bypass-approvals-and-sandbox --model gpt-5.5 resume ${id} 'Continue where you left off.'`;
    expect([diagnosis.category, diagnosis.next_command]).toEqual(["completed", command]);
    expect(diagnosis.next_step).toBe(`Nothing to repair. To continue the work: ${command}`);
    const before = model.requests.length;
    const ran = await pasted(command.replace(/^codex /, `${process.execPath} ${PINNED_CODEX} `), codexEnv(run.home));
    expect(ran.code).toBe(0);
    expect(ran.stderr).not.toContain("but is resuming with");
    expect(model.requests.slice(before).map((request) => requestInputs(request).model)).toEqual(["gpt-5.5"]);
  }, 60_000);

  it("a model name that is no plain name is left out, and the step says so", async () => {
    const run = await execCodex(model, "please say hi", { args: ["-m", "gpt-5.5"] });
    const id = run.sessionIds[0] ?? "";
    const lines = (await rolloutLines(run.home)).map((line) => line.replaceAll('"gpt-5.5"', '"gpt-5.5 $(touch x)"'));
    const session = await foldEvents(
      lines.flatMap((line, index) => normalizeLine(JSON.parse(line), index + 1)).filter((event) => event !== undefined),
    );
    expect(session.lastContext?.model).toBe("gpt-5.5 $(touch x)");
    const diagnosis = diagnose(session, { sessionId: id, cwd: "/home/user/proj" });
    const command = `codex exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox resume ${id} 'Continue where you left off.'`;
    expect(diagnosis.next_command).toBe(command);
    expect(diagnosis.next_step).toBe(
      `Nothing to repair. To continue the work: ${command} (The log names the session's model in a form that is not a plain model name, so the command does not repeat it: Codex resumes on the home's default model; put \`--model <the session's model>\` before \`resume\` to keep it.)`,
    );
  }, 60_000);
});
