// What the installed Codex CLI can do, read from its own `--version` and `exec --help` (flags come and go:
// `--full-auto` was removed in 0.147, `exec resume` arrived in 0.35, the `--json` stream changed in 0.43).
import { loadExeca } from "./execa.js";
import { ExplainedError } from "../shared/errors.js";

/** Which `--json` stream the CLI prints: 0.8–0.41 `{id, msg}` (legacy), `--experimental-json`, 0.43+ `thread.*`/`item.*` (current). */
export const JSON_STREAMS = ["legacy", "experimental", "current"] as const;
export type JsonStream = (typeof JSON_STREAMS)[number];

export interface Capabilities {
  version: string;
  /** Long flags `codex exec` accepts, e.g. "--sandbox". */
  flags: Set<string>;
  /** Subcommands of `codex exec`, e.g. "resume". */
  subcommands: Set<string>;
  /** Shape of the `--json` output: legacy `{id,msg}` (≤0.41), `session.created` (0.42), `thread.*` (0.43+). */
  jsonStream: JsonStream;
  /** Long flags `codex exec review` accepts (`--uncommitted`, `--base`, `--commit`, `--title`); null: no review subcommand. */
  reviewFlags: Set<string> | null;
}

export class CodexUnavailableError extends ExplainedError {
  override readonly name = "CodexUnavailableError";
}

export function parseCapabilities(versionText: string, execHelp: string, reviewHelp?: string): Capabilities {
  const version = /(\d+\.\d+\.\d+(?:-[\w.]+)?)/.exec(versionText)?.[1];
  if (!version)
    throw new CodexUnavailableError(
      `could not read a version from \`codex --version\`: ${JSON.stringify(versionText.trim().slice(0, 200))}`,
    );
  const flags = new Set(execHelp.match(/--[a-z][a-z0-9-]*/g) ?? []);
  const subcommands = new Set<string>();
  const commands = /^Commands:\n((?: {2}\S.*\n?)+)/m.exec(execHelp)?.[1] ?? "";
  for (const line of commands.split("\n")) {
    const name = /^ {2}([a-z][\w-]*)\s/.exec(line)?.[1];
    if (name && name !== "help") subcommands.add(name);
  }
  const reviewFlags =
    subcommands.has("review") && reviewHelp !== undefined
      ? new Set(reviewHelp.match(/--[a-z][a-z0-9-]*/g) ?? [])
      : null;
  return { version, flags, subcommands, jsonStream: jsonStreamOf(version), reviewFlags };
}

function jsonStreamOf(version: string): JsonStream {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major > 0 || minor >= 43) return "current";
  return minor === 42 ? "experimental" : "legacy";
}

/** Runs the probe once per binary path; a failed probe is not cached, so installing Codex fixes it at once. */
export class CapabilityProbe {
  private readonly cache = new Map<string, Promise<Capabilities>>();

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  get(codexBin: string): Promise<Capabilities> {
    let probe = this.cache.get(codexBin);
    if (!probe) {
      probe = probeCli(codexBin, this.env);
      this.cache.set(codexBin, probe);
      probe.catch(() => this.cache.delete(codexBin));
    }
    return probe;
  }
}

async function probeCli(codexBin: string, env: NodeJS.ProcessEnv): Promise<Capabilities> {
  const { execa } = await loadExeca();
  const run = (args: string[]) =>
    execa(codexBin, args, { env, stdin: "ignore", reject: false, timeout: 20_000, extendEnv: false });
  const version = await run(["--version"]);
  if (version.failed && version.exitCode === undefined) {
    throw new CodexUnavailableError(
      `cannot run the Codex CLI at "${codexBin}" (${version.code ?? version.shortMessage}). Install it with \`npm install -g @openai/codex\`, or set CODEX_BIN to its path.`,
    );
  }
  if (version.exitCode !== 0) {
    throw new CodexUnavailableError(
      `\`${codexBin} --version\` exited with code ${version.exitCode}: ${String(version.stderr).slice(0, 300)}. Set CODEX_BIN to a working Codex CLI.`,
    );
  }
  const help = await run(["exec", "--help"]);
  if (help.exitCode !== 0) {
    throw new CodexUnavailableError(
      `\`${codexBin} exec --help\` failed (exit ${help.exitCode}): this does not look like the Rust Codex CLI. Install it with \`npm install -g @openai/codex\`, or set CODEX_BIN.`,
    );
  }
  // the review subcommand's own flags, probed the same way; a CLI without it (or whose help fails) has no reviews
  const reviewHelp = /^ {2}review\s/m.test(String(help.stdout)) ? await run(["exec", "review", "--help"]) : undefined;
  return parseCapabilities(
    String(version.stdout),
    String(help.stdout),
    reviewHelp?.exitCode === 0 ? String(reviewHelp.stdout) : undefined,
  );
}
