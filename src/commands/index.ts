// The CLI for people: the same core as the tools, no MCP. Each command prints aligned text (colors only on
// a terminal) or, with --json, what the matching tool returns as structuredContent.
// Exit codes: 0 ok · 1 error (unknown session, failed check) · 2 wrong usage · 3 the session did not complete.
import { count } from "../shared/text.js";
import { RunManager } from "../runs/run-manager.js";
import { sessionStoreOf, type ServerConfig } from "../config/config.js";
import { doctor, renderDoctor } from "../doctor/doctor.js";
import { inline, localTime, renderCalls, renderRun, renderSummary, renderUsage, unlistedNote } from "../text/render.js";
import type { RunView } from "../runs/run-view.js";
import { invocationOf, runFactsFor } from "../runs/run-facts.js";
import {
  askSession,
  listRolloutFiles,
  listSessions,
  SessionLookupError,
  SessionStore,
  type SessionListing,
} from "../sessions/index.js";
import { fail, print, runOne, UsageError, type Command } from "./command.js";
import { paint, table } from "./format.js";
import { exportCommand } from "./export.js";
import { reportCommand } from "./report.js";
import { reviewCommand } from "./review.js";
import { filterTime } from "../sessions/report/filters.js";
import { ExplainedError } from "../shared/errors.js";
import { approveCommand, runIdArgument, steerCommand } from "./run-requests.js";
import { cwdFilterInput } from "../tools/schemas.js";

const json = { type: "boolean" } as const;

/** One command, one store: folds saved in the state dir make the next command on the same session fast. */
function storeOf(config: ServerConfig): SessionStore {
  return sessionStoreOf(config);
}
const help = { type: "boolean", short: "h" } as const;

export const COMMANDS: Record<string, Command> = {
  sessions: {
    usage:
      "sessions [-n 20] [--cwd DIR] [--since 7d|ISO] [--archived] [--json]\n  Codex sessions, newest first (from the newest days, most recently written first).",
    options: {
      limit: { type: "string", short: "n" },
      cwd: { type: "string" },
      since: { type: "string" },
      archived: { type: "boolean" },
      json,
      help,
    },
    positionals: 0,
    async run(values, _positionals, config) {
      const limit = positiveInt(values.limit, 20, 1, 500);
      const since = typeof values.since === "string" ? values.since : undefined;
      let sinceIso: string | undefined;
      try {
        // the report's parser (7d, 24h, ISO 8601 in UTC): the same forms as `report --since`
        if (since !== undefined) sinceIso = new Date(filterTime("since", since, Date.now(), false)).toISOString();
      } catch (error) {
        if (error instanceof ExplainedError) throw new UsageError(error.message);
        throw error;
      }
      const cwd = typeof values.cwd === "string" ? values.cwd : undefined;
      // a relative or control-character cwd matches no session: "No sessions" would hide the mistake
      if (cwd !== undefined && !cwdFilterInput.safeParse(cwd).success) {
        throw new UsageError(
          `--cwd ${inline(cwd.slice(0, 200))} is not an absolute directory: pass the full path, e.g. --cwd "$PWD".`,
        );
      }
      const store = storeOf(config);
      const { sessions, scanned, unreadable_folders, home_note } = await listSessions(store, {
        limit,
        includeArchived: values.archived === true,
        cwd,
        since: sinceIso,
      });
      if (values.json) {
        // what list_sessions answers: an unfinished last turn may be a run in progress, not a crash
        const { registry } = new RunManager(config.runner);
        const listed = await Promise.all(
          sessions.map(async (session) => {
            const run = session.status === "incomplete" ? await registry.findBySession(session.session_id) : undefined;
            return { ...session, running_run_id: run?.status === "running" ? run.run_id : null };
          }),
        );
        const answer = { codex_home: config.codexHome, sessions: listed, scanned, home_note, unreadable_folders };
        return print(JSON.stringify(answer, null, 2), 0);
      }
      const missing = unlistedNote(unreadable_folders);
      if (sessions.length === 0) {
        const none = await noneMatched(store, config.codexHome, { cwd, since, archived: values.archived === true });
        return print([none, ...(home_note !== null ? [inline(home_note)] : []), ...missing].join("\n"), 0);
      }
      return print([sessionsTable(sessions), ...missing].join("\n"), 0);
    },
  },
  summary: {
    usage:
      "summary <session|last> [--reasoning 10] [--json]\n  What a session did, how it ended, and what to do next. Exits 3 when its last turn did not complete.",
    options: { reasoning: { type: "string" }, json, help },
    positionals: 1,
    async run(values, [ref = "last"], config) {
      // the run ledger too, so a person sees what the session_summary tool says
      const runs = new RunManager(config.runner);
      const summary = await askSession(storeOf(config), ref, {
        kind: "summary",
        options: {
          reasoningLimit: positiveInt(values.reasoning, 10, 0, 200),
          runFacts: (id) => runFactsFor(runs, id),
          invocation: { ...invocationOf(config), reader: "person" },
        },
      });
      const code = summary.status === "completed" ? 0 : 3;
      if (values.json) return print(JSON.stringify(summary, null, 2), code);
      const [first = "", ...rest] = renderSummary(summary, "person").split("\n");
      return print([first.replace(summary.status, paint(summary.status)), ...rest].join("\n"), code);
    },
  },
  calls: {
    usage:
      "calls <session|last> [-n 10] [--full] [--json]\n  The last tool calls, oldest first, with exit codes and (capped, or --full) output.",
    options: { limit: { type: "string", short: "n" }, full: { type: "boolean" }, json, help },
    positionals: 1,
    async run(values, [ref = "last"], config) {
      const result = await askSession(storeOf(config), ref, {
        kind: "calls",
        options: {
          limit: positiveInt(values.limit, 10, 1, 200),
          includeOutput: true,
          maxOutputChars: values.full ? 1_000_000 : 2000,
        },
      });
      if (values.json) return print(JSON.stringify(result, null, 2), 0);
      const output = values.full ? "all" : 300;
      return print(renderCalls(result.session_id, result.total_calls, result.calls, "person", output), 0);
    },
  },
  usage: {
    usage: "usage <session|last> [--json]\n  Tokens used, context window, rate limits.",
    options: { json, help },
    positionals: 1,
    async run(values, [ref = "last"], config) {
      const usage = await askSession(storeOf(config), ref, { kind: "usage" });
      return print(values.json ? JSON.stringify(usage, null, 2) : renderUsage(usage, "person"), 0);
    },
  },
  runs: {
    usage: "runs [-n 20] [--json]\n  Codex runs of every server sharing this state dir, newest first.",
    options: { limit: { type: "string", short: "n" }, json, help },
    positionals: 0,
    async run(values, _positionals, config) {
      const recent = await new RunManager(config.runner).registry.recent(positiveInt(values.limit, 20));
      const { runs, unreadable } = recent;
      if (values.json) return print(JSON.stringify(unreadable.length > 0 ? recent : { runs }, null, 2), 0);
      if (runs.length === 0 && unreadable.length === 0) return print(`No runs in ${config.runner.stateDir}.`, 0);
      const notes = unreadable.map(({ run_id, error }) => `${run_id}: could not be looked at: ${error}`);
      return print([...(runs.length > 0 ? [runsTable(runs)] : []), ...notes].join("\n"), 0);
    },
  },
  status: {
    usage:
      "status <run_id> [--wait] [--json]\n  One run, as run_status answers it; --wait follows it to its end. Exits 3 when it ended other than completed.",
    options: { wait: { type: "boolean" }, json, help },
    positionals: 1,
    async run(values, [given], config) {
      const runId = runIdArgument(given, "which run? Pass a run_id (see `codex-control-mcp runs`).");
      const { registry } = new RunManager(config.runner);
      let view = await registry.get(runId);
      while (view?.status === "running" && values.wait) view = await registry.wait(runId, 60_000);
      if (!view) return fail(`no run "${runId}" in ${config.runner.stateDir}; see \`codex-control-mcp runs\`.`, 1);
      return printRun(view, values.json === true, view.status === "running" || view.status === "completed" ? 0 : 3);
    },
  },
  cancel: {
    usage:
      "cancel <run_id> [--json]\n  Stops a run, whichever server started it, and everything it started; waits until that is recorded.",
    options: { json, help },
    positionals: 1,
    async run(values, [given], config) {
      const runId = runIdArgument(given, "which run? Pass a run_id (see `codex-control-mcp runs`).");
      const view = await new RunManager(config.runner).registry.cancel(
        runId,
        "cancelled from the command line (codex-control-mcp cancel)",
      );
      if (!view) return fail(`no run "${runId}" in ${config.runner.stateDir}; see \`codex-control-mcp runs\`.`, 1);
      return printRun(view, values.json === true, 0);
    },
  },
  review: reviewCommand,
  steer: steerCommand,
  approve: approveCommand,
  doctor: {
    usage:
      "doctor [--json]\n  Checks the Codex CLI, CODEX_HOME, Codex's config, the credentials Codex runs will have, whether the model endpoint answers, and this server's policy; exits 1 if a check fails.",
    options: { json, help },
    positionals: 0,
    async run(values, _positionals, config) {
      const report = await doctor(config, new RunManager(config.runner));
      const code = report.ok ? 0 : 1;
      if (values.json) return print(JSON.stringify(report, null, 2), code);
      return print(
        renderDoctor(report).replace(/^(ok {2}|WARN|FAIL)/gm, (mark) =>
          paint(mark.trim() === "ok" ? "completed" : mark === "WARN" ? "incomplete" : "failed", mark),
        ),
        code,
      );
    },
  },
  report: reportCommand,
  export: exportCommand,
};

export function commandHelp(): string {
  return Object.values(COMMANDS)
    .map((command) => `  codex-control-mcp ${command.usage.replace("\n", "\n    ")}`)
    .join("\n");
}

/** Runs `argv` (its first word a command name) and returns the exit code. */
export async function runCommand(argv: string[], config: ServerConfig): Promise<number> {
  const [name = "", ...rest] = argv;
  const command = COMMANDS[name];
  if (!command) {
    const near = Object.keys(COMMANDS).filter((known) => editDistance(known, name) <= 2);
    const list = `The commands are ${Object.keys(COMMANDS).join(", ")} (codex-control-mcp --help); with no command it serves MCP on stdin/stdout.`;
    return fail(
      `unknown command "${name}". ${near.length > 0 ? `Did you mean \`${near.join("` or `")}\`? ` : ""}${list}`,
      2,
    );
  }
  return runOne(command, rest, config, async (error, ref) =>
    error instanceof SessionLookupError ? [await withNearMatch(error.message, ref, config), 1] : undefined,
  );
}

/** An unknown id that is a typo of a session's id (or of its first 8+ characters): name that session. */
async function withNearMatch(message: string, ref: string | undefined, config: ServerConfig): Promise<string> {
  const wanted = (ref ?? "").trim().toLowerCase();
  if (!/^[0-9a-f-]{8,36}$/.test(wanted) || !message.startsWith("no session")) return message;
  const files = await listRolloutFiles(config.codexHome, { includeArchived: true }).catch(() => []);
  const scored = files
    .map((file) => ({ id: file.id, distance: editDistance(wanted, file.id.slice(0, wanted.length)) }))
    .filter((entry) => entry.distance <= 2);
  if (scored.length === 0) return message;
  scored.sort((a, b) => a.distance - b.distance);
  const near = scored.slice(0, 3).map((entry) => entry.id);
  return `no session "${wanted}" in CODEX_HOME (${config.codexHome}); did you mean ${near.join(" or ")}?`;
}

/** Levenshtein distance, for short words and ids. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** What an empty listing means: no sessions at all, or none the filters let through (and the newest there is). */
async function noneMatched(
  store: SessionStore,
  home: string,
  filters: { cwd?: string; since?: string; archived: boolean },
): Promise<string> {
  const applied = [
    filters.since !== undefined ? `--since ${filters.since}` : "",
    filters.cwd !== undefined ? `--cwd ${filters.cwd}` : "",
  ].filter(Boolean);
  if (applied.length === 0)
    return `No sessions in ${home}${filters.archived ? "" : " (--archived adds the archived ones)"}.`;
  const {
    sessions: [newest],
  } = await listSessions(store, { limit: 1, includeArchived: filters.archived }).catch(() => ({
    sessions: [] as SessionListing[],
  }));
  if (!newest) return `No sessions in ${home}.`;
  return `No sessions match ${applied.join(" ")} in ${home}; the newest there is ${newest.session_id} (written ${localTime(newest.updated_at)}, in ${inline(newest.cwd)}).`;
}

function sessionsTable(sessions: SessionListing[]): string {
  const width = process.stdout.isTTY ? process.stdout.columns : 160;
  return table(
    ["ID", "STATUS", "UPDATED", "CODEX", "CWD", "FIRST PROMPT"],
    sessions.map((s) => [
      s.session_id,
      s.status,
      localTime(s.updated_at),
      s.cli_version ?? "?",
      s.cwd ?? "?",
      (s.first_prompt ?? "").replace(/\s+/g, " "),
    ]),
    { width, paintColumn: 1 },
  );
}

function runsTable(runs: RunView[]): string {
  const width = process.stdout.isTTY ? process.stdout.columns : 160;
  return table(
    ["RUN_ID", "STATUS", "SESSION", "CWD", "STARTED", "DURATION"],
    runs.map((run) => [
      run.run_id,
      run.status,
      run.session_id ?? "-",
      run.cwd,
      localTime(run.started_at),
      `${count(Math.round(run.duration_ms / 1000))} s`,
    ]),
    { width, paintColumn: 1 },
  );
}

function printRun(view: RunView, asJson: boolean, code: number): number {
  if (asJson) return print(JSON.stringify(view, null, 2), code);
  const [first = "", ...rest] = renderRun(view, "person").split("\n");
  return print([first.replace(view.status, paint(view.status)), ...rest].join("\n"), code);
}

/** A count within the matching tool's bounds (its zod schema), so a command takes what the tool takes. */
function positiveInt(value: string | boolean | undefined, fallback: number, min = 1, max?: number): number {
  if (typeof value !== "string") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || (max !== undefined && parsed > max))
    throw new UsageError(
      `expected a whole number ${max === undefined ? `≥ ${min}` : `from ${min} to ${max}`}, got "${value}"`,
    );
  return parsed;
}
