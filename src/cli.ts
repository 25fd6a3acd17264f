// The program: serve MCP over stdio, or run a command for people. Only this file touches process signals
// (and finish.ts, exit).
// launch.ts (the `bin`) runs it, through V8's code cache where the build made one for this Node.
// The server and its dependencies load only when serving: `--version` and `--help` answer at once.
import { createRequire } from "node:module";
import { MAX_TIMER_MS } from "./codex/run-modes.js";
import { ConfigError, flagHelp, loadConfig } from "./config/config.js";
import { finish } from "./finish.js";
import type { MessageId } from "./shared/bounded-stdio.js";
import { log } from "./shared/log.js";

const { version: SERVER_VERSION } = createRequire(import.meta.url)("../package.json") as { version: string };

const USAGE = `codex-control-mcp ${SERVER_VERSION}
MCP server (stdio) to delegate work to the OpenAI Codex CLI and inspect its sessions.

Usage:
  codex-control-mcp [options]   serve MCP over stdin/stdout
  codex-control-mcp --version   print the version
  codex-control-mcp --help      this text

Commands for people (server settings from the environment variables below; --help on each):
COMMANDS

Options (each also settable by the environment variable in brackets):
${flagHelp()}

Environment:
  CODEX_HOME                    where Codex keeps its sessions (default ~/.codex)
  CODEX_CONTROL_LOG             stderr log level: error, warn, info (default), debug
`;

// the names of src/commands (kept here so that serving, --version and --help do not load them)
const COMMAND_NAMES = new Set([
  "sessions",
  "summary",
  "calls",
  "usage",
  "runs",
  "status",
  "cancel",
  "review",
  "steer",
  "approve",
  "doctor",
  "report",
  "export",
]);

async function main(argv: string[]): Promise<number | undefined> {
  // a cold `report` is timed beside ccusage: it loads its own modules only, not every command's
  if (argv[0] === "report") {
    const { runReport } = await import("./commands/report.js");
    return runReport(argv.slice(1), loadConfig([]));
  }
  // a first word that is not an option is a command; runCommand answers an unknown one with the list
  if (argv[0] !== undefined && (COMMAND_NAMES.has(argv[0]) || !argv[0].startsWith("-"))) {
    const { runCommand } = await import("./commands/index.js");
    return runCommand(argv, loadConfig([]));
  }
  if (argv.includes("--help") || argv.includes("-h")) {
    const { commandHelp } = await import("./commands/index.js");
    process.stdout.write(USAGE.replace("COMMANDS", commandHelp())); // stdout-ok: not serving MCP
    return 0;
  }
  if (argv.includes("--version") || argv.includes("-V")) {
    process.stdout.write(`${SERVER_VERSION}\n`); // stdout-ok: not serving MCP
    return 0;
  }
  let config;
  try {
    config = loadConfig(argv);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`codex-control-mcp: ${error.message} (see --help)\n`);
    return 2;
  }
  const [{ createServer }, { StdioServerTransport }, { boundedStdin, MAX_MESSAGE_BYTES }, { JSONRPCMessageSchema }] =
    await Promise.all([
      import("./server.js"),
      import("@modelcontextprotocol/sdk/server/stdio.js"),
      import("./shared/bounded-stdio.js"),
      import("@modelcontextprotocol/sdk/types.js"),
    ]);
  const { server, runs, cleanup } = createServer(config);
  let closing = false;
  const shutdown = async (reason: string): Promise<void> => {
    if (closing) return;
    closing = true;
    log("info", `shutting down (${reason})`);
    // runs go on under their supervisors; with --stop-runs-on-exit, this server's runs are stopped and recorded first
    await cleanup(`the server shut down (${reason})`).catch((error: unknown) => log("warn", "cleanup failed", error));
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  // a request over the SDK's 10 MiB is answered with an error instead of closing the transport (and the server);
  // so is a line that is not JSON or not a message, or that the transport's own schema (strict, `_meta` checked)
  // refuses: the SDK's transport leaves those unanswered
  const stdin = boundedStdin(
    process.stdin,
    (id, why, code) => {
      log("warn", `a line of stdin was passed over (id ${String(id)}): ${why}`);
      // JSON-RPC 2.0 answers what has no readable id with id null (the SDK's type has no null)
      if (id !== undefined) void transport.send({ jsonrpc: "2.0", id: id as MessageId, error: { code, message: why } });
    },
    MAX_MESSAGE_BYTES,
    (message) => JSONRPCMessageSchema.safeParse(message).success,
  );
  const transport = new StdioServerTransport(stdin);
  await server.connect(transport);
  // stdin's end comes after every request it carried (`printf … | codex-control-mcp`): answer those first
  const requests = trackRequests(transport);
  process.stdin.on(
    "end",
    // (the longest --wait-ms and the margin are past the longest timer, which would fire at once)
    () =>
      void requests
        .answered(Math.min(Math.max(config.waitMs, 60_000) + 5_000, MAX_TIMER_MS))
        .then(() => shutdown("stdin closed")),
  );
  if (!config.readOnly) {
    void runs.recover().then(
      (stopped) =>
        stopped > 0 && log("warn", `stopped ${stopped} process(es) left by runs of a server that was killed`),
      (error: unknown) => log("warn", "could not check the ledger for runs left behind", error),
    );
  }
  log(
    "info",
    `serving MCP on stdio (CODEX_HOME ${config.codexHome}, Codex ${config.runner.codexBin}, ledger ${config.runner.stateDir})`,
  );
  return undefined;
}

type Transport = Pick<import("@modelcontextprotocol/sdk/server/stdio.js").StdioServerTransport, "onmessage" | "send">;

/**
 * Counts the requests received on `transport` that have no response yet. `answered` resolves when none is
 * left, or after `limitMs`: a foreground run answers within its wait_ms, and the run itself goes on.
 */
function trackRequests(transport: Transport): { answered(limitMs: number): Promise<void> } {
  const pending = new Set<string | number>();
  let settled: (() => void) | undefined;
  const receive = transport.onmessage;
  transport.onmessage = (message) => {
    if ("method" in message && "id" in message) pending.add(message.id);
    // a cancelled request gets no response
    if ("method" in message && message.method === "notifications/cancelled")
      pending.delete((message.params as { requestId?: string | number } | undefined)?.requestId ?? "");
    receive?.(message);
  };
  const send = transport.send.bind(transport);
  transport.send = async (message) => {
    await send(message);
    if (!("method" in message) && "id" in message && message.id !== undefined) pending.delete(message.id);
    if (pending.size === 0) settled?.();
  };
  return {
    answered: (limitMs) => {
      if (pending.size === 0) return Promise.resolve();
      log("info", `stdin closed: answering the ${pending.size} request(s) received before it`);
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          log("warn", `stdin closed: ${pending.size} request(s) still unanswered after ${limitMs} ms`);
          resolve();
        }, limitMs);
        settled = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
  };
}

/** For the build (scripts/code-cache.mjs): tools/list of a server with default settings, and read-only. */
export async function toolListsToBuild(): Promise<unknown> {
  const { toolListsToBuild: lists } = await import("./server.js");
  return lists([loadConfig([]), loadConfig(["--read-only"])]);
}

/**
 * Runs the program on these arguments (launch.ts passes the process's own). Resolves when a command has
 * answered or the server is serving; the build's code cache warm-up (scripts/code-cache.mjs) runs it more than once.
 */
export function run(argv: string[]): Promise<void> {
  return finish(main(argv));
}
