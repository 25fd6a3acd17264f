// What every tool handler may use: the settings, the run manager and the session store of this server instance.
import type { RunManager } from "../runs/run-manager.js";
import type { ServerConfig } from "../config/config.js";
import type { SessionStore } from "../sessions/index.js";

export interface ToolContext {
  config: ServerConfig;
  runs: RunManager;
  sessions: SessionStore;
}
