// The fake model's calls of Codex's own tools beyond the shell: apply_patch (freeform or function, as the request
// offers it), the multi-agent tools (`multi_agent_v1` namespace in 0.171) and code mode's `exec`. Kept apart from
// fake-model.ts so that file stays about the wire.

export interface ToolSpecLike {
  type?: string;
  name?: string;
  tools?: ToolSpecLike[];
}

export interface InputItemLike {
  type?: string;
  name?: string;
  call_id?: string;
  output?: unknown;
}

/**
 * The patches a script can ask for. `add` creates <file>; `mismatch` updates <file> with a context line that is not
 * in it (Codex: "Failed to find expected lines"); `delete` deletes <file> (a missing file fails).
 */
export type PatchKind = "add" | "mismatch" | "delete";

export function patchText(file: string, kind: PatchKind): string {
  if (kind === "mismatch")
    return `*** Begin Patch\n*** Update File: ${file}\n@@\n-this line is not in the file\n+replacement\n*** End Patch\n`;
  if (kind === "delete") return `*** Begin Patch\n*** Delete File: ${file}\n*** End Patch\n`;
  return `*** Begin Patch\n*** Add File: ${file}\n+hello from patch\n*** End Patch\n`;
}

/**
 * apply_patch in the form the request offers it: a `function` tool takes `{input}` JSON, a `custom` (freeform) tool
 * takes the patch text itself. Codex 0.171 picks the form from the model's metadata (`apply_patch_tool_type` in its
 * bundled catalog, "freeform" for every bundled model) and offers no apply_patch to a model it has no metadata for
 * (the default `mock-model`): the call is then made freeform and Codex answers "unsupported custom tool call".
 */
export function patchCall(n: number, patch: string, tools: ToolSpecLike[]): Record<string, unknown> {
  const applyPatch = tools.find((tool) => tool.name === "apply_patch");
  if (applyPatch?.type === "function") {
    return {
      type: "function_call",
      id: `fc_${n}`,
      call_id: `call_${n}`,
      name: "apply_patch",
      arguments: JSON.stringify({ input: patch }),
    };
  }
  return { type: "custom_tool_call", id: `ctc_${n}`, call_id: `call_${n}`, name: "apply_patch", input: patch };
}

/** A function tool by name, flat or inside a namespace (0.171 offers the multi-agent tools as `multi_agent_v1`). */
export function namedCall(n: number, name: string, args: unknown, tools: ToolSpecLike[]): Record<string, unknown> {
  const call = { type: "function_call", id: `fc_${n}`, call_id: `call_${n}`, arguments: JSON.stringify(args) };
  for (const spec of tools) {
    if (spec.type === "namespace" && spec.tools?.some((inner) => inner.name === name))
      return { ...call, name, namespace: spec.name };
  }
  return { ...call, name };
}

/** The agent ids the spawn_agent calls of this turn answered, oldest first. */
export function spawnedAgentIds(input: InputItemLike[]): string[] {
  const spawnCalls = new Set(
    input.filter((item) => item.type === "function_call" && item.name === "spawn_agent").map((item) => item.call_id),
  );
  const ids: string[] = [];
  for (const item of input) {
    if (item.type !== "function_call_output" || !spawnCalls.has(item.call_id)) continue;
    const text = typeof item.output === "string" ? item.output : JSON.stringify(item.output ?? "");
    const id = /"(?:agent_id|id)"\s*:\s*"([^"]+)"/.exec(text)?.[1];
    if (id) ids.push(id);
  }
  return ids;
}

/**
 * Code mode's `exec` (0.171 `[features] code_mode = true`): a freeform tool whose input is JavaScript run in a V8
 * isolate, where `await tools.exec_command({cmd})` etc. call Codex's other tools; `text(v)` adds to its output.
 */
export function codeCall(n: number, source: string): Record<string, unknown> {
  return { type: "custom_tool_call", id: `ctc_${n}`, call_id: `call_${n}`, name: "exec", input: source };
}

/** The cell the newest code-mode output says still runs ("Script running with cell ID <id>"), for `wait`. */
export function runningCell(input: InputItemLike[]): string | undefined {
  for (const item of [...input].reverse()) {
    const text = typeof item.output === "string" ? item.output : JSON.stringify(item.output ?? "");
    const cell = /Script running with cell ID ([A-Za-z0-9_-]+)/.exec(text)?.[1];
    if (cell) return cell;
  }
  return undefined;
}
