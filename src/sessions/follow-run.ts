// How to follow or stop a running run, worded for whoever reads the answer: an agent of a server that has
// cancel_run, an agent of a --read-only server (no cancel_run), or a person at the CLI.
export const RUN_READERS = ["agent", "read-only agent", "person"] as const;
export type RunReader = (typeof RUN_READERS)[number];

export function followRun(runId: string, reader: RunReader = "agent"): string {
  const cancel = `\`codex-control-mcp cancel ${runId}\``;
  switch (reader) {
    case "agent":
      return `call run_status with run_id "${runId}" (and wait_ms) to follow it, or cancel_run to stop it`;
    case "read-only agent":
      return `call run_status with run_id "${runId}" (and wait_ms) to follow it; this server is read-only and has no cancel_run, so to stop it run ${cancel} in a shell`;
    case "person":
      return `follow it with \`codex-control-mcp status ${runId} --wait\`, stop it with ${cancel}`;
  }
}
