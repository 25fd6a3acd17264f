// The report's per-session shortcuts (skipping work whose cheap precondition fails) answer exactly what the
// work itself answers: each is compared with the unshortened computation on texts on both sides of its test.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readableError } from "../../../src/sessions/diagnosis-errors.js";

/** readableError without its precondition: the parse and the provider-body check on every text. */
function readableErrorByParse(message: string): string {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return message;
  }
  const body = z.object({ error: z.object({ message: z.string() }) }).safeParse(value);
  return body.success ? body.data.error.message : message;
}

const BODY = '{"error": {"message": "Rate limit reached for gpt-5 in organization org-123", "type": "requests"}}';

describe("readableError's precondition (only text that starts as a JSON object is parsed)", () => {
  it("reads every body JSON.parse reads, whatever JSON whitespace leads it", () => {
    for (const lead of ["", " ", "\t", "\n", "\r", " \r\n\t  "]) {
      expect(readableError(`${lead}${BODY}`)).toBe("Rate limit reached for gpt-5 in organization org-123");
      expect(readableError(`${lead}${BODY}${lead}`)).toBe(readableErrorByParse(`${lead}${BODY}${lead}`));
    }
  });

  it("returns every other text as it is, as the parse does", () => {
    const texts = [
      "",
      "stream error: unexpected status 429",
      "\uFEFF" + BODY, // a BOM is not JSON whitespace: JSON.parse refuses it
      "\u00A0" + BODY,
      "x" + BODY,
      `[${BODY}]`,
      '"quoted"',
      "42",
      "{",
      '{"error": "flat"}',
      '{"error": {"message": 5}}',
      '{"detail": {"message": "no"}}',
      "{not json at all}",
    ];
    for (const text of texts) expect(readableError(text), JSON.stringify(text)).toBe(readableErrorByParse(text));
  });
});
