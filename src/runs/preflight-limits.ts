// --preflight-limits: before a run, the plan's live windows; a used-up one refuses the run at once.
import { readLiveRateLimits } from "../codex/app-server/index.js";
import { stringEnv } from "../shared/env.js";
import type { RunnerConfig } from "./run-manager.js";
import { RunRefusedError } from "./run-policy.js";

/** --preflight-limits: a used-up window refuses the run at once (usage_limit), instead of a failed run minutes later. */
export async function refuseWhenLimitUsedUp(config: RunnerConfig): Promise<void> {
  const limits = await readLiveRateLimits(
    config.codexBin,
    config.codexHome,
    stringEnv({ ...config.childEnv, CODEX_HOME: config.codexHome }),
  );
  if (limits.state !== "exhausted") return;
  const resetsAt = limits.resetsAt !== null ? new Date(limits.resetsAt * 1000).toISOString() : null;
  throw new RunRefusedError(
    `usage_limit: the ChatGPT plan's ${limits.fiveHour && limits.fiveHour.usedPercent >= 100 ? "5-hour" : "weekly"} window is used up${resetsAt ? ` until ${resetsAt} (resets_at)` : ""}, so a run would fail at once. Wait for the reset, or use an API key (a provider's env_key); nothing was started.`,
  );
}
