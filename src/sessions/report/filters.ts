// The report's filters (since, until, cwd, model) and grouping, checked once for the tool and the CLI alike,
// and the tests a session's digest passes or not.
import { realpathSync } from "node:fs";
import { posix } from "node:path";
import { ExplainedError } from "../../shared/errors.js";
import { callerValue } from "../../shared/text.js";
import type { SessionDigest } from "./digest.js";
import { REPORT_GROUPS, type ReportGroup } from "./view.js";

export interface ReportRequest {
  since?: string | undefined;
  until?: string | undefined;
  cwd?: string | undefined;
  model?: string | undefined;
  includeArchived: boolean;
  groupBy: ReportGroup;
}

export interface CheckedFilters {
  sinceMs: number | undefined;
  untilMs: number | undefined;
  cwd: string | undefined;
  /**
   * `cwd` as the file system resolves it, when that differs (a symlink in it): Codex records the physical
   * directory it ran in (getcwd), so a session run from /home/me/link is logged under the link's target.
   */
  cwdResolved?: string | undefined;
  model: string | undefined;
}

const DAY_MS = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const RELATIVE = /^(\d{1,5})([dh])$/;
const ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/;

const SHOWN_CHARS = 200;

/**
 * A caller's value repeated in a refusal, in quotes: at most 200 characters, its quotes and backslashes escaped
 * (it cannot close the quotes) and its control characters written as `\uXXXX` (a newline in it cannot start a
 * line that reads as ours: an error's own lines are kept as they are where it is answered).
 */
export function shownValue(text: string): string {
  return `"${callerValue(text, SHOWN_CHARS)}"`;
}

/** Checks the filters once, for the tool and the CLI alike: a bad one is an error naming the fix. */
export function checkFilters(request: ReportRequest, now = Date.now()): CheckedFilters {
  if (!(REPORT_GROUPS as readonly string[]).includes(request.groupBy)) {
    throw new ExplainedError(`group_by ${shownValue(request.groupBy)} is not one of ${REPORT_GROUPS.join(", ")}.`);
  }
  const sinceMs = request.since !== undefined ? filterTime("since", request.since, now, false) : undefined;
  const untilMs = request.until !== undefined ? filterTime("until", request.until, now, true) : undefined;
  if (sinceMs !== undefined && untilMs !== undefined && untilMs <= sinceMs) {
    throw new ExplainedError(
      `until ${shownValue(request.until ?? "")} is not after since ${shownValue(request.since ?? "")}: swap them, or widen the range.`,
    );
  }
  const cwd = request.cwd !== undefined ? checkedCwd(request.cwd) : undefined;
  const model = request.model !== undefined ? checkedModel(request.model) : undefined;
  const cwdResolved = cwd !== undefined ? resolved(cwd) : undefined;
  return { sinceMs, untilMs, cwd, ...(cwdResolved !== undefined && { cwdResolved }), model };
}

/** The directory with its symlinks resolved, if it exists here and that changes it (nothing is read in it). */
function resolved(cwd: string): string | undefined {
  if (!cwd.startsWith("/")) return undefined;
  try {
    const real = realpathSync.native(cwd);
    return real !== cwd ? real : undefined;
  } catch {
    return undefined; // gone, or another machine's: compared as given
  }
}

/**
 * A time filter as every command and tool takes it (sessions_report, export, list_sessions, `sessions`): ISO
 * 8601 (a date, and a time without a zone, in UTC) or a span back from `now` (`7d`, `24h`); `endOfDay`: a date
 * alone means its end (`until`). A bad one is an error naming the forms taken.
 */
export function filterTime(name: string, text: string, now: number, endOfDay: boolean): number {
  const relative = RELATIVE.exec(text.trim());
  if (relative) return now - Number(relative[1]) * (relative[2] === "d" ? DAY_MS : DAY_MS / 24);
  const trimmed = text.trim();
  // a date, and a time without a zone, are UTC (as the day, week and month rows are): never the machine's
  // local time, which Date.parse takes for a time without a zone, so one filter meant other sessions per host
  const utc = trimmed.length === 10 ? `${trimmed}T00:00:00Z` : ZONE.test(trimmed) ? trimmed : `${trimmed}Z`;
  const ms = ISO_DATE.test(trimmed) && isCalendarDay(trimmed.slice(0, 10)) ? Date.parse(utc) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new ExplainedError(
      `${name} ${shownValue(text)} is not a date: use ISO 8601 (2026-11-23 or 2026-11-23T10:00:00Z) or a span back from now (7d, 24h).`,
    );
  // a day named as `until` is included whole
  return endOfDay && trimmed.length === 10 ? ms + DAY_MS : ms;
}

/** A day that exists: Date.parse rolls 2026-04-31 over into May 1 rather than refusing it. */
function isCalendarDay(day: string): boolean {
  const [year, month, date] = day.split("-").map(Number);
  const parsed = new Date(0);
  // setUTCFullYear, not Date.UTC: that one reads years 0–99 as 1900–1999, refusing "0001-01-01" (all time)
  parsed.setUTCFullYear(year ?? NaN, (month ?? NaN) - 1, date ?? NaN);
  return parsed.getUTCFullYear() === year && parsed.getUTCMonth() + 1 === month && parsed.getUTCDate() === date;
}

function checkedCwd(cwd: string): string {
  // eslint-disable-next-line no-control-regex -- a control character is no directory
  if (!(cwd.startsWith("/") || /^[A-Za-z]:[\\/]/.test(cwd)) || /[\u0000-\u001f]/.test(cwd)) {
    throw new ExplainedError(
      `cwd ${shownValue(cwd)} is not an absolute directory: pass the full path, e.g. /home/me/project (sessions in it or below it are reported).`,
    );
  }
  // `/srv//proj/./api/` is /srv/proj/api (a Windows path is compared as Windows compares it, below)
  const posixCwd = cwd.startsWith("/") ? posix.normalize(cwd) : cwd;
  return posixCwd.length > 1 ? posixCwd.replace(/[\\/]+$/, "") : posixCwd;
}

function checkedModel(model: string): string {
  // eslint-disable-next-line no-control-regex -- a control character is no model name
  if (model.trim() === "" || model.length > 200 || /[\u0000-\u001f]/.test(model)) {
    throw new ExplainedError(
      `model ${shownValue(model)} is not a model name: pass it as Codex records it, e.g. gpt-5.1-codex (group_by "model" lists them).`,
    );
  }
  return model;
}

export function inRange(at: number, filters: CheckedFilters): boolean {
  return (
    (filters.sinceMs === undefined || at >= filters.sinceMs) && (filters.untilMs === undefined || at < filters.untilMs)
  );
}

export function matches(digest: SessionDigest, filters: CheckedFilters): boolean {
  if (filters.model !== undefined && !ranModel(digest, filters.model)) return false;
  if (filters.cwd !== undefined) {
    const cwd = digest.cwd && digest.cwd.length > 1 ? digest.cwd.replace(/[\\/]+$/, "") : digest.cwd;
    if (cwd === null) return false;
    if (!within(cwd, filters.cwd) && (filters.cwdResolved === undefined || !within(cwd, filters.cwdResolved)))
      return false;
  }
  return true;
}

/**
 * A turn of the session ran the model (its parts by model, by day and model, or its last model): the report
 * then counts that model's usage of it only (aggregate.ts), as its row grouped by model does.
 */
function ranModel(digest: SessionDigest, wanted: string): boolean {
  if (sameModel(digest.model, wanted)) return true;
  if (digest.byModel?.some((part) => sameModel(part.model, wanted))) return true;
  return (
    digest.days?.some(
      (day) => sameModel(day.model, wanted) || day.usage?.some((part) => sameModel(part.model, wanted)),
    ) ?? false
  );
}

/**
 * The model, or the same model through a router: Codex logs the name its provider takes, `openai/gpt-5.5`
 * for OpenRouter or LiteLLM, so `gpt-5.5` also takes those; a name given with its provider is that one only.
 */
export function sameModel(logged: string | null, wanted: string): boolean {
  if (logged === null) return false;
  return logged === wanted || (!wanted.includes("/") && logged.endsWith(`/${wanted}`));
}

const WINDOWS_PATH = /^[A-Za-z]:(?:[\\/]|$)/;

/** `cwd` is `dir` or inside it; Windows paths (a drive letter) compare as Windows does: any case, either slash. */
function within(cwd: string, dir: string): boolean {
  if (dir === "/") return cwd.startsWith("/");
  if (WINDOWS_PATH.test(dir) && WINDOWS_PATH.test(cwd)) {
    const [path, folder] = [cwd, dir].map((each) => each.replace(/\//g, "\\").toLowerCase()) as [string, string];
    return path === folder || path.startsWith(`${folder}\\`);
  }
  return cwd === dir || cwd.startsWith(`${dir}/`);
}
