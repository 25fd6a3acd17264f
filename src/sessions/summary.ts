// What a session did and how it ended, in one object.
import { diagnose, type CwdGone, type Diagnosis, type RunFacts } from "./diagnosis.js";
import type { CodexConfigFacts } from "./codex-config.js";
import type { TaskOwner } from "./family.js";
import type { Invocation } from "./resume-command.js";
import { childEvidence, inheritedView, type ChildView } from "./lineage.js";
import { callStatus, turnStatus, type SessionModel } from "./session-model.js";
import { sessionModelOf } from "./report/model-usage.js";
import { tokenUsage } from "./usage.js";
import type { SessionSummary, TurnView } from "./views/summary.js";

export type { TurnView } from "./views/summary.js";

/** Long sessions: the newest turns and errors are listed, older ones counted. */
export const TURNS_SHOWN = 100;
export const ERRORS_SHOWN = 50;

export type { SessionSummary } from "./views/summary.js";

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
  badFieldLines?: number;
  children?: ChildView[];
  /** The user's config.toml now (codex-config.ts); undefined: unknown. */
  config?: CodexConfigFacts | undefined;
  /** A sub-agent's: the ancestor its task goes on in, or the first one not on disk; undefined: unknown. */
  taskOwner?: TaskOwner | undefined;
  /** The session's folder is no folder now (a removed worktree, a file): its printed commands cannot run there. */
  cwdGone?: CwdGone | undefined;
}

/** The folder the session last ran in: where its next steps run Codex (`--cd`). */
export function sessionCwd(model: SessionModel): string | null {
  return model.lastContext?.cwd ?? model.meta?.cwd ?? null;
}

export function summarize(model: SessionModel, where: SessionLocation, options: SummaryOptions): SessionSummary {
  const id = model.meta?.id ?? where.id;
  const cwd = sessionCwd(model);
  const turns = model.turns.slice(-TURNS_SHOWN).map((turn): TurnView => ({
    index: turn.index,
    prompt: turn.prompt ?? null,
    status: turnStatus(turn),
    last_agent_message: turn.lastAgentMessage ?? turn.ended?.lastAgentMessage ?? null,
    error: turn.errors.at(-1)?.message ?? null,
    started_at: turn.startedAt ?? null,
    ended_at: turn.endedAt ?? null,
    steering_messages: turn.steering,
    compactions: turn.compactions,
  }));
  return {
    session_id: id,
    path: where.path,
    kind: model.lineage?.kind ?? "session",
    parent_session_id: model.lineage?.parentId ?? null,
    agent_nickname: model.lineage?.agentNickname ?? null,
    inherited: inheritedView(model.lineage),
    children: options.children ?? [],
    cwd,
    // the report's rule (report/model-usage.ts): a child without a turn_context of its own is on its parent's
    model: sessionModelOf(model),
    cli_version: model.meta?.cliVersion ?? null,
    started_at: model.meta?.startedAt ?? model.meta?.timestamp ?? model.firstTimestamp ?? null,
    last_event_at: model.lastTimestamp ?? where.modifiedAt ?? null,
    status: turns.at(-1)?.status ?? "incomplete",
    turns,
    turns_omitted: model.turns.length - turns.length,
    last_agent_message: turns.findLast((turn) => turn.last_agent_message !== null)?.last_agent_message ?? null,
    errors: newestErrors(model),
    reasoning:
      options.reasoningLimit > 0
        ? model.reasoning.slice(-options.reasoningLimit).map(({ turn, text }) => ({ turn, text }))
        : [],
    counts: {
      turns: model.turns.length,
      function_calls: model.calls.length,
      failed_calls: model.calls.filter((call) => callStatus(call) === "failed").length,
      messages: model.userMessages + model.agentMessages,
    },
    files_changed: model.filesChanged,
    tokens: tokenUsage(model).total,
    skipped_lines: options.skippedLines,
    bad_field_lines: options.badFieldLines ?? 0,
    run: options.run ? { run_id: options.run.runId, status: options.run.status, error: options.run.error } : null,
    diagnosis: withChildren(
      diagnose(model, {
        sessionId: id,
        cwd: cwd ?? undefined,
        run: options.run,
        invocation: options.invocation,
        config: options.config,
        taskOwner: options.taskOwner,
        cwdGone: options.cwdGone,
      }),
      options.children ?? [],
    ),
  };
}

function withChildren(diagnosis: Diagnosis, children: ChildView[]): Diagnosis {
  const evidence = childEvidence(children);
  return evidence.length === 0 ? diagnosis : { ...diagnosis, evidence: [...diagnosis.evidence, ...evidence] };
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
