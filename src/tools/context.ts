// What every tool handler may use: the settings and the run manager of this server instance.
import type { RunManager } from "../codex/runs.js";
import type { ServerConfig } from "../config.js";

export interface ToolContext {
  config: ServerConfig;
  runs: RunManager;
}
