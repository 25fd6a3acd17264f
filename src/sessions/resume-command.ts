// Shell commands a person (or an agent) can paste to continue a session. Options go before `resume`: after it,
// some Codex versions reject them and others ignore them. The session's own directory and sandbox are passed
// explicitly because resume otherwise runs in the current directory, and CODEX_HOME and the binary are named
// when they are not the defaults: pasted elsewhere, a resume in another home silently starts a new, empty
// session (0.63, 0.100) or fails with "no rollout found" (0.169).

import { SESSION_UUID } from "../shared/ids.js";
import { shellQuote } from "../shared/shell.js";
import type { RunReader } from "./follow-run.js";
import { isSandboxMode } from "./views/closed-sets.js";
import type { ReviewTarget } from "./events.js";
import { homedir } from "node:os";
import { join } from "node:path";

export interface Invocation {
  /** CODEX_HOME the session lives in; only given when it is not the default (~/.codex). */
  codexHome?: string | undefined;
  /** The Codex binary the server runs; only given when it is not `codex` on PATH. */
  codexBin?: string | undefined;
  /** The run was started outside a git repository with `--skip-git-repo-check`; a resume there needs it too. */
  skipGitRepoCheck?: boolean | undefined;
  /** Who reads the answer, for how to follow or stop a running run (follow-run.ts); an agent with every tool when not given. */
  reader?: RunReader | undefined;
}

/** How a run was invoked (its CODEX_HOME, and its argv: binary first), as pasteable commands must repeat it. */
export function invocationOfRun(codexHome: string, argv: readonly string[]): Invocation {
  const codexBin = argv[0];
  return {
    codexHome: codexHome !== join(homedir(), ".codex") ? codexHome : undefined,
    codexBin: codexBin !== undefined && codexBin !== "codex" ? codexBin : undefined,
    skipGitRepoCheck: argv.includes("--skip-git-repo-check"),
  };
}

export interface ResumeTarget extends Invocation {
  sessionId: string;
  cwd?: string | undefined;
  /** Codex sandbox name: read-only, workspace-write, danger-full-access. */
  sandbox?: string | undefined;
  /**
   * The model to resume on (`--model`): the session's own (without it, 0.171 resumes on the home's default and
   * warns "recorded with model … but is resuming with …"), or another a step switches to.
   */
  model?: string | undefined;
  /**
   * The session's model provider (session_meta `model_provider`), repeated as `-c model_provider="<id>"`: 0.171
   * refuses to resume a thread on another provider than its own ("Cannot change this thread's model provider from
   * `other` to `mock` on resume"), and without it a resume runs the provider the home selects. A plain id only.
   */
  provider?: string | undefined;
  /** More options, already split into words (e.g. `-c`, `key=value`). */
  options?: string[];
  /**
   * Folders made (`mkdir -p`) before Codex starts: an `--add-dir` of a folder that does not exist yet lets
   * nothing through (0.171: "Failed to create parent directories", the whole patch failed).
   */
  makeDirs?: string[];
  prompt?: string;
}

/** A model name as Codex writes one (`gpt-5.1-codex`, `org/model:tag`): only such a name is put into a command. */
const MODEL_NAME = /^[A-Za-z0-9._:/-]{1,100}$/;

/** The log's model name when it may be printed (the log is untrusted), else undefined. */
export function printableModel(model: string | undefined): string | undefined {
  return model !== undefined && MODEL_NAME.test(model) && !model.startsWith("-") ? model : undefined;
}

/** A provider id as config.toml names one (`mock`, `azure-eu`): only such an id is put into a command. */
const PROVIDER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The log's provider id when it may be printed or passed to Codex (the log is untrusted), else undefined. */
export function printableProvider(provider: string | undefined): string | undefined {
  return provider !== undefined && PROVIDER_ID.test(provider) && !provider.startsWith("-") ? provider : undefined;
}

/** The providers built into 0.171 (its reserved ids): selectable without a table of one's own. */
const BUILT_IN_PROVIDERS: readonly string[] = ["openai", "ollama", "lmstudio"];

/**
 * The session's provider (as its log says, unchecked) where a resume must name it: the home selects another
 * (`selectedProvider`: its config.toml's model_provider, Codex's default openai where it names none), and the home
 * has it (built in, or a table of its user's or machine's config.toml: a project's 0.171 ignores). Undefined where
 * they agree, where the home's config is not known (nothing says they differ), or where the home has no such
 * provider (naming it would not start either: the log is another home's, a fixture's).
 */
export function providerToRepeat(
  recorded: string | undefined,
  home: { selectedProvider?: string | undefined; modelProviders?: Record<string, { files: string[] }> } | undefined,
): string | undefined {
  if (recorded === undefined || home === undefined || recorded === (home.selectedProvider ?? "openai"))
    return undefined;
  const own = Object.hasOwn(home.modelProviders ?? {}, recorded) ? home.modelProviders?.[recorded] : undefined;
  return BUILT_IN_PROVIDERS.includes(recorded) || (own?.files.length ?? 0) > 0 ? recorded : undefined;
}

export const DEFAULT_RESUME_PROMPT = "Continue where you left off.";

/** A placeholder that no shell or Codex can run as anything, standing where a log's id is not a UUID. */
export const NOT_A_SESSION_ID = "<session id: the log's is not a UUID>";

export function resumeCommandLine({
  sessionId,
  prompt = DEFAULT_RESUME_PROMPT,
  makeDirs = [],
  ...rest
}: ResumeTarget): string {
  // the id comes from the log, which is untrusted: only a UUID is printed
  const resume = [
    ...execPrefix(rest),
    "resume",
    shellQuote(SESSION_UUID.test(sessionId) ? sessionId : NOT_A_SESSION_ID),
    shellQuote(prompt),
  ].join(" ");
  return makeDirs.length > 0 ? `mkdir -p ${makeDirs.map(shellQuote).join(" ")} && ${resume}` : resume;
}

/** `codex exec …` starting a new session in the same place (when resuming cannot help). */
export function newSessionCommandLine({
  prompt,
  ...rest
}: Omit<ResumeTarget, "sessionId"> & { prompt: string }): string {
  return [...execPrefix(rest), shellQuote(prompt)].join(" ");
}

// What a review's target may print: a git ref name and a commit id as git writes them; a title or the
// instructions as printable text (they are quoted). Anything else: no review command (resume instead).
const BRANCH = /^[A-Za-z0-9._][A-Za-z0-9._/+@-]{0,199}$/;
const SHA = /^[0-9a-f]{7,64}$/i;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const printable = (text: string, max: number) => text.length <= max && !UNPRINTABLE.test(text) && !text.startsWith("-");

/**
 * `codex exec review …` running the same review again (a review is its own kind of turn: resuming the
 * session with a prompt asks for ordinary work, not a review). Null when the target cannot be printed safely.
 */
export function reviewCommandLine({
  target,
  ...rest
}: Omit<ResumeTarget, "sessionId" | "prompt"> & { target: ReviewTarget }): string | null {
  let args: string[];
  switch (target.type) {
    case "uncommittedChanges":
      args = ["--uncommitted"];
      break;
    case "baseBranch":
      if (!BRANCH.test(target.branch)) return null;
      args = ["--base", shellQuote(target.branch)];
      break;
    case "commit":
      if (!SHA.test(target.sha)) return null;
      args = ["--commit", target.sha];
      if (target.title !== undefined && printable(target.title, 200)) args.push("--title", shellQuote(target.title));
      break;
    case "custom":
      if (!printable(target.instructions, 2000)) return null;
      args = [shellQuote(target.instructions)];
      break;
  }
  // the session's sandbox flags are exec's; `review` takes its target after it
  return [...execPrefix(rest), "review", ...args].join(" ");
}

// The prompts Codex gives a review's sub-agent (codex-rs review_prompts): the target they were made from
const UNCOMMITTED_PROMPT = /^Review the current code changes \(staged, unstaged, and untracked files\)/;
const BASE_PROMPT = /^Review the code changes against the base branch '([^'\n]{1,200})'\./;
const COMMIT_PROMPT = /^Review the code changes introduced by commit ([0-9a-f]{7,64})(?: \("([^\n]{0,400})"\))?\. /;

/** The target a review sub-agent's prompt was made from; any other prompt is a custom review's instructions. */
export function reviewTargetOfPrompt(prompt: string): ReviewTarget {
  if (UNCOMMITTED_PROMPT.test(prompt)) return { type: "uncommittedChanges" };
  const base = BASE_PROMPT.exec(prompt);
  if (base?.[1] !== undefined) return { type: "baseBranch", branch: base[1] };
  const commit = COMMIT_PROMPT.exec(prompt);
  if (commit?.[1] !== undefined)
    return { type: "commit", sha: commit[1], ...(commit[2] !== undefined && { title: commit[2] }) };
  return { type: "custom", instructions: prompt };
}

/** How a command starts Codex: CODEX_HOME and the binary, named only when they are not the defaults (`codex login` needs them too). */
export function codexCommandLine({ codexHome, codexBin }: Pick<Invocation, "codexHome" | "codexBin">): string {
  return [codexHome ? `CODEX_HOME=${shellQuote(codexHome)}` : "", shellQuote(codexBin ?? "codex")]
    .filter(Boolean)
    .join(" ");
}

function execPrefix({
  codexHome,
  codexBin,
  skipGitRepoCheck,
  cwd,
  sandbox,
  model,
  provider,
  options = [],
}: Omit<ResumeTarget, "sessionId" | "prompt">): string[] {
  const parts: string[] = [codexCommandLine({ codexHome, codexBin }), "exec"];
  if (cwd) parts.push("--cd", shellQuote(cwd));
  if (sandbox === "danger-full-access") parts.push("--dangerously-bypass-approvals-and-sandbox");
  else if (sandbox && isSandboxMode(sandbox)) parts.push("--sandbox", sandbox);
  if (skipGitRepoCheck) parts.push("--skip-git-repo-check");
  if (model) parts.push("--model", shellQuote(model));
  // a TOML string: a bare word would be read as one too, but quoted it cannot be read as anything else
  const id = printableProvider(provider);
  if (id) parts.push("-c", shellQuote(`model_provider="${id}"`));
  parts.push(...options.map(shellQuote));
  return parts;
}
