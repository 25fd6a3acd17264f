// Shell commands a person (or an agent) can paste to continue a session. Options go before `resume`: after it,
// some Codex versions reject them and others ignore them. The session's own directory and sandbox are passed
// explicitly because resume otherwise runs in the current directory, and CODEX_HOME and the binary are named
// when they are not the defaults: pasted elsewhere, a resume in another home silently starts a new, empty
// session (0.63, 0.100) or fails with "no rollout found" (0.169).

import { SESSION_UUID } from "../shared/ids.js";
import { shellQuote } from "../shared/shell.js";
import type { RunReader } from "./follow-run.js";
import { isSandboxMode } from "./views/closed-sets.js";
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
  /** A model to switch to (`--model`). */
  model?: string | undefined;
  /** More options, already split into words (e.g. `-c`, `key=value`). */
  options?: string[];
  prompt?: string;
}

export const DEFAULT_RESUME_PROMPT = "Continue where you left off.";

/** A placeholder that no shell or Codex can run as anything, standing where a log's id is not a UUID. */
export const NOT_A_SESSION_ID = "<session id: the log's is not a UUID>";

export function resumeCommandLine({ sessionId, prompt = DEFAULT_RESUME_PROMPT, ...rest }: ResumeTarget): string {
  // the id comes from the log, which is untrusted: only a UUID is printed
  return [
    ...execPrefix(rest),
    "resume",
    shellQuote(SESSION_UUID.test(sessionId) ? sessionId : NOT_A_SESSION_ID),
    shellQuote(prompt),
  ].join(" ");
}

/** `codex exec …` starting a new session in the same place (when resuming cannot help). */
export function newSessionCommandLine({
  prompt,
  ...rest
}: Omit<ResumeTarget, "sessionId"> & { prompt: string }): string {
  return [...execPrefix(rest), shellQuote(prompt)].join(" ");
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
  options = [],
}: Omit<ResumeTarget, "sessionId" | "prompt">): string[] {
  const parts: string[] = [codexCommandLine({ codexHome, codexBin }), "exec"];
  if (cwd) parts.push("--cd", shellQuote(cwd));
  if (sandbox === "danger-full-access") parts.push("--dangerously-bypass-approvals-and-sandbox");
  else if (sandbox && isSandboxMode(sandbox)) parts.push("--sandbox", sandbox);
  if (skipGitRepoCheck) parts.push("--skip-git-repo-check");
  if (model) parts.push("--model", shellQuote(model));
  parts.push(...options.map(shellQuote));
  return parts;
}
