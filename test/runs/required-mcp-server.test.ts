// A run whose Codex config marks an MCP server `required = true` that cannot start: the real Codex CLI 0.171
// exits 1 with "required MCP servers failed to initialize: <name>: <reason>" and writes no log. run_codex's
// answer says what kind of failure it is and where to fix it, naming the server only as Codex names servers.
import { appendFile, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../../src/runs/run-manager.js";
import { requiredMcpError, requiredMcpFailure } from "../../src/codex/mcp-startup.js";
import { decideOutcome } from "../../src/supervisor/outcome.js";
import { RunEvents } from "../../src/supervisor/run-events.js";
import { makeCodexHome } from "../support/codex-home.js";
import { startFakeModel, type FakeModel } from "../support/fake-model.js";
import { runCodexOnce } from "../support/mcp.js";

// an MCP server whose answer to initialize is a JSON-RPC error going on as if Codex listed a second server
const LYING_SERVER = `import { createInterface } from "node:readline";
createInterface({ input: process.stdin }).on("line", (line) => {
  const m = JSON.parse(line);
  if (m.id !== undefined) process.stdout.write(JSON.stringify({ jsonrpc: "2.0", id: m.id, error: { code: -32000, message: "bad; github: token expired" } }) + "\\n");
});
`;

const NEXT =
  "Next step: in [mcp_servers.broken-one] of CODEX_HOME's config.toml (or the project's .codex/config.toml), make its `command` start or drop `required = true`, then run again.";

describe("a required MCP server that does not start", () => {
  let model: FakeModel;
  beforeAll(async () => {
    model = await startFakeModel();
  });
  afterAll(async () => model.close());

  /** A run_codex whose config requires the MCP server `server(home)` gives (its TOML table): by default one that cannot start. */
  async function runWithBrokenServer(
    name: string,
    engine: "exec" | "app-server",
    server = async (home: string) =>
      `[mcp_servers.broken-one]\ncommand = ${JSON.stringify(`${home}/no-such-server`)}\nrequired = true\n`,
  ): Promise<RunView> {
    const { home, workdir } = await makeCodexHome(model.url, name);
    await appendFile(`${home}/config.toml`, `\n${await server(home)}`);
    return (await runCodexOnce(home, workdir, {}, { engine, wait_ms: 30_000 })).view;
  }

  it("is a config problem with a next step naming its table (real CLI)", async () => {
    const view = await runWithBrokenServer("required-mcp", "exec");
    // before: "codex exited with code 1: Error: thread/start: thread/start failed: error creating thread: Fatal
    // error: Failed to initialize session: required MCP servers failed to initialize: broken-one: … (code -32603)"
    expect([view.status, view.exit_code, view.session_id, view.error]).toEqual([
      "failed",
      1,
      null,
      `codex exited with code 1: a config problem, not retryable as is: required MCP server \`broken-one\` (No such file or directory (os error 2)) did not start, so Codex wrote no log. ${NEXT}`,
    ]);
    expect(model.requests).toEqual([]);
  }, 60_000);
  it("is said the same by the app-server engine (real CLI)", async () => {
    const view = await runWithBrokenServer("required-mcp-app", "app-server");
    // before: "codex app-server did not start the run: rpc: codex app-server refused `thread/start`: error
    // creating thread: Fatal error: Failed to initialize session: required MCP servers failed to initialize: …"
    expect([view.status, view.session_id, view.rollout_path, view.error]).toEqual([
      "failed",
      null,
      null,
      `codex app-server did not start the run: a config problem, not retryable as is: required MCP server \`broken-one\` (No such file or directory (os error 2)) did not start, so Codex wrote no log. ${NEXT}`,
    ]);
  }, 60_000);

  it.each(["exec", "app-server"] as const)(
    "names only the server the config declares (real CLI, %s)",
    async (engine) => {
      const view = await runWithBrokenServer(`lying-mcp-${engine}`, engine, async (home) => {
        await writeFile(`${home}/lying.mjs`, LYING_SERVER);
        return `[mcp_servers.docs]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(`${home}/lying.mjs`)}]\nrequired = true\n`;
      });
      // before: "required MCP servers `docs`, `github` did not start … in [mcp_servers.<name>] … each one's":
      // github, named by the server's own words, is declared nowhere
      expect(view.error).toMatch(
        /^codex (?:exited with code 1|app-server did not start the run): a config problem, not retryable as is: required MCP server `docs` \(handshaking with MCP server failed: .*bad; github: token expired.*\) did not start, so Codex wrote no log\. Next step: in \[mcp_servers\.docs\] of CODEX_HOME's config\.toml/,
      );
    },
    60_000,
  );
});

describe("requiredMcpFailure", () => {
  it("names only what Codex accepts as a server name, each reason bounded and printable", () => {
    const reason = `Error: x: required MCP servers failed to initialize: ok_1: why\u001b[2J; $(rm -rf ~): no; [x]\nfoo: y; b: ${"z".repeat(150)}; c: w; d: v (code -32603)`;
    const failure = requiredMcpFailure(reason, new Set(["ok_1", "b", "c", "d"]));
    expect(failure).toEqual({
      servers: [
        // what names no server is the reason of the one before it
        { name: "ok_1", why: "why?[2J; $(rm -rf ~): no; [x]?foo: y" },
        { name: "b", why: `${"z".repeat(100)}…` },
        { name: "c", why: "w" },
      ],
      others: 1,
      timedOut: false,
    });
    expect(requiredMcpError(failure!, "codex exited with code 1")).toBe(
      "codex exited with code 1: a config problem, not retryable as is: required MCP servers `ok_1`, `b`, `c`, 1 more did not start, so Codex wrote no log. Next step: in [mcp_servers.<name>] of CODEX_HOME's config.toml (or the project's .codex/config.toml), make each one's `command` start or drop `required = true`, then run again.",
    );
    expect(requiredMcpFailure("Error: cannot create managed worktree", new Set())).toBeUndefined();
  });

  it("takes the servers from Codex's own words, not from a server's error that repeats them", () => {
    // 0.171's words for a server whose answer to initialize is a JSON-RPC error naming another server (its
    // message is the server's own, quoted by Codex)
    const why =
      "handshaking with MCP server failed: JSON-RPC error: -32000: required MCP servers failed to initialize: github: token expired";
    const reason = `Error: thread/start: thread/start failed: error creating thread: Fatal error: Failed to initialize session: required MCP servers failed to initialize: b_evil: ${why} (code -32603)`;
    // before: { servers: [{ name: "github", why: "token expired" }], others: 0 }: the table of a server that did not fail
    expect(requiredMcpFailure(reason, new Set(["b_evil", "github"]))).toEqual({
      servers: [{ name: "b_evil", why: `${why.slice(0, 100)}…` }],
      others: 0,
      timedOut: false,
    });
  });

  it("a server that started but did not answer in time: the next step names its startup_timeout_sec", () => {
    // 0.171's words (a `node` script that never answers, startup_timeout_sec = 1)
    const reason =
      "Error: thread/start: thread/start failed: error creating thread: Fatal error: Failed to initialize session: required MCP servers failed to initialize: slow: timed out handshaking with MCP server after 999.99981ms: deadline has elapsed (code -32603)";
    // before: "make its `command` start or drop `required = true`": its command does start
    expect(requiredMcpError(requiredMcpFailure(reason, new Set(["slow"]))!, "codex exited with code 1")).toBe(
      "codex exited with code 1: a config problem, not retryable as is: required MCP server `slow` (timed out handshaking with MCP server after 999.99981ms: deadline has elapsed) did not start, so Codex wrote no log. Next step: in [mcp_servers.slow] of CODEX_HOME's config.toml (or the project's .codex/config.toml), make its `command` start (or, if only slow, raise its `startup_timeout_sec`) or drop `required = true`, then run again.",
    );
  });

  it("a server's reason with its own '; ' in it is that server's reason, not one more server", () => {
    // 0.171's words for a server whose answer to initialize is a JSON-RPC error with "; " in its message
    const why =
      "handshaking with MCP server failed: JSON-RPC error: -32602: Invalid params; protocolVersion is required";
    const reason = `Error: thread/start: thread/start failed: error creating thread: Fatal error: Failed to initialize session: required MCP servers failed to initialize: docs: ${why} (code -32603)`;
    const failure = requiredMcpFailure(reason, new Set(["docs"]))!;
    // before: { servers: [{ name: "docs", why: "…Invalid params" }], others: 1 }: "required MCP servers `docs`, 1 more",
    // and the next step in "[mcp_servers.<name>]" for "each one"
    expect(failure).toEqual({ servers: [{ name: "docs", why: `${why.slice(0, 100)}…` }], others: 0, timedOut: false });
    expect(requiredMcpError(failure, "codex exited with code 1")).toBe(
      `codex exited with code 1: a config problem, not retryable as is: required MCP server \`docs\` (${why.slice(0, 100)}…) did not start, so Codex wrote no log. Next step: in [mcp_servers.docs] of CODEX_HOME's config.toml (or the project's .codex/config.toml), make its \`command\` start or drop \`required = true\`, then run again.`,
    );
  });

  it("a run that named its session did start its MCP servers: those words later are someone else's", () => {
    // a model provider's error, after the session began, quoting the words (its message is the provider's own)
    const message = "stream error: 400: required MCP servers failed to initialize: github: token expired";
    const events = new RunEvents();
    events.apply({ kind: "session", sessionId: "019b0000-0000-7000-8000-000000000001" });
    events.apply({ kind: "error", message });
    const ending = {
      exitCode: 1,
      signal: null,
      spawnError: undefined,
      stop: undefined,
      terminalEvents: true,
      stderrTail: "",
      declaredMcpServers: new Set(["github"]),
    };
    // before: "codex exited with code 1: a config problem, not retryable as is: required MCP server `github`
    // (token expired) did not start, so Codex wrote no log. Next step: in [mcp_servers.github] …"
    expect(decideOutcome(ending, events).error).toBe(`codex exited with code 1: ${message}`);
  });
});
