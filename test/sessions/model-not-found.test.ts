// A model the provider does not serve: 0.171 ends the turn with `codex_error_info: "model_not_found"` (the real
// CLI against a server answering HTTP 404 with OpenAI's body for an unknown model, the fixture). The step was
// "Fix what the error names (model, provider, request), then:" and a plain resume, which asks for the same model
// and fails again. Checked with the CLI: the printed `--model <m>` before `resume` runs the resume with <m>
// (its header says `model: <m>`).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diagnose } from "../../src/sessions/diagnosis.js";
import { modelErrorStep, serverErrorStep } from "../../src/sessions/diagnosis-model.js";
import { normalizeLine } from "../../src/sessions/normalize.js";
import { foldEvents } from "../../src/sessions/session-model.js";
import { SHAPES, shapeIdOf } from "../support/shape-home.js";

describe("model_not_found", () => {
  it("says to resume with a model the provider serves, or fix `model`, naming the session's", async () => {
    const text = await readFile(join(SHAPES, "model-not-found-404.jsonl"), "utf8");
    const lines = text.split("\n").filter((line) => line !== "");
    const model = await foldEvents(
      lines.flatMap((line, index) => normalizeLine(JSON.parse(line), index + 1)).filter((event) => event !== undefined),
    );
    const id = shapeIdOf(1302);
    const diagnosis = diagnose(model, { sessionId: id, cwd: "/home/user/proj" });
    expect([diagnosis.category, diagnosis.error?.error_info]).toEqual(["model_error", "model_not_found"]);
    const resume = `codex exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox resume ${id} 'Continue where you left off.'`;
    expect(diagnosis.next_step).toBe(
      `The provider does not serve the model "gpt-nope" (model_not_found: a wrong name, or one this account may not use), so resuming as is fails again: resume with a model it serves: codex exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox --model '<a model the provider serves>' resume ${id} 'Continue where you left off.' — or fix \`model\` where it is set (config.toml, the profile), then run: ${resume}`,
    );
    expect(diagnosis.next_command).toBe(resume);
  });

  it("a model name that is no plain name is not quoted; another model error keeps the general step", () => {
    const session = { lastContext: { model: "a'b $(x)" } };
    expect(modelErrorStep("model_not_found", session, "C", (m) => `R ${m}`)).toBe(
      "The provider does not serve the session's model (model_not_found: a wrong name, or one this account may not use), so resuming as is fails again: resume with a model it serves: R <a model the provider serves> — or fix `model` where it is set (config.toml, the profile), then run: C",
    );
    expect(modelErrorStep(null, session, "C", (m) => m)).toBe(
      "Fix what the error names (model, provider, request), then: C",
    );
  });
});

// A model at capacity: 0.171 against a `response.failed` with code server_is_overloaded ends the turn with
// "Selected model is at capacity. Please try a different model." (server_overloaded, the fixture); the step
// only said to wait and resume the same model.
describe("server_overloaded", () => {
  it("offers another model besides waiting", async () => {
    const text = await readFile(join(SHAPES, "model-at-capacity.jsonl"), "utf8");
    const lines = text.split("\n").filter((line) => line !== "");
    const model = await foldEvents(
      lines.flatMap((line, index) => normalizeLine(JSON.parse(line), index + 1)).filter((event) => event !== undefined),
    );
    const id = shapeIdOf(1304);
    const diagnosis = diagnose(model, { sessionId: id, cwd: "/home/user/proj" });
    expect([diagnosis.category, diagnosis.error?.error_info]).toEqual(["server_error", "server_overloaded"]);
    const resume = (options: string) =>
      `codex exec --cd /home/user/proj --dangerously-bypass-approvals-and-sandbox ${options}resume ${id} 'Continue where you left off.'`;
    expect(diagnosis.next_step).toBe(
      `The provider failed on its side; resume (if it fails again, wait a few minutes): ${resume("--model mock-model ")} — the model is at capacity, so another may answer now: ${resume("--model '<another model>' ")}`,
    );
    expect(serverErrorStep("internal_server_error", "C", (m) => m)).toBe(
      "The provider failed on its side; resume (if it fails again, wait a few minutes): C",
    );
  });
});
