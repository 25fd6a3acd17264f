// What the fake model answers besides a plain turn: its fixed token usage, Codex's rate-limit headers, and the
// failure shapes a script's FAIL:<kind> step plays (FAILURES: how the real OpenAI and ChatGPT backends fail).

export const FAKE_USAGE = {
  toolCall: { input_tokens: 1200, cached_tokens: 300, output_tokens: 60, reasoning_tokens: 30 },
  answer: { input_tokens: 1500, cached_tokens: 375, output_tokens: 40, reasoning_tokens: 20 },
} as const;

/** Rate-limit headers in both spellings Codex has read (`reset-after-seconds` ≤0.47, `reset-at` 0.48+). */
export const FAKE_RATE_LIMIT_RESET_AT = 1795500000;
export const RATE_LIMIT_HEADERS: Record<string, string> = {
  "x-codex-primary-used-percent": "12.5",
  "x-codex-primary-window-minutes": "300",
  "x-codex-primary-reset-after-seconds": "3600",
  "x-codex-primary-reset-at": String(FAKE_RATE_LIMIT_RESET_AT),
  "x-codex-secondary-used-percent": "40",
  "x-codex-secondary-window-minutes": "10080",
  "x-codex-secondary-reset-after-seconds": "86400",
  "x-codex-secondary-reset-at": String(FAKE_RATE_LIMIT_RESET_AT + 86400),
};

/** `resets_at` of a scripted usage limit: 2027-01-01T00:00:00Z (Codex prints "Try again at Jan 1st, 2027 12:00 AM."). */
export const FAKE_USAGE_RESET_AT = 1798761600;
export const FAKE_REQUEST_ID = "req_fake_0001";

export interface Failure {
  /** An HTTP error answer; otherwise a 200 event stream that fails. */
  status?: number;
  headers?: Record<string, string>;
  body?: Record<string, unknown>;
  /** `response.failed` with this error (what the Responses API sends when it fails mid-stream). */
  failed?: Record<string, unknown>;
  /** Open the stream, then drop the connection before `response.completed`. */
  drop?: boolean;
}

/**
 * The failure shapes, as Codex's own client parses them (codex-rs `codex-api/src/sse/responses.rs`: response.failed
 * codes `context_length_exceeded`, `insufficient_quota`, `usage_not_included`, `rate_limit_exceeded` "try again in
 * Ns", anything else retryable; `core/src/api_bridge.rs`: HTTP 429 `usage_limit_reached` with `plan_type` and
 * `resets_at`, 401/5xx as unexpected status with the request id from `x-request-id`).
 */
export const FAILURES = {
  usage_limit: {
    status: 429,
    body: {
      error: {
        type: "usage_limit_reached",
        message: "The usage limit has been reached",
        plan_type: "plus",
        resets_at: FAKE_USAGE_RESET_AT,
      },
    },
  },
  insufficient_quota: {
    failed: {
      type: "insufficient_quota",
      code: "insufficient_quota",
      message: "You exceeded your current quota, please check your plan and billing details.",
    },
  },
  rate_limit: {
    failed: {
      type: "tokens",
      code: "rate_limit_exceeded",
      message:
        "Rate limit reached for mock-model in organization org-fake on tokens per min (TPM): Limit 30000, Used 29500, Requested 1500. Please try again in 1.5s.",
    },
  },
  rate_limit_429: {
    status: 429,
    headers: { "retry-after": "2" },
    body: {
      error: {
        type: "requests",
        code: "rate_limit_exceeded",
        message: "Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 2s.",
      },
    },
  },
  overloaded: {
    failed: {
      type: "service_unavailable_error",
      code: "server_is_overloaded",
      message: "Our servers are currently overloaded. Please try again later.",
    },
  },
  server_error: {
    failed: {
      type: "server_error",
      code: "server_error",
      message: `An error occurred while processing your request. You can retry your request, or contact us through our help center at help.openai.com if the error persists. Please include the request ID ${FAKE_REQUEST_ID} in your message.`,
    },
  },
  context: {
    failed: {
      type: "invalid_request_error",
      code: "context_length_exceeded",
      message: "Your input exceeds the context window of this model. Please adjust your input and try again.",
    },
  },
  unauthorized: {
    status: 401,
    body: {
      error: {
        message:
          "Incorrect API key provided: sk-fake. You can find your API key at https://platform.openai.com/account/api-keys.",
        type: "invalid_request_error",
        code: "invalid_api_key",
      },
    },
  },
  http500: {
    status: 500,
    body: {
      error: {
        message: "The server had an error while processing your request. Sorry about that!",
        type: "server_error",
      },
    },
  },
  http502: { status: 502, body: { error: { message: "Bad gateway.", type: "server_error" } } },
  drop: { drop: true },
} satisfies Record<string, Failure>;

export type FailureKind = keyof typeof FAILURES;

/** The primary window used up, resetting when the scripted usage limit does. */
export const EXHAUSTED_HEADERS: Record<string, string> = {
  ...RATE_LIMIT_HEADERS,
  "x-codex-primary-used-percent": "100",
  "x-codex-primary-reset-at": String(FAKE_USAGE_RESET_AT),
};
