// What a run's `--json` stream has said so far: a reducer over its events (exec-events.ts parses every
// generation into them), fed one event at a time; each event may give one line of progress.
import type { ExecEvent } from "../codex/exec-events.js";
import type { TokenTotals } from "../sessions/index.js";

const KEPT_ERRORS = 20;

export class RunEvents {
  /** The session id the stream named first (the supervisor checks it against the one it expects). */
  sessionId: string | null = null;
  finalMessage: string | null = null;
  usage: TokenTotals | null = null;
  readonly errors: string[] = [];
  readonly filesChanged: string[] = [];
  turnCompleted = false;
  turnFailed: string | undefined;
  turnAborted = false;
  sawAgentMessage = false;
  private readonly pendingPatches = new Map<string, string[]>();

  /** Folds one event in; returns the progress line it gives, if any. */
  apply(event: ExecEvent): string | undefined {
    switch (event.kind) {
      case "session":
        this.sessionId ??= event.sessionId;
        return undefined;
      case "turn_completed":
        this.turnCompleted = true;
        if (event.usage) this.usage = event.usage;
        return "turn completed";
      case "turn_failed":
        this.turnFailed = event.message;
        return `turn failed: ${event.message}`;
      case "turn_aborted":
        this.turnAborted = true;
        return undefined;
      case "command_started":
        return `running: ${event.command}`;
      case "command_finished":
        if (event.exitCode !== undefined && event.exitCode !== 0)
          return `command failed (exit ${event.exitCode})${event.command ? `: ${event.command}` : ""}`;
        return undefined;
      case "agent_message":
        this.sawAgentMessage = true;
        this.finalMessage = event.text;
        return `agent: ${event.text}`;
      case "reasoning":
        return `thinking: ${event.text}`;
      case "file_change":
        return this.changed(event.paths);
      case "patch_begin":
        this.pendingPatches.set(event.callId, event.paths);
        return undefined;
      case "patch_end": {
        const paths = event.success ? (this.pendingPatches.get(event.callId) ?? []) : [];
        this.pendingPatches.delete(event.callId);
        return this.changed(paths);
      }
      case "tool_call":
        return event.status !== "completed" ? `tool: ${event.name}` : undefined;
      case "error":
        this.errors.push(event.message);
        if (this.errors.length > KEPT_ERRORS) this.errors.shift();
        return `error: ${event.message}`;
      case "usage":
        this.usage = event.usage;
        return undefined;
      case "turn_started":
      case "warning":
      case "noise":
        return undefined;
    }
  }

  private changed(paths: string[]): string | undefined {
    for (const path of paths) if (!this.filesChanged.includes(path)) this.filesChanged.push(path);
    return paths.length > 0 ? `editing: ${paths.join(", ")}` : undefined;
  }
}
