// Server settings: flags win over environment variables, which win over defaults. Read once at start-up.
import { homedir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { RunnerConfig } from "./codex/runs.js";
import { defaultCodexHome } from "./sessions/codex-home.js";

export interface ServerConfig {
  /** Where Codex keeps its sessions: CODEX_HOME, else ~/.codex. */
  codexHome: string;
  /** How long a foreground run_codex/resume_session waits before answering `running` (under a host's 60 s tool timeout). */
  waitMs: number;
  runner: RunnerConfig;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export const FLAGS = {
  "allow-full-access": { type: "boolean", env: "CODEX_CONTROL_ALLOW_FULL_ACCESS", help: 'allow mode "full-access" (no sandbox, no approvals)' },
  "codex-bin": { type: "string", env: "CODEX_BIN", help: "the Codex CLI to run (default: codex on PATH)" },
  "state-dir": { type: "string", env: "CODEX_CONTROL_STATE_DIR", help: "where the run ledger lives (default $XDG_STATE_HOME/codex-control-mcp)" },
  "max-concurrent": { type: "string", env: "CODEX_CONTROL_MAX_CONCURRENT", help: "runs at once (default 4)" },
  "queue-wait-ms": { type: "string", env: "CODEX_CONTROL_QUEUE_WAIT_MS", help: "how long a run waits for a free slot before it is refused (default 10000)" },
  "wait-ms": { type: "string", env: "CODEX_CONTROL_WAIT_MS", help: "default wait of a foreground run before it answers `running` (default 55000)" },
  "default-timeout-ms": { type: "string", env: "CODEX_CONTROL_DEFAULT_TIMEOUT_MS", help: "hard timeout of a run (default 1800000, 30 min)" },
  "max-timeout-ms": { type: "string", env: "CODEX_CONTROL_MAX_TIMEOUT_MS", help: "largest timeout_ms a caller may ask for (default 14400000, 4 h)" },
  "kill-grace-ms": { type: "string", env: "CODEX_CONTROL_KILL_GRACE_MS", help: "time given to SIGINT and to SIGTERM before the next signal (default 3000)" },
  "max-depth": { type: "string", env: "CODEX_CONTROL_MAX_DEPTH", help: "delegation depth at which runs are refused (default 1: a Codex run started here cannot delegate again)" },
} as const;

type FlagName = keyof typeof FLAGS;

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const options = Object.fromEntries(Object.entries(FLAGS).map(([name, spec]) => [name, { type: spec.type }])) as Record<FlagName, { type: "string" | "boolean" }>;
  let values: Partial<Record<FlagName, string | boolean>>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const raw = (name: FlagName): string | boolean | undefined => values[name] ?? env[FLAGS[name].env];
  const text = (name: FlagName): string | undefined => {
    const value = raw(name);
    return typeof value === "string" && value.trim() !== "" ? value : undefined;
  };
  const number = (name: FlagName, fallback: number, min: number): number => {
    const value = text(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new ConfigError(`--${name} (or ${FLAGS[name].env}) must be a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
    return parsed;
  };
  const flag = (name: FlagName): boolean => {
    const value = raw(name);
    return value === true || (typeof value === "string" && /^(1|true|yes)$/i.test(value));
  };

  const maxTimeoutMs = number("max-timeout-ms", 4 * 60 * 60 * 1000, 1000);
  return {
    codexHome: defaultCodexHome(env),
    waitMs: number("wait-ms", 55_000, 0),
    runner: {
      codexBin: text("codex-bin") ?? "codex",
      codexHome: defaultCodexHome(env),
      stateDir: text("state-dir") ?? join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "codex-control-mcp"),
      allowFullAccess: flag("allow-full-access"),
      maxConcurrent: number("max-concurrent", 4, 1),
      queueWaitMs: number("queue-wait-ms", 10_000, 0),
      defaultTimeoutMs: Math.min(number("default-timeout-ms", 30 * 60 * 1000, 1000), maxTimeoutMs),
      maxTimeoutMs,
      killGraceMs: number("kill-grace-ms", 3000, 100),
      maxDepth: number("max-depth", 1, 1),
      childEnv: env,
    },
  };
}

export function flagHelp(): string {
  return Object.entries(FLAGS)
    .map(([name, spec]) => `  --${name}${spec.type === "string" ? " VALUE" : ""}`.padEnd(30) + `${spec.help} [${spec.env}]`)
    .join("\n");
}
