// The app-server engine's public surface: what the supervisor, doctor and token_usage import.
export { AppServerClient, AppServerError, APP_SERVER_ERROR_KINDS, type AppServerErrorKind } from "./client.js";
export { probeAppServer, AppServerUnavailableError, type AppServerProtocol } from "./probe.js";
export {
  startAppServerRun,
  approvalOf,
  APPROVAL_KINDS,
  MAX_STEER_CHARS,
  type AppServerRun,
  type AppServerRunOptions,
  type AppServerRunResult,
  type ApprovalKind,
  type ApprovalRequest,
} from "./run-turn.js";
export {
  errorInfoHttpStatus,
  errorInfoKind,
  liveNumbersLine,
  TURN_ENDS,
  type LiveRateLimits,
  type LiveRateWindow,
  type LiveTokenUsage,
  type TurnEnd,
  type TurnState,
} from "./progress.js";
export { APPROVAL_DECISIONS, type ApprovalDecision, type CodexErrorInfo, type TurnError } from "./protocol.js";
export {
  readLiveRateLimits,
  classifyRateLimits,
  LIVE_RATE_LIMIT_STATES,
  type LiveRateLimitsResult,
} from "./rate-limits.js";
export {
  liveRateLimitsLine,
  liveRateLimitsSchema,
  liveRateLimitsView,
  type LiveRateLimitsView,
} from "./live-limits-view.js";
export { threadSettingsOf, THREAD_APPROVAL_POLICIES, type ThreadSettings } from "./thread-settings.js";
