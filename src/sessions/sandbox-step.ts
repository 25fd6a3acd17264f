// What to ask for when the sandbox refused something, smallest first: the workspace-write sandbox (a read-only
// session's writes in its workspace), network access, `--add-dir` for the refused folders, and only then no
// sandbox at all. Pure: the caller makes the command.
import { shellQuote } from "../shared/shell.js";
import type { TurnWork } from "./diagnosis-work.js";
import type { CodexConfigFacts } from "./codex-config.js";
import { listRefusalOf, proxyAllows, type NetworkProxy } from "./codex-config-network.js";
import type { ProxyRefusal } from "./tool-output.js";
import { forbidden } from "./codex-config-requirements.js";
import type { ResumeTarget } from "./resume-command.js";
import { extraWritableDirs, workspaceWriteAllows } from "./workspace-write-roots.js";

export interface SandboxStep {
  /** What the resume changes. */
  resume: Partial<ResumeTarget>;
  /** The next step's words before the command. */
  how: string;
}

export function sandboxStep(
  mode: string | null,
  work: TurnWork,
  cwd: string | undefined,
  recorded: Record<string, unknown> | undefined,
  toolMode: (mode: string) => string,
  config?: CodexConfigFacts,
): SandboxStep {
  const step = widerSandbox(mode, work, cwd, recorded, toolMode, config);
  // the managed config's sandbox_mode is over `--sandbox` (0.171 runs in it): the step waits for it to change
  const managed = config?.managedSandboxMode;
  const needs = step.resume.sandbox ?? mode;
  if (managed !== undefined && managed.mode !== needs) {
    const again = managed.mode !== null ? `"${managed.mode}"` : "in it";
    return {
      ...step,
      how: `(First have sandbox_mode changed in ${managed.file}: Codex 0.171 takes it over \`--sandbox\`, so the resume would run ${again} again.) ${step.how}`,
    };
  }
  // requirements.toml's allowed_sandbox_modes: a mode it does not allow runs read-only, or the bypass flag is
  // refused at once where approval_policy "never" is allowed (0.171 checked; diagnosis-config-refusals.ts)
  const refused = needs === null ? undefined : forbidden(config?.requirements, "allowed_sandbox_modes", needs);
  if (refused === undefined) return step;
  const stops =
    needs === "danger-full-access" &&
    forbidden(config?.requirements, "allowed_approval_policies", "never") === undefined;
  return {
    ...step,
    how: `(First have the administrator allow it: ${refused}${stops ? '; with approval_policy "never" allowed it refuses `--dangerously-bypass-approvals-and-sandbox` at once' : ""}.) ${step.how}`,
  };
}

function widerSandbox(
  mode: string | null,
  work: TurnWork,
  cwd: string | undefined,
  recorded: Record<string, unknown> | undefined,
  toolMode: (mode: string) => string,
  config?: CodexConfigFacts,
): SandboxStep {
  // a person said no to all of it: their answer, not a refusal to work around (a wider sandbox or the bypass would
  // do what they refused, nobody asked); only they can change it, when Codex asks them again
  if (work.denials.every((denial) => work.declined?.has(denial.call_id)))
    return {
      resume: {
        prompt:
          "A person declined the approval you asked for: go on without it, and do not do it unless they approve it.",
      },
      how: `A person declined what Codex asked approval for: that is their answer, not a sandbox to widen. If they agree now, resume with resume_session engine "app-server" ${toolMode("ask")} and have them approve it when Codex asks again; to go on without it, by hand`,
    };
  // a resume runs with today's config: /tmp may be read-only now where the log's policy let it be written
  const policy = config ? resumedPolicy(recorded, config) : recorded;
  const onlyNetwork = work.denials.every((denial) => denial.kind === "network");
  // workspace-write writes more than the workspace (/tmp, its writable roots): turning the sandbox off for
  // those would ask the operator for far more than the session needs; every path a refusal names counts (a
  // command refused in two places needs both)
  const onlyWrites = work.denials.every((denial) => denial.kind === "write");
  if (
    mode === "read-only" &&
    onlyWrites &&
    work.refusedWrites.every((target) => workspaceWriteAllows(target, cwd, policy))
  )
    return {
      resume: { sandbox: "workspace-write", prompt: "The sandbox was read-only; do the writes again." },
      how: `Resume with the workspace-write sandbox (resume_session ${toolMode("sandboxed")})`,
    };
  // the managed config sets network_access over every `-c`: that override cannot be the step
  const networkPinned = mode === "workspace-write" && onlyNetwork ? config?.managedSandboxNetwork : undefined;
  // requirements.toml's network proxy: network access reaches only its allowed_domains (codex-config-network.ts)
  const proxy = proxyNote(work, config);
  if (mode === "workspace-write" && onlyNetwork && networkPinned === undefined && !proxy?.blocks)
    return {
      resume: {
        options: ["-c", "sandbox_workspace_write.network_access=true"],
        prompt: "Network access is allowed now; run the blocked commands again.",
      },
      how: `Resume with network access in the workspace-write sandbox (\`-c sandbox_workspace_write.network_access=true\`; it needs the operator's consent${proxy ? `; ${proxy.words}` : ""})`,
    };
  const added =
    (mode === "workspace-write" || mode === "read-only") && onlyWrites
      ? extraWritableDirs(work.refusedWrites, cwd, policy)
      : null;
  if (added !== null)
    // Codex's own flag for more writable roots: a far smaller ask than turning the sandbox off
    return {
      resume: {
        sandbox: "workspace-write",
        options: added.flatMap((dir) => ["--add-dir", dir]),
        makeDirs: added,
        prompt: "The folders you wrote to are writable now; do the refused writes again.",
      },
      how: `Resume in the workspace-write sandbox with ${added.map((dir) => `--add-dir ${shellQuote(dir)}`).join(" ")}${config?.excludeSlashTmp && added.some((dir) => dir === "/tmp" || dir.startsWith("/tmp/")) ? " (config.toml's [sandbox_workspace_write] exclude_slash_tmp = true keeps /tmp read-only)" : ""} (Codex's flag for more writable folders; resume_session cannot pass it, and it widens what Codex may write: the operator's call). By hand`,
    };
  // a person said no to some of it besides what the sandbox refused: the bypass would run those too
  const declined = work.denials.some((denial) => work.declined?.has(denial.call_id));
  return {
    resume: { sandbox: "danger-full-access", prompt: "The sandbox is off now; run the blocked commands again." },
    how: `${declined ? "A person declined some of what Codex asked approval for: do that only if they agree now. " : ""}${proxy?.blocks && onlyNetwork && mode === "workspace-write" ? `${proxy.words}: ${proxy.ask}, or: ` : ""}${networkPinned !== undefined ? `${networkPinned} sets [sandbox_workspace_write] network_access, which Codex 0.171 takes over any \`-c\` (\`-c sandbox_workspace_write.network_access=true\` would not help): have it changed there, or: ` : ""}Only running without the sandbox allows this: it needs the operator's consent (this server: --allow-full-access, then resume_session ${toolMode("full-access")}). By hand`,
  };
}

/**
 * What requirements.toml's network proxy does to a network step: its words, and whether it refuses the hosts the
 * turn needs (one it refused already, or a target its allowed_domains does not list) so that network access
 * alone cannot help; danger-full-access bypasses it (0.171 checked).
 */
function proxyNote(
  work: TurnWork,
  config: CodexConfigFacts | undefined,
): { words: string; blocks: boolean; ask: string } | undefined {
  const proxy = config?.requirements?.networkProxy;
  const network = work.denials.filter((denial) => denial.kind === "network");
  if (proxy === undefined || network.length === 0) return undefined;
  const quoted = (domains: string[]) => domains.map((domain) => JSON.stringify(domain)).join(", ");
  const listed = proxy.allowedDomains.length > 0 ? quoted(proxy.allowedDomains) : "none";
  const denied = proxy.deniedDomains ? `, never its denied_domains (${quoted(proxy.deniedDomains)})` : "";
  return {
    words: `${config?.requirements?.file ?? "requirements.toml"}'s [${proxy.table}] sends the sandbox's network through Codex's proxy, which reaches only its allowed_domains (${listed}; a local or private address only when listed)${denied}`,
    blocks: (work.proxied?.size ?? 0) > 0 || network.some((denial) => proxyAllows(proxy, denial.target) === false),
    ask: proxyAsk(work, proxy),
  };
}

/** What to have the requirements' owner change, for each reason the proxy refused (or would refuse) a host for. */
const PROXY_ASKS: Record<ProxyRefusal, string> = {
  "not allowed": "have the host added to its allowed_domains",
  denied: "have the host taken off its denied_domains",
  local: "have its owner allow local or private addresses there (a listed name that resolves to one is still refused)",
  policy: "have its owner change the policy that refused it",
};

function proxyAsk(work: TurnWork, proxy: NetworkProxy): string {
  const reasons = new Set<ProxyRefusal>(work.proxied?.values() ?? []);
  for (const denial of work.denials) {
    const byList =
      denial.kind === "network" && !work.proxied?.has(denial.call_id) ? listRefusalOf(proxy, denial.target) : undefined;
    if (byList !== undefined) reasons.add(byList);
  }
  if (reasons.size === 0) reasons.add("not allowed");
  return [...reasons].map((reason) => PROXY_ASKS[reason]).join("; ");
}

/**
 * The workspace-write policy a resume gets, where the config now is stricter than the log: its
 * exclude_slash_tmp. Only ever stricter: this server's own runs pass `-c …exclude_slash_tmp=true`, which the
 * config file does not show, and a looser guess would ask for full access where `--add-dir` works.
 */
function resumedPolicy(
  recorded: Record<string, unknown> | undefined,
  config: CodexConfigFacts,
): Record<string, unknown> | undefined {
  if (!config.excludeSlashTmp) return recorded;
  const own = recorded !== undefined && (recorded.type ?? recorded.mode) === "workspace-write" ? recorded : {};
  return { type: "workspace-write", ...own, exclude_slash_tmp: true };
}
