// The `codex exec resume` command a person (or an agent) can run to continue a session. Options go before
// `resume`: after it, some Codex versions reject them and others ignore them. The session's own directory
// and sandbox are passed explicitly because resume otherwise runs in the current directory.

export interface ResumeTarget {
  sessionId: string;
  cwd?: string | undefined;
  /** Codex sandbox name: read-only, workspace-write, danger-full-access. */
  sandbox?: string | undefined;
  prompt?: string;
}

const SANDBOXES = new Set(["read-only", "workspace-write", "danger-full-access"]);

export function resumeCommandLine({ sessionId, cwd, sandbox, prompt = "Continue where you left off." }: ResumeTarget): string {
  const parts = ["codex", "exec"];
  if (cwd) parts.push("--cd", shellQuote(cwd));
  if (sandbox === "danger-full-access") parts.push("--dangerously-bypass-approvals-and-sandbox");
  else if (sandbox && SANDBOXES.has(sandbox)) parts.push("--sandbox", sandbox);
  parts.push("resume", sessionId, shellQuote(prompt));
  return parts.join(" ");
}

export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
