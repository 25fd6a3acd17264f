// What run_codex, resume_session, run_status and cancel_run share: the run result schema, its text mirror
// (render.ts), and waiting on a run while telling the client what Codex is doing.
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { CALLER_CONFIG_KEYS } from "../runs/run-policy.js";
import {
  ENGINE_MEANING,
  ENGINES,
  MODE_MEANING,
  REASONING_EFFORTS,
  RUN_MODES,
  type Engine,
} from "../codex/run-modes.js";
import { runViewSchema } from "../runs/run-view.js";
import { HEARTBEAT_MS, type RunManager, type RunnerConfig, type RunView } from "../runs/run-manager.js";
import { humanDuration } from "../config/config.js";
import { RUN_ID } from "../contract/index.js";
import { renderRun } from "../text/render.js";
import { renderReview } from "../runs/review-output.js";
import type { ApprovalAnswerers } from "../runs/approval-answer.js";
import { toolResult } from "./result.js";

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** The answer of run_codex, resume_session, cancel_run and run_status (one run): the domain's run view. */
export const runViewShape = runViewSchema.shape;

export const modeInput = z
  .enum(RUN_MODES)
  .describe(RUN_MODES.map((mode) => `"${mode}": ${MODE_MEANING[mode]}`).join("; ") + ".");

export const reasoningEffortInput = z
  .enum(REASONING_EFFORTS)
  .describe("Reasoning effort for reasoning models (`-c model_reasoning_effort=…`).");

export const configInput = z
  .record(z.string().max(200), z.unknown())
  .describe(
    `Codex config overrides, each passed as \`-c key=value\` with the value TOML-encoded, e.g. {"model_reasoning_summary": "detailed"}. Only these keys, unless the operator allowed more (--allow-config-key): ${CALLER_CONFIG_KEYS.join(", ")}.`,
  );

/** engine, with this server's default. */
export function engineInput(defaultEngine: Engine) {
  return z
    .enum(ENGINES)
    .describe(
      `How the run drives Codex (default "${defaultEngine}" on this server): ${ENGINES.map((engine) => `"${engine}": ${ENGINE_MEANING[engine]}`).join("; ")}.`,
    );
}

/** timeout_ms as this server's operator set it: the default and the bound are the ones in force. */
export function timeoutInput(runner: Pick<RunnerConfig, "defaultTimeoutMs" | "maxTimeoutMs">) {
  // no .max(): the operator's --max-timeout-ms is the bound, refused by the run manager with that name
  return z
    .number()
    .int()
    .min(1000)
    .describe(
      `Hard limit for the whole run in ms; the run's process group is killed when it passes. Default ${runner.defaultTimeoutMs} (${humanDuration(runner.defaultTimeoutMs)}), at most ${runner.maxTimeoutMs} (${humanDuration(runner.maxTimeoutMs)}) on this server.`,
    );
}

/**
 * The answer for a run_id nobody has: one not shaped as a run id (a manipulated caller's text, newlines and all)
 * is named only as printable ASCII, never echoed as given, and no ledger is searched for it.
 */
export function noRunAnswer(runId: string, ledgerPath: string): string {
  return RUN_ID.test(runId)
    ? `no run "${runId}" in the ledger of this state dir (${ledgerPath}). Call run_status without an id to see recent runs.`
    : `run_id ${JSON.stringify(runId.replace(/[^\x20-\x7e]/g, "?"))} is not a run id (run_ and 6 to 40 lowercase letters and digits, as run_codex returns it). Call run_status without an id to see recent runs.`;
}

/** The longest any call waits for a run (run_codex, resume_session, run_status): one cap, said once. */
export const MAX_WAIT_MS = 600_000;

/** wait_ms with this server's default wait. */
export function waitInput(waitMs: number) {
  return z
    .number()
    .int()
    .min(0)
    .max(MAX_WAIT_MS)
    .describe(
      `How long this call waits before answering \`running\` with the run_id (default ${waitMs} ms on this server, under a host's 60 s tool timeout), counted from the call, time queued for a slot included. The run goes on; poll run_status.`,
    );
}

/** A background run answers as soon as Codex names its session, or after this long. */
export const BACKGROUND_ANSWER_MS = 15_000;

/**
 * The answer of run_codex, resume_session and review_changes: soon for a background run, else after waiting on
 * it. Both waits count from `began`, when the call came in: a host's tool timeout runs from there, so the time
 * the run spent queued for a slot (--max-concurrent) is spent from the same budget, not added to it.
 */
export async function answerRun(
  runs: RunManager,
  runId: string,
  how: { background: boolean; waitMs: number; began: number; answerers?: ApprovalAnswerers },
  extra: Extra,
): Promise<CallToolResult> {
  const left = (budget: number) => Math.max(0, how.began + budget - Date.now());
  // a background call waits too (for the session): cancelled before it answered, nobody has the run's id
  const view = how.background
    ? await waitForRun(runs, runId, left(BACKGROUND_ANSWER_MS), extra, 0, true, true)
    : await waitForRun(runs, runId, left(how.waitMs), extra, 0, true);
  if (!view) throw new Error(`run ${runId} is missing from the ledger right after its start`);
  return toolResult(view, renderRunAndReview(view, "agent", how.answerers));
}

/** The run's text mirror, with a review's findings and verdict after it. */
export function renderRunAndReview(
  view: RunView,
  reader?: Parameters<typeof renderRun>[1],
  answerers?: ApprovalAnswerers,
): string {
  const run = renderRun(view, reader, answerers);
  return view.review ? `${run}\n${renderReview(view.review)}` : run;
}

/**
 * Waits until the run ends (or, `untilSession`, Codex names its session) or `waitMs` passes, sending progress notifications when the client asked for
 * them (from event number `fromEvent`; by default, what happens from now on). If the request is cancelled
 * while waiting, the wait ends; with `cancelRun` (the call that started the run: the call is the run) the run
 * is cancelled too, whichever process started it. A cancelled poll (run_status: a host's tool timeout, a
 * read-only server) stops nothing.
 */
export async function waitForRun(
  runs: RunManager,
  runId: string,
  waitMs: number,
  extra: Extra,
  fromEvent?: number,
  cancelRun = false,
  untilSession = false,
): Promise<RunView | undefined> {
  const progressToken = extra._meta?.progressToken;
  let progress = 0;
  let lastSent = Date.now();
  let lastMessage: string | undefined;
  const began = Date.now();
  const notify = (message: string) => {
    if (progressToken === undefined) return;
    progress += 1;
    lastSent = Date.now();
    void extra
      .sendNotification({ method: "notifications/progress", params: { progressToken, progress, message } })
      .catch(() => undefined);
  };
  const onEvent =
    progressToken === undefined
      ? undefined
      : (message: string) => {
          lastMessage = message;
          notify(message);
        };
  // the heartbeat: while Codex thinks, no event comes; a host that resets its timeout on progress still hears
  const every = runs.config.heartbeatMs ?? HEARTBEAT_MS;
  const heartbeat =
    progressToken === undefined
      ? undefined
      : setInterval(() => {
          if (Date.now() - lastSent < every * 0.9) return;
          void (async () => {
            lastMessage ??= (await runs.registry.get(runId).catch(() => undefined))?.recent_events.at(-1)?.message;
            notify(
              `still running (${Math.round((Date.now() - began) / 1000)} s)${lastMessage ? `; last: ${lastMessage.slice(0, 200)}` : ""}`,
            );
          })();
        }, every);
  let cancelling: Promise<RunView | undefined> | undefined;
  const onAbort = () => {
    if (!cancelRun || cancelling) return;
    cancelling = runs.registry.cancel(runId, "the client cancelled the request");
    // awaited only when the wait returns: a wait that throws (the run not settled) must not leave the cancel's
    // own failure unhandled, which would end the server
    cancelling.catch(() => undefined);
  };
  extra.signal.addEventListener("abort", onAbort, { once: true });
  try {
    if (extra.signal.aborted) onAbort();
    const view = await runs.registry.wait(runId, waitMs, {
      untilSession,
      ...(onEvent && { onEvent }),
      ...(fromEvent !== undefined && { fromEvent }),
      signal: extra.signal,
    });
    return cancelling ? await cancelling : view;
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    extra.signal.removeEventListener("abort", onAbort);
  }
}

export { renderRun };
