// Where Codex keeps its login (`cli_auth_credentials_store`), and whether an OS keyring can answer a run at all.
// 0.171 (codex-rs login/src/auth/storage.rs): "file" reads auth.json; "keyring" reads the keyring only; "auto" tries
// the keyring, and where it does not answer (on Linux "no secret service provider or dbus session found") or holds
// nothing, reads auth.json. Checked with the CLI on Linux without a D-Bus session: "auto" with no auth.json sends no
// key (a 401), with one sends its key; "keyring" sends no key even with auth.json; `codex login` under "auto" writes
// auth.json there.
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { tryParseJson } from "../shared/json.js";
import { shellQuote } from "../shared/shell.js";
import type { CredentialInputs, Credentials } from "./credentials.js";
import { keyFix } from "./credentials-hosts.js";
import type { Engine } from "./run-modes.js";

/**
 * Whether an OS keyring may answer a Codex run: macOS and Windows always have one; on Linux the Secret Service is
 * reached over the D-Bus session bus, found as zbus finds it (DBUS_SESSION_BUS_ADDRESS, else `$XDG_RUNTIME_DIR/bus`,
 * else `/run/user/<uid>/bus`, `defaultBus` here). Without any there is no keyring: Codex falls back or fails.
 */
export function keyringMayAnswer(
  runEnv: NodeJS.ProcessEnv,
  defaultBus: boolean | undefined,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (platform !== "linux") return true;
  const set = (name: string) => (runEnv[name] ?? "").trim() !== "";
  return set("DBUS_SESSION_BUS_ADDRESS") || set("XDG_RUNTIME_DIR") || defaultBus !== false;
}

/** Whether the session bus a run without DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR would try is there. */
export async function defaultSessionBus(path = `/run/user/${process.getuid?.() ?? 0}/bus`): Promise<boolean> {
  return lstat(path).then(
    (info) => info.isSocket(),
    () => false,
  );
}

/**
 * DBUS_SESSION_BUS_ADDRESS where this server has it but its Codex runs do not (`--env-allow` narrowed it away): a
 * `codex login` in the user's shell then stores the login in a keyring the runs cannot reach, so the fix is to pass it
 * on. Not XDG_RUNTIME_DIR: the check gets here only with /run/user/<uid>/bus absent, the socket it names as a rule.
 */
export function busNarrowedAway(runEnv: NodeJS.ProcessEnv, serverEnv: NodeJS.ProcessEnv): string | undefined {
  const name = "DBUS_SESSION_BUS_ADDRESS";
  return (serverEnv[name] ?? "") !== "" && (runEnv[name] ?? "") === "" ? name : undefined;
}

/** `cli_auth_credentials_store = "keyring"` (set in `file`) where no keyring answers: no login is read at all. */
export function keyringOnlyStore(
  file: string,
  login: string | null,
  narrowed: string | undefined,
  input: CredentialInputs,
): Pick<Credentials, "source" | "variable" | "found" | "fix"> {
  const authFile = join(input.codexHome, "auth.json");
  return {
    source: "missing",
    variable: null,
    found: `cli_auth_credentials_store = "keyring" in ${file}, but ${NO_KEYRING}: Codex reads its login from the keyring alone${login ? ` (not the one in ${authFile})` : ""} and sends no key`,
    fix: narrowed
      ? keyFix(narrowed, input)
      : `Set cli_auth_credentials_store = "auto" in ${file === "config.toml" ? join(input.codexHome, "config.toml") : file} (Codex then reads ${authFile} where no keyring answers)${login ? "" : ` and log Codex in: \`CODEX_HOME=${shellQuote(input.codexHome)} codex login\``}, or run the server where a Secret Service answers on the session bus.`,
  };
}

/** `cli_auth_credentials_store = "ephemeral"` (set in `file`): no stored login is read, only exec's CODEX_API_KEY. */
export function ephemeralStore(
  file: string,
  login: string | null,
  engine: Engine,
  input: CredentialInputs,
): Pick<Credentials, "source" | "variable" | "found" | "fix"> {
  const where = file === "config.toml" ? join(input.codexHome, "config.toml") : file;
  const authFile = join(input.codexHome, "auth.json");
  return {
    source: "missing",
    variable: engine === "exec" ? "CODEX_API_KEY" : null,
    found: `cli_auth_credentials_store = "ephemeral" in ${file}: Codex keeps its login in memory only${login ? ` and does not read the one in ${authFile}` : ""}, so it sends no key`,
    fix: `Set cli_auth_credentials_store = "file" (or drop it) in ${where}${engine === "exec" ? `, or pass the key as CODEX_API_KEY: ${keyFix("CODEX_API_KEY", input)}` : "."}`,
  };
}

/** How a missing keyring reads in a finding: the variables and the socket Codex would have tried. */
export const NO_KEYRING =
  'no OS keyring answers Codex runs here (no D-Bus session: DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR unset and no /run/user/<uid>/bus; Codex: "no secret service provider or dbus session found")';

/** What of Codex's `auth.json` says which login it is; anything else in it is not ours to read. */
const authFileSchema = z.object({
  OPENAI_API_KEY: z.string().min(1).nullish().catch(null),
  tokens: z.record(z.string(), z.unknown()).nullish().catch(null),
});

export function loginKind(authJson: string | null): string | null {
  if (!authJson) return null;
  // an unreadable or foreign auth.json is no login
  const auth = authFileSchema.safeParse(tryParseJson(authJson));
  if (!auth.success) return null;
  if (auth.data.OPENAI_API_KEY) return "API key";
  if (auth.data.tokens) return "ChatGPT sign-in";
  return null;
}
