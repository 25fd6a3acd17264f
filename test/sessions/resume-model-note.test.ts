// A model at capacity whose log names its model in a form no command may print: the plain resume leaves it out,
// and the step must say so. The second resume the step prints (another model, on purpose) cleared what the first
// had left out, so the step resumed on the home's default model without a word.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { diagnose } from "../../src/sessions/diagnosis.js";
import { normalizeLine } from "../../src/sessions/normalize.js";
import { foldEvents } from "../../src/sessions/session-model.js";
import { SHAPES, shapeIdOf } from "../support/shape-home.js";

it("server_overloaded with an unprintable model: the plain resume leaves it out and the step says so", async () => {
  const text = await readFile(join(SHAPES, "model-at-capacity.jsonl"), "utf8");
  const lines = text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.replaceAll('"mock-model"', '"mock-model $(touch x)"'));
  const model = await foldEvents(
    lines.flatMap((line, index) => normalizeLine(JSON.parse(line), index + 1)).filter((event) => event !== undefined),
  );
  expect(model.lastContext?.model).toBe("mock-model $(touch x)");
  const id = shapeIdOf(1304);
  const diagnosis = diagnose(model, { sessionId: id, cwd: "/home/user/proj" });
  const resume = (options: string) =>
    `codex exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox ${options}resume ${id} 'Continue where you left off.'`;
  expect([diagnosis.category, diagnosis.next_command]).toEqual(["server_error", resume("")]);
  expect(diagnosis.next_step).toBe(
    `The provider failed on its side; resume (if it fails again, wait a few minutes): ${resume("")} — the model is at capacity, so another may answer now: ${resume("--model '<another model>' ")} (The log names the session's model in a form that is not a plain model name, so the command does not repeat it: Codex resumes on the home's default model; put \`--model <the session's model>\` before \`resume\` to keep it.)`,
  );
});
