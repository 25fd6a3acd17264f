// What the last turn did, whole: every command that failed (with what its exit code means), every action the
// sandbox refused, every escalation the approval policy rejected, and whether the agent said it could not finish.
import { posix } from "node:path";
import { SANDBOX_MODES } from "./views/closed-sets.js";
import type { FailedCommand, SandboxDenial } from "./views/diagnosis.js";
import { callExitCode, callStatus, type Call, type SessionModel, type Turn } from "./session-model.js";
import { qualifiedNameSplits } from "./mcp-timeout-step.js";
import { PROXY_REFUSALS, type ProxyRefusal } from "./tool-output.js";

export type { FailedCommand, SandboxDenial } from "./views/diagnosis.js";

export interface TurnWork {
  failed: FailedCommand[];
  denials: SandboxDenial[];
  /** The agent's last message says it could not finish. */
  gaveUp: boolean;
  lastCallFailed: boolean;
  /** The failed calls that are no command (a view_image): tool calls, worded as such. */
  toolCalls?: Set<string>;
  /** The last call failed and was such a tool call: its name. */
  lastFailedTool?: string;
  /** The calls whose network refusal was Codex's network proxy's, not the sandbox's, by call id: why. */
  proxied?: Map<string, ProxyRefusal>;
  /** The calls whose escalation a person declined when Codex asked (not the approval policy), by call id. */
  declined?: Set<string>;
  /** Every path the refused writes name (a command can be refused in several places), null for one naming none. */
  refusedWrites: Array<string | null>;
  /** The last call was an MCP tool call Codex gave up on after the server's `tool_timeout_sec`. */
  mcpTimeout?: McpTimeout;
}

export interface McpTimeout {
  server: string;
  tool: string;
  seconds: number;
  /** Named only by the call's `mcp__<server>__<tool>` (sanitized by Codex): every way it splits (mcp-timeout-step.ts). */
  splits?: Array<{ server: string; tool: string }>;
}

/** The sandbox modes that can refuse something (danger-full-access refuses nothing). */
const SANDBOXED = new Set<string>(SANDBOX_MODES.filter((mode) => mode !== "danger-full-access"));

/**
 * Calls that run no command: a failed one is a tool call that failed, not "a command" (0.171's view_image answers
 * "unable to locate image at …" or "unable to process image: …"). Listed in failed_commands by the tool's name.
 */
const NOT_COMMANDS = new Set(["view_image"]);

/** Its answer is not in a compact fold's model, so it is not quoted here: last_function_calls has it. */
export const TOOL_CALL_FAILED = "a tool call, not a command: its answer is in last_function_calls";

function isToolCall(call: Call): boolean {
  return call.command === undefined && call.result?.command === undefined && NOT_COMMANDS.has(call.name);
}

export function turnWork(model: SessionModel, turn: Turn): TurnWork {
  // a web search (run on OpenAI's side) is no command: its failure is the model's to weigh, not one to run again
  const calls = model.calls.filter((call) => call.turn === turn.index && !call.hosted);
  const mode = model.lastContext?.sandbox ?? null;
  const failed: FailedCommand[] = [];
  const denials: SandboxDenial[] = [];
  const refusedWrites: Array<string | null> = [];
  const toolCalls = new Set<string>();
  const proxied = new Map<string, ProxyRefusal>();
  const declined = new Set<string>();
  for (const call of calls) {
    const denial = call.output?.denial;
    const command = call.command ?? call.result?.command ?? call.name;
    // a command's own "Permission denied" or unreachable host is the sandbox's doing only when it was on
    const sandboxed =
      mode !== null &&
      SANDBOXED.has(mode) &&
      !(denial?.kind === "network" && model.lastContext?.networkAccess === true);
    const failedCall = callStatus(call) === "failed";
    // only a failed action can have been refused: a command that exited 0 printing "Operation not permitted"
    // (a shell profile touching /bin/ps inside the sandbox) did what it was asked
    if (denial && failedCall && (denial.explicit || sandboxed)) {
      denials.push({ call_id: call.callId, command, kind: denial.kind, target: denial.target, mode });
      if (denial.proxied) proxied.set(call.callId, denial.proxied);
      if (denial.declined) declined.add(call.callId);
      if (denial.kind === "write")
        refusedWrites.push(...(denial.targets ?? [denial.target]).map((target) => inFolderOf(call, target, model)));
    }
    if (denial?.kind === "escalation") continue; // never ran
    if (failedCall) {
      const exitCode = callExitCode(call) ?? null;
      const timeout = exitCode === null ? mcpTimeoutOf(call) : undefined;
      const tool = isToolCall(call);
      if (tool) toolCalls.add(call.callId);
      const meaning = timeout
        ? `the MCP server did not answer within its tool_timeout_sec, ${timeout.seconds}s`
        : denial?.proxied
          ? `refused by Codex's network proxy (${PROXY_REFUSALS[denial.proxied]}); the command never ran`
          : tool
            ? TOOL_CALL_FAILED
            : exitCodeMeaning(exitCode);
      failed.push({ call_id: call.callId, command, exit_code: exitCode, meaning });
    }
  }
  const last = calls.at(-1);
  const lastTimeout = last !== undefined && callStatus(last) === "failed" ? mcpTimeoutOf(last) : undefined;
  const message = turn.lastAgentMessage ?? turn.ended?.lastAgentMessage ?? undefined;
  const lastCallFailed = last !== undefined && lastFailed(last, model.calls);
  return {
    failed,
    toolCalls,
    ...(lastCallFailed && last !== undefined && toolCalls.has(last.callId) && { lastFailedTool: last.name }),
    denials,
    ...(proxied.size > 0 && { proxied }),
    ...(declined.size > 0 && { declined }),
    refusedWrites,
    gaveUp: message !== undefined && saysItCouldNotFinish(message),
    lastCallFailed,
    ...(lastTimeout && { mcpTimeout: lastTimeout }),
  };
}

// Codex's MCP client (rmcp) when a server does not answer a tools/call in time: "tool call failed for
// `server/tool`\n\nCaused by:\n    timed out awaiting tools/call after 60s" (Rust's Duration Debug: 60s, 1.5s, 500ms)
const MCP_TIMEOUT = /timed out awaiting tools\/call after (\d{1,7}(?:\.\d{1,9})?)(ms|s)\b/;
const MCP_CALL = /tool call failed for `([^`/]{1,200})\/([^`]{1,200})`/;
/** Codex's own rule for server names (config keys, `mcp__<server>__<tool>`): only these are printed into a command. */
const MCP_SERVER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function mcpTimeoutOf(call: Call): McpTimeout | undefined {
  const text = [call.result?.text, call.output?.text].find((candidate) => candidate && MCP_TIMEOUT.test(candidate));
  const time = text !== undefined ? MCP_TIMEOUT.exec(text) : null;
  if (!text || !time) return undefined;
  const named = MCP_CALL.exec(text);
  // older texts may not name it: the call's `mcp__<server>__<tool>` name then, every way it splits
  const splits = named ? undefined : call.name.startsWith("mcp__") ? qualifiedNameSplits(call.name.slice(5)) : [];
  const [server, tool] = named ? [named[1], named[2]] : [splits?.[0]?.server, splits?.[0]?.tool];
  if (server === undefined || tool === undefined || !MCP_SERVER_NAME.test(server)) return undefined;
  const seconds = Number(time[1]) / (time[2] === "ms" ? 1000 : 1);
  // one split without `_`: no character could have become one, the names are the configured ones
  const exact = splits?.length === 1 && !`${server}${tool}`.includes("_");
  return Number.isFinite(seconds) ? { server, tool, seconds, ...(splits && !exact && { splits }) } : undefined;
}

/**
 * A command that runs (some of) itself in another folder than its workdir: `cd`/`pushd`, also inside a quoted
 * inner shell (`sh -c 'cd sub && …'`), and the tools' own folder options (`make -C`, `git -C`, `tar -C`,
 * `env --chdir`, `--directory`). Its relative paths may be that folder's.
 */
function runsElsewhere(command: string): boolean {
  if (/(?:^|[\s;&|(`'"])(?:cd|pushd)(?=[\s;&|)`'"]|$)|--(?:chdir|directory)\b/.test(command)) return true;
  // each simple command on its own: one pattern over the whole text backtracks quadratically ("git git …")
  return command
    .split(/[;&|\n]/)
    .some((part) => /\s-C/.test(part) && /\b(?:git|make|gmake|tar|env|ninja|cmake)\b/.test(part));
}

/**
 * A relative refused path, absolute against the call's own `workdir` (local_shell: `working_directory`) when
 * its arguments name one and the command does not change folder itself (`cd`, `pushd`): the folder it ran in. Otherwise as it is (the
 * sandbox step cannot name its folder then). A relative workdir is the session cwd's.
 */
function inFolderOf(call: Call, target: string | null, model: SessionModel): string | null {
  if (target === null || target.startsWith("/") || call.workdir === undefined) return target;
  if (runsElsewhere(call.command ?? "")) return target;
  const cwd = model.lastContext?.cwd;
  const dir = call.workdir.startsWith("/")
    ? call.workdir
    : cwd?.startsWith("/")
      ? posix.join(cwd, call.workdir)
      : undefined;
  return dir === undefined ? target : posix.resolve(dir, target);
}

/** A last poll (unified exec `write_stdin`) stands for the process it read: the command that started it. */
function lastFailed(call: Call, calls: Call[]): boolean {
  const started =
    call.pollOf !== undefined ? calls.findLast((candidate) => candidate.callId === call.pollOf) : undefined;
  if (callStatus(started ?? call) === "failed") return true;
  // code mode: a script's command reported after the `wait` that saw the script fail: the script was the last
  const script =
    call.parentCallId !== undefined ? calls.findLast((candidate) => candidate.callId === call.parentCallId) : undefined;
  return script !== undefined && callStatus(script) === "failed";
}

export function exitCodeMeaning(code: number | null): string | null {
  switch (code) {
    case null:
      return null;
    case -1:
      return "killed when the turn ended (interrupted or timed out)";
    case 124:
      return "timed out";
    case 126:
      return "not runnable (found, but not executable)";
    case 127:
      return "command not found";
    case 130:
      return "interrupted (SIGINT)";
    case 137:
      return "killed (SIGKILL, often out of memory)";
    case 143:
      return "terminated (SIGTERM)";
    default:
      return code > 128 && code < 160 ? `killed by signal ${code - 128}` : null;
  }
}

/** Agents say it in many ways; these are the plain ones ("I could not finish", "I'm giving up", "unable to complete"). */
export function saysItCouldNotFinish(message: string): boolean {
  return /\b(?:I|we) (?:could not|couldn't|couldn’t|cannot|can't|can’t|was unable to|am unable to|wasn't able to|was not able to|failed to)\b|\bunable to (?:finish|complete|proceed)\b|\bgiv(?:e|ing) up\b|\bgave up\b/i.test(
    message,
  );
}
