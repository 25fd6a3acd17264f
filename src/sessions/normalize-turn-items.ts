// The handlers of 0.150+ turn items (normalize.ts TURN_ITEM_TYPES) whose item is more than a message: a
// command, an MCP call, an image viewed, a patch, a review's start and end.
import type { SessionEvent } from "./events.js";
import { reviewOutcomeOf } from "./review-outcome.js";
import { isRecord } from "../shared/json.js";
import { joinArgv } from "../shared/shell.js";
import { parseToolOutput } from "./tool-output.js";
import { type Json, type At, durationMs, str, int } from "./normalize-fields.js";

export function commandExecution(item: Json, at: At): SessionEvent[] {
  const callId = str(item.id);
  if (!callId) return [];
  const argv = Array.isArray(item.command) ? item.command.filter((p): p is string => typeof p === "string") : [];
  return [
    {
      kind: "call_result",
      callId,
      exitCode: int(item.exit_code),
      durationMs: durationMs(item.duration),
      status: str(item.status),
      command: argv.length > 0 ? joinArgv(argv) : typeof item.command === "string" ? item.command : undefined,
      name: "exec_command",
      ...(typeof item.aggregated_output === "string" && { text: item.aggregated_output }),
      ...at,
    },
  ];
}

export function mcpToolCall(item: Json, at: At): SessionEvent[] {
  const callId = str(item.id);
  if (!callId) return [];
  const failed =
    item.status === "failed" || (isRecord(item.result) && item.result.isError === true) || item.error != null;
  const server = typeof item.server === "string" ? item.server : undefined;
  const tool = typeof item.tool === "string" ? item.tool : undefined;
  const errorText =
    typeof item.error === "string"
      ? item.error
      : isRecord(item.error) && typeof item.error.message === "string"
        ? item.error.message
        : undefined;
  return [
    {
      kind: "call_result",
      callId,
      status: failed ? "failed" : (str(item.status) ?? "completed"),
      durationMs: durationMs(item.duration),
      ...(tool !== undefined && { name: server !== undefined ? `mcp__${server}__${tool}` : tool }),
      ...(item.arguments !== undefined && { arguments: item.arguments }),
      text: errorText ?? (isRecord(item.result) ? parseToolOutput(item.result).text : ""),
      ...at,
    },
  ];
}

/**
 * An image the model viewed (0.171 `ImageView`, written when the image was read): the result of the model's
 * `view_image` call of the same id, or of one a code-mode script ran (an `exec-…` id, no call line of its own).
 */
export function imageView(item: Json, at: At): SessionEvent[] {
  const callId = str(item.id);
  if (!callId) return [];
  const path = typeof item.path === "string" ? localPath(item.path) : undefined;
  return [
    {
      kind: "call_result",
      callId,
      status: "completed",
      name: "view_image",
      ...(path !== undefined && { arguments: { path } }),
      ...at,
    },
  ];
}

/** `file:///a/b%20c.png` as `/a/b c.png` (the item stores a URL, the model's call a path); anything else as it is. */
function localPath(value: string): string {
  if (!value.startsWith("file://")) return value;
  try {
    return decodeURIComponent(new URL(value).pathname);
  } catch {
    return value;
  }
}

/**
 * A patch applied (0.150+ `FileChange`): its files, when it did not fail, and the patch as a call's result:
 * the apply_patch call of the same id, or one a code-mode script ran (which has no call line of its own).
 */
export function fileChange(item: Json, at: At): SessionEvent[] {
  const changes = Array.isArray(item.changes) ? item.changes : isRecord(item.changes) ? Object.keys(item.changes) : [];
  const paths = changes
    .map((change) => (typeof change === "string" ? change : isRecord(change) ? str(change.path) : undefined))
    .filter((path): path is string => path !== undefined);
  const events: SessionEvent[] = [];
  const callId = str(item.id);
  if (callId) {
    const text = [item.stdout, item.stderr].filter((part): part is string => typeof part === "string").join("");
    events.push({
      kind: "call_result",
      callId,
      status: str(item.status),
      name: "apply_patch",
      ...(text !== "" && { text }),
      ...at,
    });
  }
  if (item.status !== "failed" && paths.length > 0) events.push({ kind: "files_changed", paths, ...at });
  return events;
}

/** `EnteredReviewMode{target}` (0.171): the review's target, when it is one `codex exec review` can name. */
export function reviewStarted(item: Json, at: At): SessionEvent[] {
  const target = isRecord(item.target) ? item.target : undefined;
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  switch (target?.type) {
    case "uncommittedChanges":
      return [{ kind: "review_started", target: { type: "uncommittedChanges" }, ...at }];
    case "baseBranch": {
      const branch = text(target.branch);
      return branch ? [{ kind: "review_started", target: { type: "baseBranch", branch }, ...at }] : [];
    }
    case "commit": {
      const sha = text(target.sha);
      const title = text(target.title);
      return sha ? [{ kind: "review_started", target: { type: "commit", sha, ...(title && { title }) }, ...at }] : [];
    }
    case "custom": {
      const instructions = text(target.instructions);
      return instructions ? [{ kind: "review_started", target: { type: "custom", instructions }, ...at }] : [];
    }
    default:
      return [];
  }
}

/** A review's ReviewOutputEvent (`ExitedReviewMode.review_output`, `exited_review_mode`): its verdict and findings. */
export function reviewEnded(output: unknown, at: At): SessionEvent[] {
  // a review that failed ends with `review_output: null`: no outcome
  return isRecord(output) ? [{ kind: "review_ended", outcome: reviewOutcomeOf(output), ...at }] : [];
}
