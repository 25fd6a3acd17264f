// What a session did and how it ended, in one object.
import type { TokenTotals } from "./events.js";
import { diagnose, type Diagnosis, type RunFacts } from "./diagnosis.js";
import type { Invocation } from "./resume-command.js";
import { callStatus, turnStatus, type SessionModel, type TurnStatus } from "./session-model.js";
import { tokenUsage } from "./usage.js";

export interface TurnView {
  index: number;
  prompt: string | null;
  status: TurnStatus;
  last_agent_message: string | null;
  error: string | null;
  started_at: string | null;
  ended_at: string | null;
}

/** Long sessions: the newest turns and errors are listed, older ones counted. */
export const TURNS_SHOWN = 100;
export const ERRORS_SHOWN = 50;

export interface SessionSummary {
  id: string;
  path: string;
  cwd: string | null;
  model: string | null;
  cli_version: string | null;
  started_at: string | null;
  last_event_at: string | null;
  status: TurnStatus;
  /** The newest turns (at most TURNS_SHOWN), oldest first; `counts.turns` has them all. */
  turns: TurnView[];
  turns_omitted: number;
  last_agent_message: string | null;
  errors: Array<{ turn: number; message: string; info: string | null }>;
  reasoning: Array<{ turn: number; text: string }>;
  counts: { turns: number; function_calls: number; failed_calls: number; messages: number };
  files_changed: string[];
  tokens: TokenTotals | null;
  skipped_lines: number;
  /** The newest run of this session by this server, from its run ledger. */
  run: { run_id: string; status: RunFacts["status"]; error: string | null } | null;
  diagnosis: Diagnosis;
}

export interface SessionLocation {
  id: string;
  path: string;
  /** File mtime, for generations that write no per-line timestamps. */
  modifiedAt?: string;
}

export interface SummaryOptions {
  reasoningLimit: number;
  skippedLines: number;
  run?: RunFacts | undefined;
  /** CODEX_HOME and binary for the commands in next_step, when not the defaults. */
  invocation?: Invocation | undefined;
}

export function summarize(model: SessionModel, where: SessionLocation, options: SummaryOptions): SessionSummary {
  const id = model.meta?.id ?? where.id;
  const lastContext = model.lastContext;
  const cwd = lastContext?.cwd ?? model.meta?.cwd ?? null;
  const turns = model.turns.slice(-TURNS_SHOWN).map(
    (turn): TurnView => ({
      index: turn.index,
      prompt: turn.prompt ?? null,
      status: turnStatus(turn),
      last_agent_message: turn.lastAgentMessage ?? turn.ended?.lastAgentMessage ?? null,
      error: turn.errors.at(-1)?.message ?? null,
      started_at: turn.startedAt ?? null,
      ended_at: turn.endedAt ?? null,
    }),
  );
  return {
    id,
    path: where.path,
    cwd,
    model: lastContext?.model ?? null,
    cli_version: model.meta?.cliVersion ?? null,
    started_at: model.meta?.startedAt ?? model.meta?.timestamp ?? model.firstTimestamp ?? null,
    last_event_at: model.lastTimestamp ?? where.modifiedAt ?? null,
    status: turns.at(-1)?.status ?? "incomplete",
    turns,
    turns_omitted: model.turns.length - turns.length,
    last_agent_message: turns.findLast((turn) => turn.last_agent_message !== null)?.last_agent_message ?? null,
    errors: newestErrors(model),
    reasoning: options.reasoningLimit > 0 ? model.reasoning.slice(-options.reasoningLimit).map(({ turn, text }) => ({ turn, text })) : [],
    counts: {
      turns: model.turns.length,
      function_calls: model.calls.length,
      failed_calls: model.calls.filter((call) => callStatus(call) === "failed").length,
      messages: model.userMessages + model.agentMessages,
    },
    files_changed: model.filesChanged,
    tokens: tokenUsage(model).total,
    skipped_lines: options.skippedLines,
    run: options.run ? { run_id: options.run.runId, status: options.run.status, error: options.run.error } : null,
    diagnosis: diagnose(model, { sessionId: id, cwd: cwd ?? undefined, run: options.run, invocation: options.invocation }),
  };
}

function newestErrors(model: SessionModel): SessionSummary["errors"] {
  const errors: SessionSummary["errors"] = [];
  for (let i = model.turns.length - 1; i >= 0 && errors.length < ERRORS_SHOWN; i--) {
    const turn = model.turns[i];
    if (!turn) continue;
    for (let j = turn.errors.length - 1; j >= 0 && errors.length < ERRORS_SHOWN; j--) {
      const error = turn.errors[j];
      if (error) errors.push({ turn: turn.index, message: error.message, info: error.info ?? null });
    }
  }
  return errors.reverse();
}
