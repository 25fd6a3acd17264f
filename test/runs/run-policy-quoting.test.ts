// A refused caller value is quoted by shared/text.ts callerValue, the project's one way: a bidi control (U+202E) in
// a model, profile or config key reached the refusal raw through JSON.stringify, reordering the text after it.
import { describe, expect, it } from "vitest";
import { refuseCallerSettings } from "../../src/runs/run-policy.js";

const policy = { allowConfigKeys: [], allowProfile: false };

describe("a caller's value in a refusal", () => {
  it("shows a bidi control as \\u202e, cut values with …", () => {
    const answers = [
      refuseCallerSettings({ model: "gpt\u202e5-evil" }, policy),
      refuseCallerSettings({ profile: "work\u202eprofile" }, policy),
      refuseCallerSettings({ config: { "model\u202e.x": "a" } }, policy),
      refuseCallerSettings({ config: { [`k\u202e${"x".repeat(300)}`]: "a" } }, policy),
    ];
    // before: the raw U+202E in each, and the 302-character key whole
    expect(answers).toEqual([
      'model "gpt\\u202e5-evil" contains a character that changes how text shows (bidi or C1 control): pass the name as Codex lists it.',
      'profile "work\\u202eprofile" contains a character that changes how text shows (bidi or C1 control): pass the name as Codex lists it.',
      'config key "model\\u202e.x" is not a dotted config path (letters, digits, _ and -, joined by dots).',
      `config key "k\\u202e${"x".repeat(198)}…" is not a dotted config path (letters, digits, _ and -, joined by dots).`,
    ]);
  });
});
