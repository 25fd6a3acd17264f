// Server settings: flags win over environment variables, which win over defaults. Read once at start-up.
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { parseArgs } from "node:util";
import type { RunnerConfig } from "../runs/run-manager.js";
import { CONFIG_KEY } from "../codex/toml.js";
import { APPROVAL_TIMEOUT_MS, ENGINES, MAX_TIMER_MS, type Engine } from "../codex/run-modes.js";
import { defaultCodexHome, SessionStore } from "../sessions/index.js";

export interface ServerConfig {
  /** Where Codex keeps its sessions: CODEX_HOME, else ~/.codex. */
  codexHome: string;
  /** Offer only the tools that read (no run_codex, resume_session, cancel_run). */
  readOnly: boolean;
  /** How long a foreground run_codex/resume_session waits before answering `running` (under a host's 60 s tool timeout). */
  waitMs: number;
  /** The names --env-allow gave (empty: Codex runs inherit the whole environment). */
  envAllow: string[];
  /** The calling agent may answer its runs' approvals (respond_approval): --allow-caller-approvals. */
  allowCallerApprovals: boolean;
  runner: RunnerConfig;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** The settings a server has when no flag or variable sets them: the parser and the help text read them here. */
export const DEFAULTS = {
  maxConcurrent: 4,
  queueWaitMs: 10_000,
  waitMs: 55_000,
  defaultTimeoutMs: 30 * 60 * 1000,
  maxTimeoutMs: 4 * 60 * 60 * 1000,
  killGraceMs: 3000,
  maxDepth: 1,
  approvalTimeoutMs: APPROVAL_TIMEOUT_MS,
} as const;

/** A duration in ms as people read it: "30 min", "4 h", "55 s", "1500 ms". */
export function humanDuration(ms: number): string {
  const units: Array<[number, string]> = [
    [3_600_000, "h"],
    [60_000, "min"],
    [1000, "s"],
  ];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  for (const [size, unit] of units) if (ms >= size) return `${Number((ms / size).toFixed(1))} ${unit}`;
  return `${ms} ms`;
}

export const FLAGS = {
  "allow-full-access": {
    type: "boolean",
    env: "CODEX_CONTROL_ALLOW_FULL_ACCESS",
    help: 'allow mode "full-access" (no sandbox, no approvals)',
  },
  "codex-bin": { type: "string", env: "CODEX_BIN", help: "the Codex CLI to run (default: codex on PATH)" },
  "state-dir": {
    type: "string",
    env: "CODEX_CONTROL_STATE_DIR",
    help: "where the run ledger, the runs and the saved folds and answers live (default $XDG_STATE_HOME/codex-control-mcp)",
  },
  "max-concurrent": {
    type: "string",
    env: "CODEX_CONTROL_MAX_CONCURRENT",
    help: `runs at once (default ${DEFAULTS.maxConcurrent})`,
  },
  "queue-wait-ms": {
    type: "string",
    env: "CODEX_CONTROL_QUEUE_WAIT_MS",
    help: `how long a run waits for a free slot before it is refused (default ${DEFAULTS.queueWaitMs})`,
  },
  "wait-ms": {
    type: "string",
    env: "CODEX_CONTROL_WAIT_MS",
    help: `default wait of a foreground run before it answers \`running\` (default ${DEFAULTS.waitMs})`,
  },
  "default-timeout-ms": {
    type: "string",
    env: "CODEX_CONTROL_DEFAULT_TIMEOUT_MS",
    help: `hard timeout of a run (default ${DEFAULTS.defaultTimeoutMs}, ${humanDuration(DEFAULTS.defaultTimeoutMs)})`,
  },
  "max-timeout-ms": {
    type: "string",
    env: "CODEX_CONTROL_MAX_TIMEOUT_MS",
    help: `largest timeout_ms a caller may ask for (default ${DEFAULTS.maxTimeoutMs}, ${humanDuration(DEFAULTS.maxTimeoutMs)})`,
  },
  "kill-grace-ms": {
    type: "string",
    env: "CODEX_CONTROL_KILL_GRACE_MS",
    help: `time given to SIGINT and to SIGTERM before the next signal (default ${DEFAULTS.killGraceMs})`,
  },
  "max-depth": {
    type: "string",
    env: "CODEX_CONTROL_MAX_DEPTH",
    help: `delegation depth at which runs are refused (default ${DEFAULTS.maxDepth}: a Codex run started here cannot delegate again)`,
  },
  "stop-runs-on-exit": {
    type: "boolean",
    env: "CODEX_CONTROL_STOP_RUNS_ON_EXIT",
    help: "cancel the runs this server started when it exits (default: runs outlive the server, followed by their supervisor)",
  },
  "read-only": {
    type: "boolean",
    env: "CODEX_CONTROL_READ_ONLY",
    help: "offer only the tools that read sessions: no run_codex, resume_session, cancel_run",
  },
  "allowed-root": {
    type: "string",
    multiple: true,
    env: "CODEX_CONTROL_ALLOWED_ROOTS",
    help: "repeatable (env: paths joined by ':'): runs' cwd, images and explicit rollout paths must be inside one",
  },
  "env-allow": {
    type: "string",
    multiple: true,
    env: "CODEX_CONTROL_ENV_ALLOW",
    help: "repeatable (env: names joined by ','): hand Codex only these variables plus a base set, not the whole environment",
  },
  "allow-config-key": {
    type: "string",
    multiple: true,
    env: "CODEX_CONTROL_ALLOW_CONFIG_KEYS",
    help: "repeatable (env: keys joined by ','): let callers set this Codex config key (and keys under it) besides the safe built-in list",
  },
  "allow-profile": {
    type: "boolean",
    env: "CODEX_CONTROL_ALLOW_PROFILE",
    help: "let callers choose a Codex config profile (a profile can set anything)",
  },
  "preflight-limits": {
    type: "boolean",
    env: "CODEX_CONTROL_PREFLIGHT_LIMITS",
    help: "before each run, read the ChatGPT plan's live windows (about a second) and refuse at once, as usage_limit, when one is used up",
  },
  engine: {
    type: "string",
    env: "CODEX_CONTROL_ENGINE",
    help: 'how runs drive Codex unless a call says: "exec" (codex exec, default) or "app-server" (steerable, approvals asked)',
  },
  "allow-caller-approvals": {
    type: "boolean",
    env: "CODEX_CONTROL_ALLOW_CALLER_APPROVALS",
    help: "let the calling agent answer its runs' approvals with respond_approval (default: only a person, through elicitation or the CLI)",
  },
  "approval-timeout-ms": {
    type: "string",
    env: "CODEX_CONTROL_APPROVAL_TIMEOUT_MS",
    help: `an approval nobody answers is declined after this long (default ${DEFAULTS.approvalTimeoutMs}, ${humanDuration(DEFAULTS.approvalTimeoutMs)})`,
  },
  "ledger-prompts": {
    type: "boolean",
    env: "CODEX_CONTROL_LEDGER_PROMPTS",
    help: "keep the first 200 characters of each run's prompt in the run ledger (default: no prompt text is kept)",
  },
} as const;

/** Variables a Codex run always gets when the environment is narrowed with --env-allow. */
export const BASE_ENV = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "LC_ALL", "TMPDIR", "TZ"];

type FlagName = keyof typeof FLAGS;

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const options = Object.fromEntries(
    Object.entries(FLAGS).map(([name, spec]) => [
      name,
      { type: spec.type, multiple: "multiple" in spec && spec.multiple },
    ]),
  ) as Record<FlagName, { type: "string" | "boolean"; multiple: boolean }>;
  let values: Partial<Record<FlagName, string | boolean | string[]>>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const raw = (name: FlagName): string | boolean | undefined => {
    const value = values[name];
    return Array.isArray(value) ? value.join("\n") : (value ?? env[FLAGS[name].env]);
  };
  const list = (name: FlagName, separator: string): string[] => {
    const value = values[name];
    if (Array.isArray(value)) return value.filter((item) => item.trim() !== "");
    const fromEnv = env[FLAGS[name].env];
    return fromEnv
      ? fromEnv
          .split(separator)
          .map((item) => item.trim())
          .filter((item) => item !== "")
      : [];
  };
  const text = (name: FlagName): string | undefined => {
    const value = raw(name);
    return typeof value === "string" && value.trim() !== "" ? value : undefined;
  };
  const number = (name: FlagName, fallback: number, min: number, timer = false): number => {
    const value = text(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min)
      throw new ConfigError(
        `--${name} (or ${FLAGS[name].env}) must be a whole number ≥ ${min}, got ${JSON.stringify(value)}`,
      );
    if (timer && parsed > MAX_TIMER_MS)
      throw new ConfigError(
        `--${name} (or ${FLAGS[name].env}) must be at most ${MAX_TIMER_MS} (24.8 days, the longest timer Node keeps: a longer one fires at once), got ${JSON.stringify(value)}`,
      );
    return parsed;
  };
  // every duration becomes a timer: a longer one fires at once
  const duration = (name: FlagName, fallback: number, min: number): number => number(name, fallback, min, true);
  const flag = (name: FlagName): boolean => {
    const value = raw(name);
    return value === true || (typeof value === "string" && /^(1|true|yes)$/i.test(value));
  };

  const maxTimeoutMs = duration("max-timeout-ms", DEFAULTS.maxTimeoutMs, 1000);
  const allowedRoots = list("allowed-root", ":");
  for (const root of allowedRoots)
    if (!isAbsolute(root))
      throw new ConfigError(`--allowed-root must be an absolute path, got ${JSON.stringify(root)}`);
  const envAllow = list("env-allow", ",");
  const engine = text("engine") ?? "exec";
  if (!(ENGINES as readonly string[]).includes(engine))
    throw new ConfigError(`--engine must be one of ${ENGINES.join(", ")}, got ${JSON.stringify(engine)}`);
  const allowConfigKeys = list("allow-config-key", ",");
  for (const key of allowConfigKeys)
    if (!CONFIG_KEY.test(key))
      throw new ConfigError(`--allow-config-key must be a dotted config key, got ${JSON.stringify(key)}`);
  return {
    codexHome: defaultCodexHome(env),
    readOnly: flag("read-only"),
    waitMs: duration("wait-ms", DEFAULTS.waitMs, 0),
    envAllow,
    allowCallerApprovals: flag("allow-caller-approvals"),
    runner: {
      codexBin: text("codex-bin") ?? "codex",
      codexHome: defaultCodexHome(env),
      stateDir:
        text("state-dir") ?? join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "codex-control-mcp"),
      allowFullAccess: flag("allow-full-access"),
      maxConcurrent: number("max-concurrent", DEFAULTS.maxConcurrent, 1),
      queueWaitMs: duration("queue-wait-ms", DEFAULTS.queueWaitMs, 0),
      defaultTimeoutMs: Math.min(duration("default-timeout-ms", DEFAULTS.defaultTimeoutMs, 1000), maxTimeoutMs),
      maxTimeoutMs,
      killGraceMs: duration("kill-grace-ms", DEFAULTS.killGraceMs, 100),
      maxDepth: number("max-depth", DEFAULTS.maxDepth, 1),
      allowedRoots,
      allowConfigKeys,
      allowProfile: flag("allow-profile"),
      childEnv: envAllow.length > 0 ? pick(env, [...BASE_ENV, ...envAllow]) : env,
      stopRunsOnExit: flag("stop-runs-on-exit"),
      recordPrompts: flag("ledger-prompts"),
      preflightLimits: flag("preflight-limits"),
      engine: engine as Engine,
      approvalTimeoutMs: duration("approval-timeout-ms", DEFAULTS.approvalTimeoutMs, 1000),
    },
  };
}

function pick(env: NodeJS.ProcessEnv, names: string[]): NodeJS.ProcessEnv {
  const picked: NodeJS.ProcessEnv = {};
  for (const name of names) if (env[name] !== undefined) picked[name] = env[name];
  return picked;
}

export function flagHelp(): string {
  return Object.entries(FLAGS)
    .map(
      ([name, spec]) =>
        `  --${name}${spec.type === "string" ? " VALUE" : ""}`.padEnd(30) + `${spec.help} [${spec.env}]`,
    )
    .join("\n");
}

/** The session reader of a process with this configuration: its saved folds in the state dir, its allowed roots. */
export function sessionStoreOf(config: ServerConfig): SessionStore {
  return new SessionStore(config.codexHome, {
    stateDir: config.runner.stateDir,
    allowedRoots: config.runner.allowedRoots,
  });
}
