// Input schema pieces shared by several tools. Output schemas are the domain's views (src/sessions/views,
// src/runs/run-view.ts): the tools show them as they are.
import { z } from "zod";

export const sessionIdInput = z
  .string()
  .min(1)
  .max(4096)
  .describe(
    "The session: its full UUID, a unique prefix of 8+ characters, `last` (the newest), or an absolute path to a rollout file inside CODEX_HOME.",
  );
