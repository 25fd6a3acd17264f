// The model and effort a resume asks for, decided on plain values: the caller's, else the session's last turn's
// when they can be passed to Codex, else none (Codex's defaults) and the reason.
import { describe, expect, it } from "vitest";
import { resumeSettingsOf } from "../../src/runs/resume-settings.js";

const defaulted =
  "it is not passed to Codex, and the session goes on with Codex's default model; pass model to choose one.";
const logged = (model: string, effort?: string) => ({ model, ...(effort !== undefined && { effort }) });

describe("resumeSettingsOf", () => {
  it("takes the caller's settings over the session's, and the session's where none is asked", () => {
    expect(resumeSettingsOf({ model: "gpt-5.5", reasoningEffort: "low" }, logged("mock-model-2", "high"))).toEqual({
      model: "gpt-5.5",
      reasoningEffort: "low",
      note: null,
    });
    expect(resumeSettingsOf({}, logged("mock-model-2", "high"))).toEqual({
      model: "mock-model-2",
      reasoningEffort: "high",
      note: null,
    });
    // any name a caller could pass, however it looks: `--model=<name>` is one argv entry
    expect(resumeSettingsOf({}, logged("org/m:7b@q4 'x'"))).toEqual({
      model: "org/m:7b@q4 'x'",
      reasoningEffort: undefined,
      note: null,
    });
  });

  it("leaves to the caller's config the settings it names (`--model` would win over its `-c model=…`)", () => {
    expect(resumeSettingsOf({ config: { model: "x", model_reasoning_effort: "low" } }, logged("m", "high"))).toEqual({
      model: undefined,
      reasoningEffort: undefined,
      note: null,
    });
  });

  it.each([
    ["", 'The session\'s last turn names model "", which is empty: ' + defaulted],
    [
      "m".repeat(201),
      `The session's last turn names model "${"m".repeat(80)}…", which is longer than 200 characters: ${defaulted}`,
    ],
    [
      'a"\nb\u202e',
      'The session\'s last turn names model "a\\"\\u000ab\\u202e", which contains a control character (a NUL, a line break, …): ' +
        defaulted,
    ],
    // pasted, `--model --help` is no model: 0.171 says "unexpected argument '-x' found" to `--model -x`
    [
      "--help",
      `The session's last turn names model "--help", which begins with "-" (a pasted \`--model <name>\` would take it for an option): ${defaulted}`,
    ],
    // shown, it would turn the rest of the printed command around
    [
      "gpt\u202e5",
      `The session's last turn names model "gpt\\u202e5", which contains a character that changes how text shows (bidi or C1 control): ${defaulted}`,
    ],
  ])("passes no model for a logged name %j, and says why", (model, note) => {
    expect(resumeSettingsOf({}, logged(model))).toEqual({ model: undefined, reasoningEffort: undefined, note });
  });

  it("passes no effort that is not one of Codex's, and says why", () => {
    expect(resumeSettingsOf({}, logged("m", "ultra\n"))).toEqual({
      model: "m",
      reasoningEffort: undefined,
      note: "The session's last turn names reasoning effort \"ultra\\u000a\", not one of minimal, low, medium, high, xhigh: it is not passed to Codex, and the session goes on with the model's default effort; pass reasoning_effort to choose one.",
    });
    // the caller's effort: the log's is beside the point
    expect(resumeSettingsOf({ reasoningEffort: "low" }, logged("m", "ultra"))).toEqual({
      model: "m",
      reasoningEffort: "low",
      note: null,
    });
  });

  it("passes the session's effort only to the session's model: another model may not take it", () => {
    const note =
      'The session\'s last turn ran model "gpt-5.5" at reasoning effort "xhigh", which is not passed to model "gpt-5.1-codex-mini" (another model may not take it): it goes on at that model\'s default effort; pass reasoning_effort to choose one.';
    expect(resumeSettingsOf({ model: "gpt-5.1-codex-mini" }, logged("gpt-5.5", "xhigh"))).toEqual({
      model: "gpt-5.1-codex-mini",
      reasoningEffort: undefined,
      note,
    });
    expect(resumeSettingsOf({ config: { model: "gpt-5.1-codex-mini" } }, logged("gpt-5.5", "xhigh"))).toEqual({
      model: undefined,
      reasoningEffort: undefined,
      note,
    });
    // a logged model that is not passed: Codex's default model goes on, at its default effort
    expect(resumeSettingsOf({}, logged("a\nb", "xhigh")).reasoningEffort).toBe(undefined);
    // the session's own model, named by the caller: its effort goes on
    expect(resumeSettingsOf({ model: "gpt-5.5" }, logged("gpt-5.5", "xhigh"))).toEqual({
      model: "gpt-5.5",
      reasoningEffort: "xhigh",
      note: null,
    });
  });

  it("says so when the log names no model", () => {
    expect(resumeSettingsOf({}, undefined)).toEqual({
      model: undefined,
      reasoningEffort: undefined,
      note: "The session's log names no model, so it goes on with Codex's default model; pass model to choose one.",
    });
  });
});

describe("resumeSettingsOf and the session's model provider", () => {
  it("passes the log's provider when it is a plain id, unless the caller names one; says why it leaves one out", () => {
    expect(resumeSettingsOf({}, undefined, "other").provider).toBe("other");
    expect(resumeSettingsOf({ config: { model_provider: "mine" } }, undefined, "other").provider).toBeUndefined();
    expect(resumeSettingsOf({}, undefined, undefined).provider).toBeUndefined();
    const bad = resumeSettingsOf({}, { model: "m" }, "-c x");
    expect([bad.provider, bad.note]).toEqual([
      undefined,
      `The session's log names model provider "-c x", which is not a plain provider id (letters, digits, _ and -): it is not passed to Codex, which resumes with the provider the home selects and refuses if that is another ("Cannot change this thread's model provider"); pass config.model_provider to name it.`,
    ]);
  });
});
