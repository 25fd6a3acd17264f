// Input schema pieces shared by several tools. Output schemas are the domain's views (src/sessions/views,
// src/runs/run-view.ts): the tools show them as they are.
import { z } from "zod";
import { callerValue } from "../shared/text.js";

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

/** Unknown argument names shown in the refusal: the first few, each cut (a key is the caller's, any length: callerValue). */
const NAMED_KEYS = 5;
const KEY_CHARS = 60;

/**
 * A read tool's arguments with nothing beside the ones it takes. zod drops an unknown key, so a filter the
 * tool does not take (list_sessions `until`, a misspelt `sinse`) answered as if no filter had been given:
 * more sessions than asked for, and nothing said. Refused instead, naming the arguments taken and, in
 * `elsewhere`, the tool that takes a key this one does not.
 */
export function knownArguments<Shape extends z.ZodRawShape>(
  tool: string,
  shape: Shape,
  elsewhere: Readonly<Record<string, string>> = {},
) {
  const taken = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return undefined;
      const keys = issue.keys.slice(0, NAMED_KEYS).map((key) => `"${callerValue(key, KEY_CHARS)}"`);
      const more = issue.keys.length > NAMED_KEYS ? ` (and ${issue.keys.length - NAMED_KEYS} more)` : "";
      const hints = issue.keys.flatMap((key) => (Object.hasOwn(elsewhere, key) ? [elsewhere[key]] : []));
      const what = issue.keys.length === 1 ? "is not an argument" : "are not arguments";
      return `${keys.join(", ")}${more} ${what} of ${tool}: it takes ${taken}${hints.length > 0 ? ` (${hints.join("; ")})` : ""}.`;
    },
  });
}
