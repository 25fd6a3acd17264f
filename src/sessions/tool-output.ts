// Pure helpers that turn the many shapes of tool arguments and outputs Codex has logged into plain values.
// Shapes: ../shared/codex-formats.md §3 (shell JSON metadata, unified-exec text headers, MCP content arrays).
import { isRecord, tryParseJson } from "../shared/json.js";
import { joinArgv } from "../shared/shell.js";
import type { DenialKind } from "./views/closed-sets.js";

export interface ParsedOutput {
  text: string;
  exitCode?: number;
  durationMs?: number;
  /** Unified exec: the process was still running when the output was recorded. */
  running?: boolean;
  /**
   * Unified exec: the id later `write_stdin` polls name (`Process running with session ID N`); code mode: the
   * cell later `wait` calls name, as `cell:N` (`Script running with cell ID N`).
   */
  processId?: string;
  /** Code mode: how the script ended, as its `exec` or a later `wait` says (`Script completed`, `… failed`, `… terminated`). */
  scriptEnd?: ScriptEnd;
  /** The tool itself reported failure (MCP `isError`, an interrupted command). */
  isError?: boolean;
  /** What the output says was refused: by the sandbox, or an escalation the approval policy rejected. */
  denial?: Denial;
}

/**
 * A refused action. `explicit`: Codex itself said so (a `Sandbox(Denied …)` error, an approval-policy rejection,
 * a read-only file system); otherwise the command's own error only looks like one, which counts as a sandbox
 * denial only when the session ran sandboxed.
 */
export interface Denial {
  kind: DenialKind;
  /** The path or host:port refused, when the output names it. */
  target: string | null;
  /** Every path a write refusal names, in order, when it names more than one (a command writing several places). */
  targets?: string[];
  explicit: boolean;
  /** Codex's network proxy refused it, not the sandbox's seccomp filter: why, in the words of PROXY_REFUSALS. */
  proxied?: ProxyRefusal;
  /** An escalation a person declined when Codex asked (approval_policy "on-request"), not one the policy refused. */
  declined?: true;
}

/**
 * Why 0.171's proxy refused a host, as its message says: "… was blocked by policy." (not allowed), "… was
 * blocked: domain is explicitly denied by policy …", "… was blocked: local/private network addresses are
 * blocked …" (a local address, or a listed name that resolves to one); another reason: its policy.
 */
export const PROXY_REFUSALS = {
  "not allowed": "not in its allowed_domains",
  denied: "in its denied_domains",
  local: "a local or private address",
  policy: "its policy",
} as const;
export type ProxyRefusal = keyof typeof PROXY_REFUSALS;

export type ScriptEnd = "completed" | "failed" | "terminated";

/** `function_call_output.output` etc.: a string, a JSON-encoded string, an array of content items, or an object. */
export function parseToolOutput(output: unknown): ParsedOutput {
  if (typeof output === "string") return parseOutputText(output);
  if (Array.isArray(output)) return parseOutputText(contentText(output));
  if (isRecord(output)) {
    // one content item stored bare rather than in an array: {type:"input_text", text}
    if (output.content === undefined && typeof output.text === "string") return parseOutputText(output.text);
    // FunctionCallOutputPayload-like objects: {content, success} or an MCP result {content:[…], isError}
    const content = output.content;
    const parsed = typeof content === "string" ? parseOutputText(content) : parseOutputText(contentText(content));
    if (output.success === false || output.isError === true) parsed.isError = true;
    return parsed;
  }
  return { text: "" };
}

/**
 * What a tool handler's error answer opens with (codex-rs: `FunctionCallError::RespondToModel`): a patch that
 * did not apply, a write to a process that failed, a command that could not start, arguments that did not
 * parse, a view_image of a path that is missing or no file, or of a file that is no image it can decode
 * ("unable to process image: invalid or unsupported image data", 0.171). Not a poll of a process that had ended ("Unknown
 * process id"): that is judged by the command it polled, which the poll's session id names.
 */
const HANDLER_ERROR =
  /^(?:(?:apply_patch verification failed|write_stdin failed(?!: Unknown process id)|exec_command failed|shell command failed|failed to parse function arguments): |unable to (?:locate|read) image at `|unable to process image: |image path `[^`\n]*` is not a file)/;

function parseOutputText(raw: string): ParsedOutput {
  const trimmed = raw.trimStart();
  if (trimmed.startsWith("{")) {
    const json = tryParseJson(trimmed);
    if (isRecord(json) && typeof json.output === "string") {
      const metadata = isRecord(json.metadata) ? json.metadata : {};
      const result: ParsedOutput = { text: json.output };
      if (typeof metadata.exit_code === "number") result.exitCode = metadata.exit_code;
      if (typeof metadata.duration_seconds === "number")
        result.durationMs = Math.round(metadata.duration_seconds * 1000);
      return withDenial(result, json.output);
    }
  }
  if (trimmed.startsWith("[")) {
    // MCP results were logged as a JSON string of the content array (≤0.100)
    const json = tryParseJson(trimmed);
    if (Array.isArray(json)) return parseOutputText(contentText(json));
  }
  const result: ParsedOutput = { text: raw };
  // the headers Codex writes (exit, wall time, running, aborted) come before an `Output:` line; what follows is
  // the command's own output, which may print such words itself (`… exit code: 7 (retrying)`) while it runs
  const page = raw.slice(0, 2000);
  const outputLine = /^Output:$/m.exec(page);
  const header = outputLine ? page.slice(0, outputLine.index) : page;
  // `exit_code: N` is the Debug print of a sandbox denial (0.100: `exec_command failed: CreateProcess { … Sandbox(Denied { output: ExecToolCallOutput { exit_code: 1 …`)
  const exit =
    /^Process exited with code (-?\d+)/m.exec(header) ??
    /^Exit code: (-?\d+)/m.exec(header) ??
    /exit code: (-?\d+)/.exec(header) ??
    /\bexit_code: (-?\d+)/.exec(header);
  // an `apply_patch` run through exec_command is answered in the shell's shape inside unified exec's
  // (`Wall time: 0.0000 seconds\nOutput:\nExit code: 0\nWall time: 0 seconds\nOutput:\nSuccess. …`, 0.171)
  const inner =
    exit === null && outputLine && !/^Process running with session ID /m.test(header)
      ? /^Exit code: (-?\d+)\nWall time: /.exec(page.slice(outputLine.index + outputLine[0].length + 1))
      : null;
  const code = exit?.[1] ?? inner?.[1];
  if (code !== undefined) result.exitCode = Number(code);
  // unified exec prints `Wall time: 0.25 seconds`, code mode's `exec` and `wait` `Wall time 0.3 seconds`
  const wall = /^Wall time:? ([\d.]+) seconds/m.exec(header);
  if (wall?.[1] !== undefined) result.durationMs = Math.round(Number(wall[1]) * 1000);
  const running = /^Process running with session ID (\d+)/m.exec(header);
  if (running?.[1] !== undefined) {
    result.running = true;
    result.processId = running[1];
  }
  // code mode: what the script did opens its `exec`'s or `wait`'s output (codex-rs code mode, 0.145+)
  const script = /^Script (completed|failed|terminated|running with cell ID ([A-Za-z0-9_-]{1,64}))$/m.exec(
    header.slice(0, 200),
  );
  if (script?.index === 0 && script[1] !== undefined) {
    if (script[2] !== undefined) {
      result.running = true;
      result.processId = `cell:${script[2]}`;
    } else result.scriptEnd = script[1] as ScriptEnd;
  }
  // a call Codex cut off with its turn (0.171 unified exec: "Wall time: 1.6 seconds\naborted by user"), a tool call Codex refused to dispatch, or one whose handler answered the model with its error (the rollout
  // does not keep that output's `success: false`: its words are all there is)
  if (cutOff(header) || /^unsupported (custom )?(tool )?call\b/.test(header) || HANDLER_ERROR.test(header))
    result.isError = true;
  return withDenial(result, raw);
}

const cutOff = (header: string) => /^aborted by user/m.test(header);

/**
 * Codex's own answer for a call it cut off with its turn, the whole output (codex-rs tools/parallel.rs
 * abort_message): a shell's, and any other tool's. Words a command or an MCP tool wrote itself are no cut-off.
 */
const CUT_OFF = /^(?:Wall time: \d+(?:\.\d+)? seconds\naborted by user|aborted by user after \d+(?:\.\d+)?s)$/;

/** An output saying Codex cut the call off when its turn was interrupted or aborted. */
export function cutOffByTurn(text: string): boolean {
  return text.length <= 100 && CUT_OFF.test(text);
}

function withDenial(result: ParsedOutput, text: string): ParsedOutput {
  const denial = denialOf(text.length > 8000 ? `${text.slice(0, 4000)}\n${text.slice(-4000)}` : text);
  if (denial) {
    result.denial = denial;
    if (denial.explicit) result.isError = true;
  }
  return result;
}

/**
 * A word every shape below names (case aside; the unescaping below keeps them): an output with none of them,
 * most outputs, is no denial and skips the dozen expressions (once per output, on a cold report per log).
 */
const DENIAL_WORDS =
  /approval policy|rejected by user|sandbox|mcp tool call|read-only file system|permission denied|operation not permitted|could not resolve host|failed to connect to|getaddrinfo|network is unreachable|temporary failure in name resolution|network access to/i;

// `touch: cannot touch '/srv/out a/f': …` (GNU quotes with '…' or ‘…’, "…" when the name holds a '); an unquoted
// path only where it starts a word: inside a quoted relative or spaced one it is a fragment, not the path
const WRITE_REFUSED =
  /(?:'([^'\n]{1,1024})'|‘([^’\n]{1,1024})’|"([^"\n]{1,1024})"|(?<![^\s(])(\/[^\s'"’:]{0,1024})): (Read-only file system|Permission denied|Operation not permitted)/g;
/** At most this many refused paths of one output are kept: a command refused in more places gets no folder list anyway. */
const MAX_TARGETS = 16;

/** Shapes of every generation: see Denial. */
export function denialOf(text: string): Denial | undefined {
  return DENIAL_WORDS.test(text) ? denialIn(text) : undefined;
}

/** Internal: denialOf without its word test (tests hold the two equal). */
export function denialIn(text: string): Denial | undefined {
  // "approval policy is Never; reject command — you cannot ask for escalated permissions …" (0.63 – 0.169)
  if (/^approval policy is \w+; reject command/m.test(text))
    return { kind: "escalation", target: null, explicit: true };
  // a person declined it: "exec command rejected by user", 0.171's `exec_command failed: CreateProcess { message:
  // "Rejected(\"rejected by user\")" }`
  if (
    /^(?:exec command )?rejected by user/m.test(text) ||
    /^exec_command failed: CreateProcess \{ message: "Rejected\(\\"rejected by user\\"\)" \}/m.test(text)
  )
    return { kind: "escalation", target: null, explicit: true, declined: true };
  // macOS Seatbelt could not apply its profile (Codex itself ran inside another sandbox): exit 71, nothing ran
  if (/^sandbox-exec: sandbox_apply: Operation not permitted/m.test(text))
    return { kind: "start", target: null, explicit: true };
  // an MCP tool call `codex exec` cancelled for want of an approval (0.169's words, then earlier versions')
  if (/^MCP tool call requires approval|^user cancelled MCP tool call/m.test(text))
    return { kind: "approval", target: null, explicit: true };
  const explicit = /Sandbox\(Denied|SandboxDenied|sandbox denied exec error|failed in sandbox/.test(text);
  const unescaped = text.replace(/\\+(['"])/g, "$1");
  // a path as coreutils quotes it (whole, spaces and `$` included; relative ones stay relative), an unquoted
  // absolute one standing alone, or a shell's own refusal of a relative one (`bash: line 1: notes.txt: …`)
  const writes = [...unescaped.matchAll(WRITE_REFUSED)];
  const write =
    writes[0] ??
    /^(?:\S*sh|zsh|bash|dash): (?:line \d+: )?([^\s'"’:/][^\s'"’:]*): (Read-only file system|Permission denied|Operation not permitted)/m.exec(
      unescaped,
    );
  if (write) {
    const path = (match: RegExpMatchArray) => match[1] ?? match[2] ?? match[3] ?? match[4] ?? null;
    const reason = write.at(-1);
    const targets = [...new Set(writes.map(path).filter((target): target is string => target !== null))];
    return {
      kind: "write",
      target: writes[0] ? path(write) : (write[1] ?? null),
      ...(targets.length > 1 && { targets: targets.slice(0, MAX_TARGETS) }),
      explicit:
        explicit || reason === "Read-only file system" || writes.some((w) => w.at(-1) === "Read-only file system"),
    };
  }
  // zsh names the refusal first: `zsh:1: read-only file system: notes.txt`
  const zsh = /^zsh:(?:\d+:)? (read-only file system|permission denied|operation not permitted): (\S+)/m.exec(
    unescaped,
  );
  if (zsh) return { kind: "write", target: zsh[2] ?? null, explicit: explicit || zsh[1] === "read-only file system" };
  // 0.171's network proxy (requirements.toml's `[experimental_network]`, codex-config-network.ts): `Network access
  // to "http://host:80" was blocked by policy.`, or `… blocked: local/private network addresses are blocked …`
  const proxied =
    /Network access to "([^"\n]{1,300})" was blocked( by policy\.|: domain is explicitly denied|: local\/private)?/.exec(
      unescaped,
    );
  if (proxied) {
    const why = proxied[2];
    const reason =
      why === undefined
        ? "policy"
        : why.includes("denied")
          ? "denied"
          : why.includes("local")
            ? "local"
            : "not allowed";
    return { kind: "network", target: proxied[1] ?? null, explicit: true, proxied: reason };
  }
  const network =
    /Could not resolve host:? ([\w.-]+)/.exec(unescaped) ??
    /Failed to connect to ([\w.:-]+) port (\d+)/.exec(unescaped) ??
    /getaddrinfo (?:ENOTFOUND|EAI_AGAIN) ([\w.-]+)/.exec(unescaped) ??
    /(Network is unreachable|Temporary failure in name resolution)/.exec(unescaped);
  if (network) {
    const target =
      network[2] !== undefined
        ? `${network[1]}:${network[2]}`
        : /^[A-Z]/.test(network[1] ?? "")
          ? null
          : (network[1] ?? null);
    return { kind: "network", target, explicit };
  }
  return explicit ? { kind: "write", target: null, explicit } : undefined;
}

/** Text of MCP/Responses content items (`{type:"text"|"input_text"|"output_text", text}`), one per line. */
export function contentText(content: unknown): string {
  if (!Array.isArray(content)) return typeof content === "string" ? content : "";
  return content
    .map((part) => (isRecord(part) && typeof part.text === "string" ? part.text : ""))
    .filter((text) => text !== "")
    .join("\n");
}

/**
 * One display string for a shell-like call: `shell`/`container.exec` (`command` array), `shell_command`
 * (`command` string), `exec_command` (`cmd` string), local_shell (`action.command` array). The
 * `bash -lc` wrapper is dropped for display only.
 */
export function commandText(args: unknown): string | undefined {
  if (!isRecord(args)) return undefined;
  const candidate = args.cmd ?? args.command;
  if (typeof candidate === "string") return candidate;
  if (Array.isArray(candidate) && candidate.every((part) => typeof part === "string")) return joinArgv(candidate);
  return undefined;
}

/** Paths named in an apply_patch body (`*** Add File:`, `*** Update File:`, `*** Delete File:`, `*** Move to:`). */
export function patchPaths(patch: string): string[] {
  const paths: string[] = [];
  for (const match of patch.matchAll(/^\*\*\* (?:Add File|Update File|Delete File|Move to): (.+)$/gm)) {
    const path = match[1]?.trim();
    if (path && !paths.includes(path)) paths.push(path);
  }
  return paths;
}
