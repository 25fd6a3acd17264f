// The app-server's typed turn errors (`codexErrorInfo`) as a second source of the diagnosis: where the kind
// names a category, it decides, even where the words point elsewhere; where it does not, the words do.
import { describe, expect, it } from "vitest";
import { classifyErrors, typedErrorCategory, type ErrorFact } from "../../src/sessions/diagnosis-errors.js";

describe("typed errors", () => {
  it("maps Codex's kinds, and HTTP failures by their status", () => {
    expect(typedErrorCategory("usageLimitExceeded", 429)).toBe("usage_limit");
    expect(typedErrorCategory("contextWindowExceeded", null)).toBe("context_window_exceeded");
    expect(typedErrorCategory("unauthorized", 401)).toBe("auth_error");
    expect(typedErrorCategory("serverOverloaded", null)).toBe("server_error");
    expect(typedErrorCategory("responseStreamDisconnected", null)).toBe("server_error");
    expect(typedErrorCategory("httpConnectionFailed", 403)).toBe("auth_error");
    expect(typedErrorCategory("httpConnectionFailed", 503)).toBe("server_error");
    expect(typedErrorCategory("httpConnectionFailed", null)).toBe("network_error");
    expect(typedErrorCategory("cyberPolicy", null)).toBeUndefined();
    expect(typedErrorCategory("somethingNewer", null)).toBeUndefined();
  });

  it("decides where the words mislead (a usage limit's 429 reads as a rate limit)", () => {
    const words: ErrorFact = { message: "unexpected status 429 Too Many Requests", source: "stream" };
    // the control: the words alone say rate_limited
    expect(classifyErrors([words])?.category).toBe("rate_limited");
    const typed: ErrorFact = {
      message: "unexpected status 429 Too Many Requests",
      info: "usageLimitExceeded",
      category: typedErrorCategory("usageLimitExceeded", 429),
      source: "app-server",
    };
    expect(classifyErrors([words, typed])).toEqual({ category: "usage_limit", fact: typed });
    // a kind that names no category leaves it to the words
    const unknown: ErrorFact = { ...typed, info: "somethingNewer", category: undefined };
    expect(classifyErrors([words, unknown])?.category).toBe("rate_limited");
  });

  it("a typed usage limit whose words name a quota or a plan without Codex is a quota (Codex types all three alike)", () => {
    const typed = (message: string): ErrorFact => ({
      message,
      info: "usageLimitExceeded",
      category: typedErrorCategory("usageLimitExceeded", 429),
      source: "app-server",
    });
    const categoryOf = (message: string) => classifyErrors([typed(message)])?.category;
    expect(categoryOf("Quota exceeded. Check your plan and billing details.")).toBe("quota_exhausted");
    expect(categoryOf("To use Codex with your ChatGPT plan, upgrade to Plus: https://chatgpt.com/explore/plus.")).toBe(
      "quota_exhausted",
    );
    // a limit that resets stays one, whichever plan it names
    expect(
      categoryOf(
        "You’ve hit your usage limit. Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), or try again at Jan 1st, 2027 12:00 AM.",
      ),
    ).toBe("usage_limit");
    expect(categoryOf("unexpected status 429 Too Many Requests")).toBe("usage_limit");
  });
});
