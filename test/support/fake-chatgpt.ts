// A stand-in for the ChatGPT backend Codex calls for a ChatGPT login's usage (`GET <chatgpt_base_url>/wham/usage`
// when the base URL contains `/backend-api`, `/api/codex/usage` otherwise: codex-rs `backend-client/src/client.rs`;
// payload `RateLimitStatusPayload` of `codex-backend-openapi-models`). Codex reaches it through its own config
// (`chatgpt_base_url` in config.toml), with a ChatGPT-shaped auth.json whose tokens are unsigned JWTs.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

export const FAKE_ACCOUNT_ID = "acc-fake-0001";
export const FAKE_PLAN = "plus";

/** Percentages and resets of the two windows the fake answers with (unix seconds, 2027-01-01 and a week later). */
export const FAKE_USAGE_WINDOWS = {
  primary: { used_percent: 25, limit_window_seconds: 18000, reset_after_seconds: 3600, reset_at: 1798761600 },
  secondary: { used_percent: 60, limit_window_seconds: 604800, reset_after_seconds: 86400, reset_at: 1799366400 },
} as const;

export interface FakeChatgpt {
  /** The value for `chatgpt_base_url`. */
  baseUrl: string;
  /** Every request: method, path and the two headers Codex authenticates with. */
  requests: Array<{ method: string; path: string; authorization: string | undefined; accountId: string | undefined }>;
  /** What the next usage requests answer: windows as above, or a used-up primary window. */
  setExhausted(exhausted: boolean): void;
  close(): Promise<void>;
}

export async function startFakeChatgpt(): Promise<FakeChatgpt> {
  const requests: FakeChatgpt["requests"] = [];
  let exhausted = false;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    const header = (name: string) =>
      typeof req.headers[name] === "string" ? (req.headers[name] as string) : undefined;
    requests.push({
      method: req.method ?? "",
      path,
      authorization: header("authorization"),
      accountId: header("chatgpt-account-id"),
    });
    req.resume();
    if (req.method === "GET" && (path.endsWith("/wham/usage") || path.endsWith("/api/codex/usage"))) {
      const primary = exhausted ? { ...FAKE_USAGE_WINDOWS.primary, used_percent: 100 } : FAKE_USAGE_WINDOWS.primary;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          plan_type: FAKE_PLAN,
          rate_limit: {
            allowed: !exhausted,
            limit_reached: exhausted,
            primary_window: primary,
            secondary_window: FAKE_USAGE_WINDOWS.secondary,
          },
          credits: null,
        }),
      );
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ detail: "fake chatgpt: no route" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/backend-api`,
    requests,
    setExhausted: (value) => {
      exhausted = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.${Buffer.from("sig").toString("base64url")}`;
}

/** Writes the auth.json of a ChatGPT login (tokens with account id and plan, far from expiry) into CODEX_HOME. */
export async function writeChatgptLogin(codexHome: string): Promise<void> {
  const auth = { chatgpt_account_id: FAKE_ACCOUNT_ID, chatgpt_plan_type: FAKE_PLAN, chatgpt_user_id: "user-fake" };
  const exp = 1893456000; // 2030-01-01
  const idToken = unsignedJwt({ email: "fake@example.com", exp, "https://api.openai.com/auth": auth });
  const accessToken = unsignedJwt({ exp, "https://api.openai.com/auth": auth });
  const file = {
    auth_mode: "chatgpt",
    OPENAI_API_KEY: null,
    tokens: { id_token: idToken, access_token: accessToken, refresh_token: "rt-fake", account_id: FAKE_ACCOUNT_ID },
    last_refresh: new Date().toISOString(),
  };
  await writeFile(join(codexHome, "auth.json"), JSON.stringify(file, null, 2), { mode: 0o600 });
}
