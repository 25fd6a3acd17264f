// The Responses API stream items the fake model sends (`response.output_item.done` of a reasoning summary, a message,
// a shell call in whichever shell tool this CLI version offers, an MCP call).
import type { ToolSpec } from "./fake-model-requests.js";

export function outputItemDone(item: Record<string, unknown>): Record<string, unknown> {
  return { type: "response.output_item.done", item };
}

export function reasoningItem(n: number, text: string): Record<string, unknown> {
  return { type: "reasoning", id: `rs_${n}`, summary: [{ type: "summary_text", text }] };
}

export function messageItem(n: number, text: string): Record<string, unknown> {
  return { type: "message", role: "assistant", id: `msg_${n}`, content: [{ type: "output_text", text }] };
}

/** Calls whichever shell tool this CLI version offers, in the argument shape that tool takes. */
export function shellCallItem(
  n: number,
  command: string,
  tools: ToolSpec[],
  escalate = false,
): Record<string, unknown> {
  const names = new Set(tools.map((tool) => tool.name ?? tool.type));
  const call = { id: `fc_${n}`, call_id: `call_${n}` };
  // how each shell tool asks to run outside the sandbox
  const escalation = escalate
    ? {
        sandbox_permissions: "require_escalated",
        with_escalated_permissions: true,
        justification: "needs to write outside the workspace",
      }
    : {};
  if (names.has("exec_command")) {
    return {
      type: "function_call",
      ...call,
      name: "exec_command",
      arguments: JSON.stringify({ cmd: command, ...escalation }),
    };
  }
  if (names.has("shell_command")) {
    return {
      type: "function_call",
      ...call,
      name: "shell_command",
      arguments: JSON.stringify({ command, ...escalation }),
    };
  }
  if (!names.has("shell") && names.has("local_shell")) {
    return {
      type: "local_shell_call",
      ...call,
      status: "completed",
      action: { type: "exec", command: ["bash", "-lc", command], timeout_ms: 10000 },
    };
  }
  return {
    type: "function_call",
    ...call,
    name: "shell",
    arguments: JSON.stringify({ command: ["bash", "-lc", command], ...escalation }),
  };
}

/** MCP tools are offered flat (`mcp__server__tool`, ≤0.1xx) or grouped in a namespace (0.169). */
export function mcpCallItem(n: number, tool: string, args: string, tools: ToolSpec[]): Record<string, unknown> {
  const call = { type: "function_call", id: `fc_${n}`, call_id: `call_${n}`, arguments: args };
  for (const spec of tools) {
    if (spec.type === "namespace" && Array.isArray(spec.tools)) {
      const inner = spec.tools.find((t) => t.name === tool);
      if (inner) return { ...call, name: tool, namespace: spec.name };
    } else if (spec.name?.endsWith(`__${tool}`)) {
      return { ...call, name: spec.name };
    }
  }
  return { ...call, name: tool };
}
