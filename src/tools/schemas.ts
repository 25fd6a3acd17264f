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

/**
 * A working-directory filter: an absolute path without control characters. A relative one (`..`) matched no
 * session's cwd, so a caller's mistake read as "no sessions"; refused instead, naming the form taken.
 */
export const cwdFilterInput = z
  .string()
  .max(4096)
  // eslint-disable-next-line no-control-regex -- a control character is no directory
  .refine((cwd) => (cwd.startsWith("/") || /^[A-Za-z]:[\\/]/.test(cwd)) && !/[\u0000-\u001f]/.test(cwd), {
    message: "cwd must be an absolute directory without control characters, e.g. /home/me/project",
  });
