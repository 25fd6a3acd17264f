// list_sessions and sessions_report with a filter they do not take: zod dropped it and the answer was the
// unfiltered one. list_sessions {since, until} listed the sessions written after `until` too (sessions_report
// takes until; list_sessions does not), and a misspelt `sinse` listed every session.
import { describe, expect, it } from "vitest";
import { copyFixtureHome } from "../support/fixtures.js";
import { connect, textOf } from "../support/mcp.js";

const invalid = (tool: string, message: string) =>
  `MCP error -32602: Input validation error: Invalid arguments for tool ${tool}: ${message}`;

describe("a filter a read tool does not take", () => {
  it("is refused, naming the ones it takes", async () => {
    const { home } = await copyFixtureHome();
    const mcp = await connect({ codexHome: home });
    const answers = [];
    for (const [tool, args] of [
      ["list_sessions", { since: "2026-01-01", until: "2026-11-01" }],
      ["list_sessions", { sinse: "7d", limit: 5 }],
      ["sessions_report", { since: "7d", status: "failed", group: "model" }],
    ] as const) {
      const result = await mcp.call(tool, args);
      answers.push({ isError: result.isError, text: textOf(result) });
    }
    await mcp.close();
    expect(answers).toEqual([
      {
        isError: true,
        text: invalid(
          "list_sessions",
          '"until" is not an argument of list_sessions: it takes limit, cwd, since, include_archived (sessions_report takes until).',
        ),
      },
      {
        isError: true,
        text: invalid(
          "list_sessions",
          '"sinse" is not an argument of list_sessions: it takes limit, cwd, since, include_archived.',
        ),
      },
      {
        isError: true,
        text: invalid(
          "sessions_report",
          '"status", "group" are not arguments of sessions_report: it takes since, until, cwd, model, include_archived, group_by.',
        ),
      },
    ]);
  });

  it("names a key cut inside a character as well-formed text", async () => {
    // a 60-character cut in the middle of an emoji left half of it: a lone surrogate, which JSON.stringify
    // writes as an escape that Codex 0.171's parser rejects (the model's call then waited for its tool timeout);
    // the half is dropped and the cut marked
    const { home } = await copyFixtureHome();
    const mcp = await connect({ codexHome: home });
    const result = await mcp.call("list_sessions", { [`${"a".repeat(59)}\u{1F600}`]: 1 });
    await mcp.close();
    expect({ isError: result.isError, text: textOf(result) }).toEqual({
      isError: true,
      text: invalid(
        "list_sessions",
        `"${"a".repeat(59)}…" is not an argument of list_sessions: it takes limit, cwd, since, include_archived.`,
      ),
    });
  });

  it("escapes the quotes in a key's name, so that it reads as one name", async () => {
    // `q", "since` read as two names: since, which sessions_report takes, said not to be one of its arguments
    const { home } = await copyFixtureHome();
    const mcp = await connect({ codexHome: home });
    const result = await mcp.call("sessions_report", { 'q", "since': 1, "a\\b": 2 });
    await mcp.close();
    expect({ isError: result.isError, text: textOf(result) }).toEqual({
      isError: true,
      text: invalid(
        "sessions_report",
        '"q\\", \\"since", "a\\\\b" are not arguments of sessions_report: it takes since, until, cwd, model, include_archived, group_by.',
      ),
    });
  });

  it("the arguments a tool takes still answer", async () => {
    const { home } = await copyFixtureHome();
    const mcp = await connect({ codexHome: home });
    const listed = await mcp.call("list_sessions", { limit: 2, since: "2026-01-01", include_archived: false });
    const report = await mcp.call("sessions_report", { since: "2026-01-01", until: "2026-12-01", group_by: "model" });
    await mcp.close();
    expect([listed.isError, report.isError]).toEqual([undefined, undefined]);
    expect((listed.structuredContent as { sessions: unknown[] }).sessions.length).toBe(2);
  });
});
