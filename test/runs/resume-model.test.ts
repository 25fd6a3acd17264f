// The model a resume asks for, decided on plain values: the caller's, else the session's last turn's when it is a
// name a caller could pass, else none (Codex's default) and the reason.
import { describe, expect, it } from "vitest";
import { resumeModelOf } from "../../src/runs/resume-model.js";

const defaulted =
  "it is not passed to Codex, and the session goes on with Codex's default model; pass model to choose one.";

describe("resumeModelOf", () => {
  it("takes the caller's model over the session's, and the session's when none is asked", () => {
    expect(resumeModelOf("gpt-5.5", "mock-model-2")).toEqual({ model: "gpt-5.5", note: null });
    expect(resumeModelOf(undefined, "mock-model-2")).toEqual({ model: "mock-model-2", note: null });
    // any name a caller could pass, however it looks: `--model=<name>` is one argv entry
    expect(resumeModelOf(undefined, "--help")).toEqual({ model: "--help", note: null });
  });

  it.each([
    ["", 'the session\'s last turn names model "", which is empty: ' + defaulted],
    [
      "m".repeat(201),
      `the session's last turn names model "${"m".repeat(80)}…", which is longer than 200 characters: ${defaulted}`,
    ],
    [
      'a"\nb\u202e',
      'the session\'s last turn names model "a\\"\\u000ab\\u202e", which contains a control character (a NUL, a line break, …): ' +
        defaulted,
    ],
  ])("passes no model for a logged name %j, and says why", (recorded, note) => {
    expect(resumeModelOf(undefined, recorded)).toEqual({ model: undefined, note });
  });

  it("says so when the log names no model", () => {
    expect(resumeModelOf(undefined, undefined)).toEqual({
      model: undefined,
      note: "the session's log names no model, so it goes on with Codex's default model; pass model to choose one.",
    });
  });
});
