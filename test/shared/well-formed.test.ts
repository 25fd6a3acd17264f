// wellFormed is every tool answer's last pass (tools/result.ts): half a character becomes U+FFFD, and nothing
// else changes, a whole emoji or a pair written in the wrong order included.
import { expect, it } from "vitest";
import { wellFormed } from "../../src/shared/text.js";

it("writes each half of a character as U+FFFD and keeps every whole one", () => {
  expect(
    ["a\ud83d", "\ude00a", "\ude00\ud83d", "\ud83d\ude00", "\ud83d\ud83d\ude00", "plain", ""].map(wellFormed),
  ).toEqual(["a\ufffd", "\ufffda", "\ufffd\ufffd", "\u{1F600}", "\ufffd\u{1F600}", "plain", ""]);
});
