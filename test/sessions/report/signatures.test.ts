// Failure signatures at their edges: the same error differing only in a relative path is one signature; two
// errors differing in their HTTP status are two, even without a reason phrase to tell them apart.
import { describe, expect, it } from "vitest";
import { ReportTally } from "../../../src/sessions/report/aggregate.js";
import { loadPrices } from "../../../src/sessions/report/cost.js";
import type { SessionDigest } from "../../../src/sessions/report/digest.js";
import { failureSignature } from "../../../src/sessions/report/signature.js";

describe("failure signatures", () => {
  it("replace relative paths whole, as absolute ones (before: `src/main.rs` and `src/lib.rs` were two signatures)", () => {
    expect(failureSignature("Error: file not found: src/main.rs")).toBe("Error: file not found: <path>");
    expect(failureSignature("Error: file not found: src/lib.rs")).toBe("Error: file not found: <path>");
    // before: `tests<path>` for one and the path kept for the other
    expect(failureSignature("`pytest tests/unit/test_b.py` exited with 1")).toBe("`pytest <path>` exited with <n>");
    expect(failureSignature("`pytest tests/test_a.py` exited with 1")).toBe("`pytest <path>` exited with <n>");
    expect(failureSignature("cannot open src\\app\\main.ts")).toBe("cannot open <path>");
    // words with a slash are no path
    expect(failureSignature("expected text/event-stream, got application/json")).toBe(
      "expected text/event-stream, got application/json",
    );
  });

  it("keep an HTTP status (before: `unexpected status 401` and `… 403` were one signature)", () => {
    expect(failureSignature("unexpected status 401")).toBe("unexpected status 401");
    expect(failureSignature("unexpected status 403")).toBe("unexpected status 403");
    expect(
      failureSignature(
        "exceeded retry limit, last status: 429 Too Many Requests, request id: 9a8b7c6d-1111-2222-3333-444455556666",
      ),
    ).toBe("exceeded retry limit, last status: 429 Too Many Requests, request id: <id>");
    expect(failureSignature("HTTP/1.1 404 after 3 tries")).toBe("HTTP/1.1 404 after <n> tries");
    // other numbers still go
    expect(failureSignature("unexpected status 400 Bad Request: context window of 272000 tokens")).toBe(
      "unexpected status 400 Bad Request: context window of <n> tokens",
    );
    expect(failureSignature("status 12345 of job")).toBe("status <n> of job");
  });
});

describe("a signature's first and last seen", () => {
  const failed = (id: string, startedAt: string, lastEventAt: string | null): SessionDigest => ({
    sessionId: id,
    kind: "session",
    parentId: null,
    cwd: "/srv/ci",
    model: "gpt-5.1-codex",
    startedAt,
    lastEventAt,
    turns: 2,
    calls: 0,
    failedCalls: 0,
    category: "auth_error",
    error: "unexpected status 401 Unauthorized",
    signature: "unexpected status 401 Unauthorized",
    tokens: null,
    longPrompts: null,
    byModel: null,
    wallMs: 0,
    days: null,
    needsParent: false,
  });

  it("are when the sessions failed, their last event (before: their starts; a session resumed days later failed then)", async () => {
    const tally = new ReportTally("day", await loadPrices());
    // started first, resumed (`codex exec resume` appends to the same log) and failed last
    tally.add(failed("resumed", "2026-11-10T08:00:00.000Z", "2026-11-19T21:30:00.000Z"));
    tally.add(failed("later", "2026-11-17T08:00:00.000Z", "2026-11-17T08:00:15.000Z"));
    tally.add(failed("no-events", "2026-11-18T08:00:00.000Z", null));
    expect(tally.failuresView()).toEqual([
      {
        category: "auth_error",
        message: "unexpected status 401 Unauthorized",
        count: 3,
        first_seen: "2026-11-17T08:00:15.000Z",
        last_seen: "2026-11-19T21:30:00.000Z",
        session_ids: ["resumed", "no-events", "later"],
      },
    ]);
  });
});
