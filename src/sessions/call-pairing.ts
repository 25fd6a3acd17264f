// A tool call and what came back for it, paired by call_id: the one statement of the pairing rules, used by
// the fold (session-model.ts) and by the reader of a file's last calls (calls.ts), which replays the lines
// after the oldest call it needs through the same pairing.
//
// Rules, in file order: a call's output is the first one written after it (unified exec: a later
// write_stdin output carries the exit code of a still-running command, it is not the call's own output);
// results (`exec_command_end`, a turn item) merge into the call, later fields over earlier ones; an output
// or result written before its call (never seen, but order is not promised) waits for the call.
import { resolvedPath } from "./changed-files.js";
import type { EventOf } from "./events.js";
import { withPatchRejection } from "./normalize-patch.js";
import type { Call } from "./session-model.js";
import { workspaceWriteAllows } from "./workspace-write-roots.js";
import { cutOffByTurn } from "./tool-output.js";

/** A call as the model sees it, before any output: `arguments` kept or not (compact folds keep none). */
export function callOf(event: EventOf<"call">, turn: number, keepArguments: boolean): Call {
  return {
    callId: event.callId,
    name: event.name,
    arguments: keepArguments ? event.arguments : null,
    turn,
    ...(event.command !== undefined && { command: event.command }),
    ...(event.workdir !== undefined && { workdir: event.workdir }),
    ...(event.patchPaths !== undefined && { patchPaths: event.patchPaths }),
    ...(event.polls !== undefined && { polls: event.polls }),
    ...(event.hosted && { hosted: true as const }),
    ...(event.timestamp && { timestamp: event.timestamp }),
  };
}

/** Plain data (no class): a fold holding it is saved and restored as it is (snapshot.ts). */
export interface CallPairing {
  readonly byId: Map<string, Call>;
  readonly orphanOutputs: Map<string, EventOf<"call_output">>;
  readonly orphanResults: Map<string, EventOf<"call_result">>;
  /**
   * Unified exec: the call that started each process, by the id its polls name; kept once the process ended,
   * so that a later poll of it (Codex answers "Unknown process id") is judged by the command it polled.
   */
  readonly processes: Map<string, Call>;
}

export function newPairing(): CallPairing {
  return { byId: new Map(), orphanOutputs: new Map(), orphanResults: new Map(), processes: new Map() };
}

/**
 * The id normalize-handlers.ts makes for a web search an older log writes without one (`web_search@<time>`):
 * two in the same millisecond would share it.
 */
export const UNNAMED_SEARCH = "web_search@";

/**
 * A new call: an output or result that came before it is attached now. An id-less search whose made-up id a
 * call already has is numbered in file order (`~2`, `~3`, …); its id stays an alias of it, for the result
 * written on its own line right after it.
 */
export function addCall(pairing: CallPairing, call: Call, where?: PatchPlace): void {
  if (call.hosted && call.callId.startsWith(UNNAMED_SEARCH) && pairing.byId.has(call.callId)) {
    const made = call.callId;
    let number = 2;
    while (pairing.byId.has(`${made}~${number}`)) number += 1;
    call.callId = `${made}~${number}`;
    pairing.byId.set(made, call);
  }
  const output = pairing.orphanOutputs.get(call.callId);
  if (output) call.output = pairedOutput(call, output, where);
  if (output && cutOffByTurn(output.text)) call.interrupted = true;
  const result = pairing.orphanResults.get(call.callId);
  if (result) call.result = result;
  pairing.byId.set(call.callId, call);
}

/** The call this output is the own output of (now attached), or undefined: a later output, or no call yet. */
export function addOutput(pairing: CallPairing, event: EventOf<"call_output">, where?: PatchPlace): Call | undefined {
  const call = pairing.byId.get(event.callId);
  if (!call) {
    pairing.orphanOutputs.set(event.callId, event);
    return undefined;
  }
  if (call.output) return undefined;
  call.output = pairedOutput(call, event, where);
  // read here, where the output's text is whole (a compact fold keeps none of it)
  if (cutOffByTurn(event.text)) call.interrupted = true;
  if (event.running && event.processId !== undefined && call.polls === undefined)
    pairing.processes.set(event.processId, call);
  if (call.polls !== undefined) settleProcess(pairing, call, event);
  return call;
}

/**
 * A poll's output names the process's exit once it ended: that exit belongs to the call that started the
 * process, once (the first poll that reports it); the poll itself only read output.
 */
function settleProcess(pairing: CallPairing, poll: Call, event: EventOf<"call_output">): void {
  const starter = pairing.processes.get(poll.polls as string);
  if (!starter) return;
  poll.pollOf = starter.callId;
  if (event.scriptEnd !== undefined && !event.running) starter.scriptEnd ??= event.scriptEnd;
  if (event.exitCode === undefined || event.running) return;
  if (
    starter.result?.exitCode === undefined &&
    starter.output?.exitCode === undefined &&
    starter.processExit === undefined
  ) {
    starter.processExit = { exitCode: event.exitCode };
  }
}

/** Merges a result into its call; false when no call has this id (the caller decides: nested, or waiting). */
export function addResult(pairing: CallPairing, event: EventOf<"call_result">): boolean {
  const call = pairing.byId.get(event.callId);
  if (!call) return false;
  call.result = { ...call.result, ...event };
  return true;
}

/** A result whose call has not been written yet. */
export function keepForLater(pairing: CallPairing, event: EventOf<"call_result">): void {
  pairing.orphanResults.set(event.callId, event);
}

const SCRIPT_TOOLS = new Set(["exec", "wait"]);

/** Where the turn ran when its output came: the cwd a patch's relative paths name, the sandbox it ran in. */
export interface PatchPlace {
  cwd: string | undefined;
  sandbox: string | undefined;
  sandboxPolicy: Record<string, unknown> | undefined;
}

/**
 * The output as this call's: a rejected patch is read only in apply_patch's or a script's own answer
 * (normalize-patch.ts). A write refusal that names no path, answering a patch: the files
 * the patch would have written are the refused ones, against the turn's cwd (a patch names them relative to
 * it); under workspace-write only those outside the writable roots (Codex rejects the whole patch for them).
 */
function pairedOutput(call: Call, output: EventOf<"call_output">, where?: PatchPlace): EventOf<"call_output"> {
  // code mode's script (`exec`, or the `wait` that saw it end) throws the rejection of a patch it made
  const form = call.name === "apply_patch" ? "patch" : SCRIPT_TOOLS.has(call.name) ? "script" : undefined;
  const event = form === undefined ? output : withPatchRejection(output, form);
  if (event.denial?.kind !== "write" || event.denial.target !== null || !call.patchPaths?.[0]) return event;
  const all = call.patchPaths.map((path) => resolvedPath(path, where?.cwd));
  const outside = all.filter((path) => !workspaceWriteAllows(path, where?.cwd, where?.sandboxPolicy));
  const paths = where?.sandbox === "workspace-write" && outside.length > 0 ? outside : all;
  return {
    ...event,
    denial: { ...event.denial, target: paths[0] ?? null, ...(paths.length > 1 && { targets: paths.slice(0, 16) }) },
  };
}
