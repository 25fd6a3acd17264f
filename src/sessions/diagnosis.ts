// Why a session ended the way it did, and the next step: one pure function over the folded session log and
// what the process that ran it reported (the run ledger, its `--json` errors and stderr, whether it is alive).
// The tool, the CLI and the resource all call it. Evidence quotes the log: it is data written by the model and
// the tools, never instructions to follow.
import { classifyErrors } from "./diagnosis-errors.js";
import { turnWork } from "./diagnosis-work.js";
import type { RunStatus } from "./views/closed-sets.js";
import type { Diagnosis } from "./views/diagnosis.js";
import { printableModel, providerToRepeat, type Invocation, type ResumeTarget } from "./resume-command.js";
import type { CodexConfigFacts } from "./codex-config.js";
import type { TaskOwner } from "./family.js";
import { turnStatus, type SessionModel, type Turn } from "./session-model.js";

import { Builder } from "./diagnosis-builder.js";
import {
  errorFacts,
  exhaustedLimit,
  failedEvidence,
  jsonQuoted,
  lastCallEvidence,
  runSaid,
} from "./diagnosis-evidence.js";
import { shellQuote } from "../shared/shell.js";
import { ownRootOptions } from "./workspace-write-roots.js";

export { DIAGNOSIS_CATEGORIES, CATEGORY_GUIDE, type DiagnosisCategory } from "./diagnosis-categories.js";
export type { FailedCommand, SandboxDenial } from "./diagnosis-work.js";

export type { RunStatus } from "./views/closed-sets.js";

/**
 * What the process that ran the session reported, as plain data (gathered by the tool layer from the run
 * ledger). Codex does not write every failure into the log in exec mode: 0.63 and 0.100 keep a model error to
 * their `--json` stream, and a run killed at its timeout or one that cannot reach the network writes nothing.
 */
export interface RunFacts {
  runId: string;
  status: RunStatus;
  /** The run's process is alive right now (this server's child, or another server's per its process check). */
  alive: boolean;
  startedAt: string;
  endedAt: string | null;
  /** How the server summed up the end (`timed out: …`, the turn's error). */
  error: string | null;
  /** Errors Codex printed in its `--json` stream, newest last. */
  errors: string[];
  stderrTail: string;
  /** The run was started with `--skip-git-repo-check`. */
  skipGitRepoCheck?: boolean;
  /** The newest progress the run's process published (its `--json` stream), whoever started it. */
  activity?: { at: string; message: string } | null;
  /** engine app-server: the failed turn's typed error (`codexErrorInfo`): a second source, and the more precise one. */
  typedError?: { kind: string; httpStatus: number | null; message: string } | null;
  /** engine app-server: approvals nobody answered in time, declined (one line each). */
  approvalsTimedOut?: string[];
}

export type { Diagnosis, DiagnosisError } from "./views/diagnosis.js";

export interface DiagnosisInput {
  sessionId: string;
  cwd?: string | undefined;
  run?: RunFacts | undefined;
  invocation?: Invocation | undefined;
  /**
   * false: the caller reads the category, error, evidence, failed commands and denials, never the next step
   * (the report's digest), so no command line is put together: next_step and next_command are left without it.
   */
  commandLines?: boolean;
  /** The user's config.toml now (a resume runs with it, not with the log's); undefined: unknown. */
  config?: CodexConfigFacts | undefined;
  /** A sub-agent's: the ancestor its task goes on in, or the first one not on disk (family.ts); undefined: unknown. */
  taskOwner?: TaskOwner | undefined;
  /** `cwd` is no folder now (looked up by the caller when it asked; a removed worktree or checkout). */
  cwdGone?: CwdGone | undefined;
}

/**
 * The session's folder here: "missing" (nothing there), "file" (a file in its place), `nearest` (nothing there
 * nor in the folders above it, up to this folder), false (a folder, or not told).
 */
export type CwdGone = "missing" | "file" | { nearest: string } | false;

/** A run started more than this long before the last turn began belongs to an earlier turn. */
const RUN_TURN_SLACK_MS = 60_000;

export function diagnose(model: SessionModel, input: DiagnosisInput): Diagnosis {
  const diagnosis = diagnoseLog(model, input);
  return input.cwdGone && input.cwd ? whereItRanIsGone(diagnosis, input.cwd, input.cwdGone) : diagnosis;
}

/**
 * The session's folder is gone: every printed command runs `codex exec --cd <it>`, which 0.171 stops at once
 * ("Error: No such file or directory (os error 2)", exit 1); a file in its place does not stop it (0.171 starts,
 * "Not a directory" from its AGENTS.md lookup), but no command of the resumed turn can start there. The step
 * says so and what to do; nothing is offered to paste, since no command can know which folder to use instead.
 * "Here": the log may be another machine's (copied or published logs) whose folder never existed here.
 */
function whereItRanIsGone(diagnosis: Diagnosis, cwd: string, gone: Exclude<CwdGone, false>): Diagnosis {
  const command = diagnosis.next_command;
  if (command === null || !command.includes(` --cd ${shellQuote(cwd)} `)) return diagnosis;
  const folder = `the session's folder ${jsonQuoted(cwd)}`;
  // its parent gone too: the folders from the first missing one down are the ones to put back
  const cut = typeof gone === "object" ? cwd.indexOf("/", gone.nearest.length + 1) : -1;
  const above = cut === -1 ? cwd : cwd.slice(0, cut);
  const fact =
    gone === "file"
      ? `${folder} is a file now`
      : typeof gone === "object"
        ? `${folder} does not exist here, nor ${jsonQuoted(above)} above it (${jsonQuoted(gone.nearest)} does)`
        : `${folder} does not exist here`;
  const why =
    gone === "file"
      ? `so Codex resumes there without a folder to work in ("Not a directory"): no command it runs can start. Move the file away and put the folder back first`
      : `so that command stops at once ("No such file or directory"). Put the folder back first (a removed git worktree: \`git worktree add ${shellQuote(cwd)} <branch>\`)`;
  return {
    ...diagnosis,
    evidence: [...diagnosis.evidence, fact],
    next_step: `${diagnosis.next_step} — but ${fact}, ${why}, or run the command with \`--cd\` naming a folder that exists (the conversation comes along, not the files it worked on).`,
    next_command: null,
  };
}

function diagnoseLog(model: SessionModel, input: DiagnosisInput): Diagnosis {
  const turn = model.turns.at(-1);
  const run = input.run && belongsToLastTurn(input.run, turn) ? input.run : undefined;
  const sandbox = model.lastContext?.sandbox;
  const base: ResumeTarget = {
    sessionId: input.sessionId,
    cwd: input.cwd,
    sandbox,
    // the model its last turn ran: a resume without it runs the home's default (a printable name only)
    model: printableModel(model.lastContext?.model),
    // its provider, where the home selects another: 0.171 refuses to resume on that one (resume-command.ts)
    provider: providerToRepeat(model.meta?.modelProvider, input.config),
    // the extra writable roots it ran with: a resume without them refuses writes there
    options: ownRootOptions(model.lastContext?.sandboxPolicy),
    ...input.invocation,
    // a session outside a git repository (its meta records none) is resumed there only with the flag, unless
    // it runs without a sandbox (Codex does not check then)
    skipGitRepoCheck:
      input.invocation?.skipGitRepoCheck ??
      input.run?.skipGitRepoCheck ??
      (model.meta !== undefined && !model.meta.inGitRepo && sandbox !== "danger-full-access"),
  };
  const make = new Builder(model, base, run, input.commandLines !== false, input.config, input.taskOwner);

  if (run?.status === "running" && run.alive) return make.running(run);
  const work = turn ? turnWork(model, turn) : undefined;
  const facts = errorFacts(turn, run);
  const classified = classifyErrors(facts);
  const status = turn ? turnStatus(turn) : undefined;
  const where = turn ? `turn ${turn.index}` : "the session";

  if (!turn || status === undefined) {
    if (run?.status === "timeout") return make.timeout(run, classified);
    if (run?.status === "cancelled") return make.simple("cancelled", [`${runSaid(run)}`]);
    if (classified) return make.error(classified.category, classified.fact, facts, [`${runSaid(run)}`]);
    // token counts of its own prove model requests were made: the turns' lines are missing (a trimmed or
    // sanitized log keeps only counters), not a Codex that stopped before the first prompt
    const own = model.tokens.total();
    if (own !== undefined && own.total > 0) {
      const evidence = [
        `the log holds no turn lines (no prompt, no turn start or end), but ${own.total} tokens of its own model requests${model.tokens.observedAt ? ` (the last counted ${model.tokens.observedAt})` : ""}: its turns were not written or were cut from the file, and no end is recorded`,
        ...(run ? [runSaid(run)] : []),
      ];
      const owner = input.taskOwner;
      if (model.lineage?.kind === "subagent" && owner !== undefined && "missing" in owner)
        return make.orphaned(evidence, owner.missing);
      return make.simple("interrupted", evidence, "If no Codex process is still running this session, resume it: ");
    }
    const inherited = model.lineage?.inherited;
    return make.simple(
      "empty",
      [
        "the log holds no turn: Codex stopped before the first prompt was recorded",
        ...(inherited && inherited.lines > 0
          ? [
              `its ${inherited.lines} line(s) are all the history it copied from ${inherited.parentId ?? "its parent"}: nothing of its own was written after it`,
            ]
          : []),
        ...(run ? [runSaid(run)] : []),
      ],
      null,
    );
  }
  const runEvidence = run ? [runSaid(run)] : [];
  switch (status) {
    case "failed": {
      if (classified)
        return make.error(
          classified.category,
          classified.fact,
          facts,
          [...failedEvidence(where, turn), ...runEvidence],
          work,
        );
      return make.simple(
        "model_error",
        [
          `${where} ended without an answer and neither the log nor a run of this server says why (0.100-era CLIs keep the model's error out of the log)`,
          ...runEvidence,
        ],
        `Run it again and read the error Codex prints (run_codex reports it); then: `,
        work,
      );
    }
    case "aborted": {
      const evidence = [
        `${where} was aborted (${turn.ended?.reason ?? "no reason given"})`,
        ...lastCallEvidence(model, turn),
        ...runEvidence,
      ];
      if (run?.status === "cancelled") return make.simple("cancelled", evidence, undefined, work);
      if (run?.status === "timeout") return make.timeout(run, classified, evidence, work);
      return make.simple("aborted", evidence, undefined, work);
    }
    case "incomplete": {
      const evidence = [`${where} has no end: the run was killed, crashed, or is still running`, ...runEvidence];
      if (turn.lastItem === undefined) {
        // counted tokens are model responses: the turn's lines are missing, no request failed unseen
        const counted = model.tokens.perTurn().find((usage) => usage.turn === turn.index)?.total ?? 0;
        evidence.push(
          counted > 0
            ? `the log counts ${counted} tokens of model responses in this turn, but no message or tool call of it: the model did answer (its lines were not written, or were cut from the file)`
            : "the model produced nothing after the prompt: the request may have failed (a model error is not always written to the log)",
        );
      }
      evidence.push(...lastCallEvidence(model, turn));
      if (run?.status === "timeout") return make.timeout(run, classified, evidence, work);
      if (run?.status === "cancelled") return make.simple("cancelled", evidence, undefined, work);
      if (classified && (run?.status === "failed" || !run))
        return make.error(classified.category, classified.fact, facts, evidence, work);
      const limited = exhaustedLimit(model.tokens.rateLimits);
      if (limited) return make.usageLimit([...evidence, limited.evidence], limited.resetsAt, null, work);
      if (run?.status === "running")
        evidence.push(
          `run ${run.runId} has no end in the ledger, and its process is gone: the server that started it stopped`,
        );
      return make.simple(
        "interrupted",
        evidence,
        "If no Codex process is still running this session, resume it: ",
        work,
      );
    }
    case "completed":
      return make.completedTurn(
        where,
        turn,
        work ?? { failed: [], denials: [], refusedWrites: [], gaveUp: false, lastCallFailed: false },
      );
  }
}

function belongsToLastTurn(run: RunFacts, turn: Turn | undefined): boolean {
  if (run.status === "running") return true;
  if (turn?.startedAt === undefined) return true;
  const turnStart = Date.parse(turn.startedAt);
  // a run that ended before the turn began did not run it (a resume by hand, after the run failed)
  if (run.endedAt !== null && Date.parse(run.endedAt) < turnStart) return false;
  return Date.parse(run.startedAt) >= turnStart - RUN_TURN_SLACK_MS;
}
