// Diagnostics go to stderr: stdout carries the MCP protocol and nothing else.
export type LogLevel = "error" | "warn" | "info" | "debug";

const order: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const asked = process.env.CODEX_CONTROL_LOG as LogLevel | undefined;
const threshold: LogLevel = asked !== undefined && asked in order ? asked : "info";

export function log(level: LogLevel, message: string, details?: unknown): void {
  if (order[level] > order[threshold]) return;
  const suffix =
    details === undefined
      ? ""
      : ` ${details instanceof Error ? (details.stack ?? details.message) : JSON.stringify(details)}`;
  process.stderr.write(`codex-control-mcp [${level}] ${message}${suffix}\n`);
}
