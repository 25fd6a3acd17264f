// `doctor`: is this setup going to work? Each check says what it found and, when something is off, the fix.
import { count } from "../shared/text.js";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { CodexUnavailableError, JSON_STREAMS, type Capabilities } from "../codex/capabilities.js";
import type { RunManager } from "../runs/run-manager.js";
import { stateChecks } from "../runs/state-checks.js";
import { liveRateLimitsLine, liveRateLimitsView, readLiveRateLimits } from "../codex/app-server/index.js";
import { stringEnv } from "../shared/env.js";
import { readSmallFile } from "../shared/small-file.js";
import type { ServerConfig } from "../config/config.js";
import { assessCredentials, CREDENTIAL_SOURCES, probeEndpoint, readCodexFiles } from "../codex/credentials.js";
import { listRolloutFiles } from "../sessions/index.js";

export const CHECK_LEVELS = ["ok", "warn", "fail"] as const;
export type CheckLevel = (typeof CHECK_LEVELS)[number];

export const checkSchema = z.object({
  name: z.string(),
  level: z.enum(CHECK_LEVELS),
  found: z.string(),
  fix: z.string().nullable(),
});
export type Check = z.infer<typeof checkSchema>;

export const doctorReportSchema = z.object({
  ok: z.boolean(),
  checks: z.array(checkSchema),
  codex: z.object({
    path: z.string(),
    version: z.string().nullable(),
    json_stream: z.enum(JSON_STREAMS).nullable(),
    can_resume: z.boolean().nullable(),
    sandbox_flag: z.boolean().nullable(),
    full_auto_flag: z.boolean().nullable(),
  }),
  codex_home: z.object({ path: z.string(), exists: z.boolean(), sessions: z.number() }),
  credentials: z.object({
    provider: z.string(),
    source: z.enum(CREDENTIAL_SOURCES),
    variable: z.string().nullable(),
    endpoint: z.string(),
    endpoint_answers: z.boolean().nullable(),
  }),
  policy: z.object({
    read_only: z.boolean(),
    allow_full_access: z.boolean(),
    allowed_roots: z.array(z.string()),
    env_allowlist: z.boolean(),
    max_concurrent: z.number(),
    wait_ms: z.number(),
    state_dir: z.string(),
  }),
});
export type DoctorReport = z.infer<typeof doctorReportSchema>;

/** Hosts give a tool call about this long before they give up on it. */
const HOST_TOOL_TIMEOUT_MS = 60_000;

export interface DoctorOptions {
  /** The MCP client's name, for fixes in that host's terms. */
  host?: string;
  /** Ask the model endpoint whether it answers (off for a CLI run that must stay offline). */
  probe?: boolean;
}

export async function doctor(
  config: ServerConfig,
  runs: RunManager,
  options: DoctorOptions = {},
): Promise<DoctorReport> {
  const checks: Check[] = [];
  const add = (name: string, level: CheckLevel, found: string, fix: string | null = null) =>
    checks.push({ name, level, found, fix });

  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major > 20 || (major === 20 && minor >= 10)) add("node", "ok", `Node ${process.versions.node}`);
  else add("node", "fail", `Node ${process.versions.node}`, "Install Node 20.10 or newer.");

  let caps: Capabilities | undefined;
  try {
    caps = await runs.capabilities();
    add("codex", "ok", `Codex ${caps.version} at ${config.runner.codexBin}`);
    if (!caps.subcommands.has("resume"))
      add(
        "codex resume",
        "warn",
        `Codex ${caps.version} has no \`exec resume\``,
        "Upgrade: npm install -g @openai/codex (resume_session needs 0.35+).",
      );
    if (caps.jsonStream !== "current") {
      add(
        "codex --json",
        "warn",
        `Codex ${caps.version} prints the ${caps.jsonStream} --json stream, which has no end-of-turn event`,
        "Upgrade: npm install -g @openai/codex (0.43+ report how each turn ended).",
      );
    }
    if (!caps.flags.has("--sandbox"))
      add(
        "codex --sandbox",
        "fail",
        `Codex ${caps.version} has no --sandbox flag`,
        "Upgrade: npm install -g @openai/codex.",
      );
  } catch (error) {
    // the error's own advice is the fix below: say it once
    const message = (error instanceof CodexUnavailableError ? error.message : String(error)).replace(
      /\.\s+(?:Install it|Set CODEX_BIN)[^]*$/,
      "",
    );
    add(
      "codex",
      config.readOnly ? "warn" : "fail",
      message,
      "Install it with `npm install -g @openai/codex`, or point --codex-bin (CODEX_BIN) at it.",
    );
  }

  const home = config.codexHome;
  const homeKind = await stat(home).then(
    (info) => (info.isDirectory() ? "directory" : "other"),
    () => "missing",
  );
  const homeExists = homeKind === "directory";
  const sessions = homeExists ? (await listRolloutFiles(home, { includeArchived: true })).length : 0;
  if (homeKind === "other")
    add(
      "CODEX_HOME",
      "fail",
      `${home} is not a directory`,
      "Point CODEX_HOME at the folder that holds Codex's sessions/ (by default ~/.codex).",
    );
  else if (homeKind === "missing")
    add(
      "CODEX_HOME",
      "warn",
      `${home} does not exist`,
      "If CODEX_HOME is a typo, fix it; otherwise run Codex once, which creates it.",
    );
  else add("CODEX_HOME", "ok", `${home}: ${count(sessions)} session${sessions === 1 ? "" : "s"}`);

  const codexConfig = homeExists ? ((await readSmallFile(join(home, "config.toml"), 1024 * 1024)) ?? "") : "";
  for (const problem of configProblems(codexConfig, caps))
    add("codex config.toml", problem.level, problem.found, problem.fix);

  const { runner } = config;
  const inputs = {
    runEnv: runner.childEnv,
    serverEnv: process.env,
    codexHome: runner.codexHome,
    host: options.host,
    ...(await readCodexFiles(runner.codexHome)),
  };
  const engine = runner.engine ?? "exec";
  const credentials = assessCredentials({ ...inputs, engine });
  const missingLevel: CheckLevel = config.readOnly ? "warn" : "fail";
  add("credentials", credentials.source === "missing" ? missingLevel : "ok", credentials.found, credentials.fix);
  // a call may still ask for engine "app-server", which reads only a login: CODEX_API_KEY alone passes exec only
  const appServer = engine === "exec" ? assessCredentials({ ...inputs, engine: "app-server" }) : credentials;
  if (!config.readOnly && credentials.source !== "missing" && appServer.source === "missing")
    add(
      "credentials (app-server)",
      "warn",
      `runs with engine "app-server" would be refused: ${appServer.found}`,
      appServer.fix,
    );
  const endpoint =
    options.probe === false || credentials.endpoint === "" ? null : await probeEndpoint(credentials.endpoint);
  if (endpoint) {
    add(
      "model endpoint",
      endpoint.answers ? "ok" : "warn",
      endpoint.found,
      endpoint.answers
        ? null
        : `Check the network, or base_url of model provider "${credentials.provider}" in ${join(runner.codexHome, "config.toml")}.`,
    );
  }

  if (config.readOnly) add("policy", "ok", "read-only: only the tools that read sessions are offered");
  else {
    add(
      "policy",
      runner.allowFullAccess ? "warn" : "ok",
      `${runner.allowFullAccess ? "full-access runs ALLOWED" : "full-access refused"}; ${runner.allowedRoots.length > 0 ? `runs confined to ${runner.allowedRoots.join(", ")}` : "runs allowed in any directory"}; at most ${runner.maxConcurrent} at once; ${config.envAllow.length === 0 ? "Codex inherits the whole environment" : `Codex gets only the allowlisted environment (${config.envAllow.join(", ")} and the base set)`}`,
      runner.allowFullAccess
        ? "Drop --allow-full-access unless the host is trusted: it lets a caller run Codex with no sandbox."
        : null,
    );
  }
  if (!config.readOnly && runner.allowedRoots.length === 0) {
    add(
      "allowed roots",
      "warn",
      "no --allowed-root: a caller may run Codex in any directory this user can write (except /, the home directory itself, CODEX_HOME and the state dir) and attach any image this user can read",
      "Start the server with --allowed-root DIR (repeatable) for the directories callers may work in, e.g. your projects folder.",
    );
  }
  // the plan's live windows, where the login has them (an API key has none: said plainly, not a failure)
  if (options.probe !== false && caps !== undefined && homeExists) {
    const limits = liveRateLimitsView(
      await readLiveRateLimits(
        runner.codexBin,
        runner.codexHome,
        stringEnv({ ...runner.childEnv, CODEX_HOME: runner.codexHome }),
      ),
    );
    const resets = limits.resets_at ? `; runs fail with usage_limit until ${limits.resets_at}` : "";
    add(
      "live rate limits",
      limits.state === "exhausted" ? "warn" : "ok",
      `${liveRateLimitsLine(limits)}${resets}`,
      limits.state === "exhausted"
        ? "Wait for the reset, or switch to an API key (a provider's env_key) to keep working."
        : null,
    );
  }
  // whose the state dir is, what a sandboxed run could reach of it and of CODEX_HOME, which of its files were ignored
  for (const check of await stateChecks(runner, config.readOnly)) add(check.name, check.level, check.found, check.fix);
  if (config.waitMs >= HOST_TOOL_TIMEOUT_MS) {
    add(
      "wait",
      "warn",
      `foreground calls wait ${config.waitMs} ms, as long as or longer than most hosts' 60 s tool timeout`,
      "Lower --wait-ms below your host's tool timeout (55000 by default).",
    );
  }

  return {
    ok: !checks.some((check) => check.level === "fail"),
    checks,
    codex: {
      path: runner.codexBin,
      version: caps?.version ?? null,
      json_stream: caps?.jsonStream ?? null,
      can_resume: caps ? caps.subcommands.has("resume") : null,
      sandbox_flag: caps ? caps.flags.has("--sandbox") : null,
      full_auto_flag: caps ? caps.flags.has("--full-auto") : null,
    },
    codex_home: { path: home, exists: homeExists, sessions },
    credentials: {
      provider: credentials.provider,
      source: credentials.source,
      variable: credentials.variable,
      endpoint: credentials.endpoint,
      endpoint_answers: endpoint?.answers ?? null,
    },
    policy: {
      read_only: config.readOnly,
      allow_full_access: runner.allowFullAccess,
      allowed_roots: runner.allowedRoots,
      env_allowlist: config.envAllow.length > 0,
      max_concurrent: runner.maxConcurrent,
      wait_ms: config.waitMs,
      state_dir: runner.stateDir,
    },
  };
}

/**
 * Known-broken settings in Codex's own config.toml, read as text (only a few keys matter): this server
 * registered as one of Codex's MCP servers (every run it starts would start it again), and approval
 * settings that newer CLIs reject.
 */
export function configProblems(toml: string, caps: Capabilities | undefined): Array<Omit<Check, "name">> {
  const problems: Array<Omit<Check, "name">> = [];
  const sections = toml.split(/^\s*\[/m);
  for (const section of sections) {
    const name = /^mcp_servers\.("?)([^\]"]+)\1\]/.exec(section)?.[2];
    if (name && /codex-control-mcp/.test(section)) {
      problems.push({
        level: "warn",
        found: `Codex's config starts this server as MCP server "${name}": every Codex run it starts would start a copy of it`,
        fix: "Harmless (the copy refuses to delegate again: --max-depth), but if Codex does not need it, remove the entry or give the copy --read-only.",
      });
    }
  }
  const [, minor = 0] = (caps?.version ?? "0.0").split(".").map(Number);
  if (/^\s*approval_policy\s*=\s*"untrusted"/m.test(toml) && minor >= 150) {
    problems.push({
      level: "fail",
      found: `approval_policy = "untrusted" in config.toml, which Codex ${caps?.version} rejects`,
      fix: 'Remove the setting (or use "on-request" / "never").',
    });
  }
  if (/^\s*(?:approval_policy|ask_for_approval)\s*=\s*"full-auto"/m.test(toml)) {
    problems.push({
      level: "fail",
      found: '"full-auto" in config.toml, a TypeScript-CLI value the Rust CLI does not accept',
      fix: 'Use sandbox_mode = "workspace-write" and approval_policy = "never".',
    });
  }
  return problems;
}

export function renderDoctor(report: DoctorReport): string {
  const mark: Record<CheckLevel, string> = { ok: "ok  ", warn: "WARN", fail: "FAIL" };
  const lines = report.checks.map(
    (check) =>
      `${mark[check.level]}  ${check.name.padEnd(18)} ${check.found}${check.fix ? `\n      fix: ${check.fix}` : ""}`,
  );
  lines.push(report.ok ? "All required checks passed." : "Some checks failed: see the fixes above.");
  return lines.join("\n");
}
