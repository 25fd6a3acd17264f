// `codex-control-mcp export --otlp <url>`: the sessions of the report's filters sent to an OpenTelemetry
// collector as traces (src/export/otel.ts). Exits 1 when a session could not be delivered.
import { checkFilters, loadPrices, sessionsReport, type SessionDigest } from "../sessions/index.js";
import { ExplainedError } from "../shared/errors.js";
import { counted } from "../shared/text.js";
import { unreadText } from "../sessions/report/render.js";
import { shownValue } from "../sessions/report/filters.js";
import { turnEnds } from "../sessions/report/index.js";
import type { RolloutFile } from "../sessions/locate.js";
import { sessionStoreOf } from "../config/config.js";
import { fail, UsageError, type Command } from "./command.js";
import { homeProblem, runningIn, SESSION_FILTERS } from "./report.js";

export const exportCommand: Command = {
  usage:
    "export --otlp URL [--since 7d|ISO] [--until ISO] [--cwd DIR] [--model M] [--archived] [--json]\n  Sends each session as an OpenTelemetry trace (a span per turn and per tool call) to an OTLP/HTTP endpoint (http://host:4318 or its /v1/traces); exporting again sends the same ids.",
  options: {
    otlp: { type: "string" },
    ...SESSION_FILTERS,
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
  positionals: 0,
  async run(values, _positionals, config) {
    const url = tracesUrl(values.otlp);
    const timeoutMs = batchTimeoutMs(process.env);
    const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
    const store = sessionStoreOf(config);
    // the SDK is large: loaded only by this command
    const { OtlpSessionExporter } = await import("../export/otel.js");
    const exporter = new OtlpSessionExporter(url, timeoutMs);
    const chosen: Array<{ digest: SessionDigest; file: RolloutFile }> = [];
    // a session a run still writes is not sent half-done: exporting again once it ends sends it whole
    let running = 0;
    let unread: Parameters<typeof unreadText>[0] = {
      unreadable_folders: 0,
      unreadable_files: 0,
      unreadable_examples: [],
    };
    let scanned = 0;
    try {
      const since = sinceDay(text("since"), text("until"));
      const report = await sessionsReport(
        store,
        {
          since: since?.day,
          until: text("until"),
          cwd: text("cwd"),
          model: text("model"),
          includeArchived: values.archived === true,
          groupBy: "day",
        },
        {
          prices: await loadPrices(),
          stateDir: config.runner.stateDir,
          runningSessions: runningIn(config),
          onSession: (digest, file) => {
            if (since && !ranSince(digest, since.ms)) return;
            if (digest.category === "running") running += 1;
            else chosen.push({ digest, file });
          },
        },
      );
      unread = report;
      scanned = report.scanned_files;
    } catch (error) {
      if (error instanceof ExplainedError) throw new UsageError(error.message);
      throw error;
    }
    const problem = await homeProblem(config, scanned);
    if (problem !== null) return fail(problem, 1);
    // oldest first: a backend shows them in the order they ran
    // (code-unit order of ISO times: no locale collation; equal times keep the report's order)
    chosen.sort((a, b) => {
      const [x, y] = [a.digest.startedAt ?? "", b.digest.startedAt ?? ""];
      return x < y ? -1 : x > y ? 1 : 0;
    });
    let tried = 0;
    for (const { digest, file } of chosen) {
      // an earlier turn that failed: its error.type is the category the session had as the next turn began
      await exporter.add(store, digest, file.path, () => turnEnds(file));
      tried += 1;
      // the exporter retries each batch for seconds: a collector that refused one is not asked thousands of times
      if (exporter.failed > 0) break;
    }
    const result = await exporter.close();
    const untried = chosen.length - tried;
    const summary = {
      url: shownUrl(url),
      sessions: result.sessions,
      sessions_not_sent: chosen.length - result.sessions,
      sessions_running: running,
      unreadable_folders: unread.unreadable_folders,
      unreadable_files: unread.unreadable_files,
      spans_sent: result.spans,
      spans_failed: result.failed,
      error: result.error ?? null,
    };
    const line = values.json
      ? JSON.stringify(summary, null, 2)
      : summary.sessions_not_sent > 0
        ? `Sent ${result.spans} of ${counted(result.spans + result.failed, "span")} (${counted(result.sessions, "session")}) to ${summary.url}; ${counted(result.failed, "span")} failed: ${result.error ?? "unknown error"}. ${counted(summary.sessions_not_sent, "session")} not sent${untried > 0 ? ` (stopped at the first refused one: ${untried} not tried)` : ""}.`
        : `Sent ${counted(result.sessions, "session")} (${counted(result.spans, "span")}) to ${summary.url}.`;
    const stillRunning =
      running > 0 && !values.json
        ? ` Not sent: ${counted(running, "session")} a run is still writing; export again when they end (the same ids).`
        : "";
    const unreadSaid = values.json ? undefined : unreadText(unread, "not sent");
    const notRead = unreadSaid ? ` ${unreadSaid} Then export again (the same ids).` : "";
    process.stdout.write(`${line}${stillRunning}${notRead}\n`); // stdout-ok: the CLI's own output
    return summary.sessions_not_sent > 0 ? 1 : 0;
  },
};

/** How long before since the report is asked from: a turn begun that much before since and ending after it is sent. */
const TURN_SLACK_MS = 86_400_000;

/**
 * The report selects a session by when its turns started (its parts split at since): one whose last turn
 * began before since and wrote on after it (a long turn, its end) has no part in range, yet changed since and
 * is sent again. The export asks from a day before since and keeps what started or wrote since. (It asked
 * from the start of since's UTC day: just after midnight that was no slack at all, and a turn begun before
 * midnight and ended after since was never sent.)
 */
function sinceDay(since: string | undefined, until: string | undefined): { day: string; ms: number } | undefined {
  if (since === undefined) return undefined;
  // until too: "until is not after since" is said against the since given, not the earlier one asked
  const { sinceMs } = checkFilters({ since, until, groupBy: "day", includeArchived: false });
  if (sinceMs === undefined) return undefined;
  return { day: new Date(sinceMs - TURN_SLACK_MS).toISOString(), ms: sinceMs };
}

/** Started since, or wrote since (a turn resumed, or one still going then); no times known: sent (same ids). */
function ranSince(digest: SessionDigest, sinceMs: number): boolean {
  const times = [digest.startedAt, digest.lastEventAt].map((at) => Date.parse(at ?? "")).filter(Number.isFinite);
  return times.length === 0 || times.some((at) => at >= sinceMs);
}

const MAX_TIMEOUT_MS = 600_000;

/**
 * How long each batch may take (ms): OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, else OTEL_EXPORTER_OTLP_TIMEOUT (the OTel
 * spec's names; a slow collector given a big batch needs longer), else the SDK's 10 s. Not a number of
 * milliseconds: a usage error (the SDK would warn on stderr and wait 10 s).
 */
export function batchTimeoutMs(env: NodeJS.ProcessEnv): number {
  const name =
    env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT !== undefined
      ? "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"
      : "OTEL_EXPORTER_OTLP_TIMEOUT";
  const value = env[name];
  if (value === undefined) return 10_000;
  const ms = /^\d{1,6}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!(ms >= 1 && ms <= MAX_TIMEOUT_MS))
    throw new UsageError(
      `${name} ${shownValue(value)} is not a timeout: give the milliseconds to wait for each batch, 1 to ${MAX_TIMEOUT_MS} (10000 by default).`,
    );
  return ms;
}

/** The OTLP/HTTP traces endpoint: a collector's base URL gets the standard /v1/traces path. */
export function tracesUrl(value: string | boolean | undefined): string {
  if (typeof value !== "string")
    throw new UsageError("where to? Pass --otlp http://HOST:4318 (an OTLP/HTTP collector).");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--otlp ${shownValue(value)} is not a URL: pass http://HOST:4318 or https://HOST/v1/traces.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`--otlp ${shownValue(value)} is not http(s): OTLP/HTTP needs http:// or https://.`);
  if (url.username || url.password)
    throw new UsageError(
      "--otlp must not carry credentials in the URL (they would be printed): pass them as headers in OTEL_EXPORTER_OTLP_HEADERS (e.g. authorization=Bearer%20…), which the OpenTelemetry exporter sends and this command never prints.",
    );
  if (url.pathname === "/" || url.pathname === "") url.pathname = "/v1/traces";
  return url.toString();
}

/**
 * The endpoint as printed: a query's values hidden (a collector's key in `?api_key=…` is sent, not shown in a
 * terminal or a CI log).
 */
export function shownUrl(value: string): string {
  const url = new URL(value);
  for (const key of [...new Set(url.searchParams.keys())]) url.searchParams.set(key, "hidden");
  return url.toString();
}
