// The live 5-hour and weekly windows of a ChatGPT login, read with `account/rateLimits/read` from a short-lived
// `codex app-server` (no model turn, nothing spent): Codex itself calls its backend (`<chatgpt_base_url>/wham/usage`)
// with the login in CODEX_HOME, so we never touch the tokens. A login that cannot have limits (an API key, no
// login) gets a plain reason instead of numbers.
import { AppServerClient, AppServerError } from "./client.js";
import { rateLimitsOf, type LiveRateLimits, type LiveRateWindow } from "./progress.js";
import { accountReadResultSchema, rateLimitsReadResultSchema } from "./protocol.js";

export const LIVE_RATE_LIMIT_STATES = ["ok", "exhausted", "unavailable"] as const;
export type LiveRateLimitState = (typeof LIVE_RATE_LIMIT_STATES)[number];

export type LiveRateLimitsResult =
  | {
      state: "ok" | "exhausted";
      /** The 5-hour window (Codex's `primary`). */
      fiveHour: LiveRateWindow | null;
      /** The weekly window (Codex's `secondary`). */
      weekly: LiveRateWindow | null;
      planType: string | null;
      /** Unix seconds when the exhausted window (the later one, if both) resets; null unless exhausted. */
      resetsAt: number | null;
    }
  | { state: "unavailable"; reason: string };

const READ_TIMEOUT_MS = 15_000;

/** ok / exhausted from the windows: a window at 100% is used up until it resets. */
export function classifyRateLimits(limits: LiveRateLimits): LiveRateLimitsResult {
  const windows = [limits.primary, limits.secondary].filter((w): w is LiveRateWindow => w !== null);
  const exhausted = windows.filter((w) => w.usedPercent >= 100);
  const resets = exhausted.map((w) => w.resetsAt).filter((at): at is number => at !== null);
  return {
    state: exhausted.length > 0 ? "exhausted" : "ok",
    fiveHour: limits.primary,
    weekly: limits.secondary,
    planType: limits.planType,
    resetsAt: resets.length > 0 ? Math.max(...resets) : null,
  };
}

/** Why there are no limits to read, from Codex's own `account/read` (undefined: it could not say). */
export function reasonWithoutLimits(account: { type: string } | null | undefined, codexMessage: string): string {
  if (account?.type === "apiKey")
    return "Codex is logged in with an API key: API usage is billed per token and has no 5-hour or weekly windows.";
  if (account === null) {
    return `Codex reports no ChatGPT login for this CODEX_HOME (an API key, a custom model provider, or no login), so there are no plan windows to read (Codex said: ${codexMessage}). Log in with \`codex login\` to see them.`;
  }
  return `Codex could not read the rate limits of this login: ${codexMessage}`;
}

export async function readLiveRateLimits(
  codexBin: string,
  codexHome: string,
  env: Record<string, string>,
): Promise<LiveRateLimitsResult> {
  let client: AppServerClient;
  try {
    ({ client } = await AppServerClient.start({
      codexBin,
      env: { ...env, CODEX_HOME: codexHome },
      requestTimeoutMs: READ_TIMEOUT_MS,
    }));
  } catch (error) {
    return {
      state: "unavailable",
      reason: `could not start \`codex app-server\` to read the live rate limits: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  try {
    const read = await client.request("account/rateLimits/read", undefined, rateLimitsReadResultSchema);
    return classifyRateLimits(rateLimitsOf(read.rateLimits));
  } catch (error) {
    if (!(error instanceof AppServerError) || error.kind !== "rpc") {
      return {
        state: "unavailable",
        reason: `could not read the live rate limits: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const account = await client.request("account/read", {}, accountReadResultSchema).then(
      (result) => result.account,
      () => undefined,
    );
    return { state: "unavailable", reason: reasonWithoutLimits(account, error.message) };
  } finally {
    await client.close();
  }
}
