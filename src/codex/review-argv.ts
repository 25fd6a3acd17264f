// The `codex exec review` part of an argument vector, and the checks on what a caller names in it. Pure:
// tested on plain arrays. A branch, sha or title is data: each is validated here and passed as one
// `--flag=value` entry, so none can be read as an option. Exec options (`--cd`, `--sandbox`, `--json`) go
// before `review` (argv.ts); what follows `review` is only the review's own.
import type { Capabilities } from "./capabilities.js";
import { ExplainedError } from "../shared/errors.js";

/** What to review: exactly one of these, as `codex exec review --uncommitted | --base B | --commit SHA`. */
export type ReviewScope = { uncommitted: true } | { base: string } | { commit: string };

export interface ReviewRequest {
  scope: ReviewScope;
  /** Extra instructions for the reviewer (never on the command line: stdin). */
  prompt?: string | undefined;
  /** The commit title shown in the review summary (`--title`). */
  title?: string | undefined;
}

export class ReviewRefusedError extends ExplainedError {
  override readonly name = "ReviewRefusedError";
}

/** A commit as git names it: 4 to 64 hex digits (abbreviated or full SHA-1 / SHA-256). */
export const COMMIT_SHA = /^[0-9a-fA-F]{4,64}$/;
export const MAX_TITLE = 500;

/**
 * Why a branch name is refused, or undefined: `git check-ref-format --branch` rules (no control
 * characters, space, `~^:?*[\`, `..`, `@{`, `//`; no component starting with `.` or ending with `.lock`;
 * not ending with `/` or `.`; not `@`), plus never starting with `-` (it would read as an option).
 */
export function refuseBranchName(name: string): string | undefined {
  const shown = JSON.stringify(name.slice(0, 80));
  if (name.length === 0 || name.length > 255) return `base branch ${shown} must be 1 to 255 characters`;
  if (name.startsWith("-")) return `base branch ${shown} starts with "-", which Codex and git would read as an option`;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name))
    return `base branch ${shown} holds a space, control character or one of ~^:?*[\\, which git does not allow in a branch name`;
  if (name.includes("..") || name.includes("@{") || name.includes("//"))
    return `base branch ${shown} holds "..", "@{" or "//", which git does not allow in a branch name`;
  if (name === "@" || name.endsWith("/") || name.endsWith("."))
    return `base branch ${shown} is "@" or ends with "/" or ".", which git does not allow`;
  if (name.split("/").some((part) => part.startsWith(".") || part.endsWith(".lock")))
    return `base branch ${shown} has a component that starts with "." or ends with ".lock", which git does not allow`;
  return undefined;
}

/** Why the request is refused before Codex runs, or undefined. */
export function refuseReview(review: ReviewRequest): string | undefined {
  const { scope } = review;
  if ("base" in scope) {
    const why = refuseBranchName(scope.base);
    if (why !== undefined) return `${why}. Pass the name of a local branch, e.g. "main".`;
  }
  if ("commit" in scope && !COMMIT_SHA.test(scope.commit)) {
    return `commit ${JSON.stringify(scope.commit.slice(0, 80))} is not a commit sha (4 to 64 hex digits). Pass the sha, e.g. from \`git rev-parse HEAD\`.`;
  }
  if (review.title !== undefined && review.title.length > MAX_TITLE)
    return `title is ${review.title.length} characters; at most ${MAX_TITLE}.`;
  return undefined;
}

/** What follows `review` on the command line, and what goes to Codex's stdin. */
export interface ReviewInvocation {
  args: string[];
  stdin: string;
}

/**
 * Codex 0.169 rejects a `[PROMPT]` together with `--uncommitted`, `--base` or `--commit` ("cannot be used
 * with '[PROMPT]'"); every version that has `exec review` declares them so. Extra instructions are then kept
 * by adapting: the scope becomes part of a custom review prompt (Codex's own reviewer still runs, in review
 * mode, with the same output), read from stdin (`-`), so nothing of it is on the command line.
 */
export function reviewInvocation(review: ReviewRequest, caps: Capabilities): ReviewInvocation {
  const flags = caps.reviewFlags;
  if (flags === null) {
    throw new ReviewRefusedError(
      `Codex ${caps.version} has no \`codex exec review\`. Upgrade with \`npm install -g @openai/codex\`.`,
    );
  }
  const refusal = refuseReview(review);
  if (refusal !== undefined) throw new ReviewRefusedError(refusal);
  const { scope } = review;
  const extra = review.prompt?.trim();
  if (extra)
    return { args: ["-"], stdin: `${scopePrompt(review)}\n\nAdditional instructions from the requester:\n${extra}` };
  const need = (flag: string) => {
    if (!flags.has(flag))
      throw new ReviewRefusedError(
        `Codex ${caps.version}'s \`exec review\` has no ${flag}. Upgrade with \`npm install -g @openai/codex\`.`,
      );
  };
  const args: string[] = [];
  if ("uncommitted" in scope) {
    need("--uncommitted");
    args.push("--uncommitted");
  } else if ("base" in scope) {
    need("--base");
    args.push(`--base=${scope.base}`);
  } else {
    need("--commit");
    args.push(`--commit=${scope.commit}`);
  }
  if (review.title !== undefined) {
    need("--title");
    args.push(`--title=${review.title}`);
  }
  return { args, stdin: "" };
}

/** The scope said in words, for a custom review prompt (what Codex's own presets ask, in our phrasing). */
function scopePrompt({ scope, title }: ReviewRequest): string {
  const titled = title !== undefined ? ` (titled ${JSON.stringify(title)})` : "";
  if ("uncommitted" in scope)
    return `Review the current code changes (staged, unstaged and untracked files)${titled} and provide prioritized findings.`;
  if ("base" in scope) {
    return `Review the code changes against the base branch '${scope.base}'${titled}: find the merge base with \`git merge-base HEAD ${scope.base}\`, inspect \`git diff\` against it, and provide prioritized, actionable findings.`;
  }
  return `Review the code changes introduced by commit ${scope.commit}${titled} (\`git show ${scope.commit}\`) and provide prioritized, actionable findings.`;
}
