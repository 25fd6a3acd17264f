// Requests a server leaves in a run's directory for its supervisor, which alone talks to Codex: a steer (with
// the supervisor's reply beside it) and the answer to an approval. Names come only from ids of the shapes
// checked here; files are created exclusively and never through a link, read bounded and parsed.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  APPROVAL_ID,
  approvalAnswerSchema,
  STEER_ID,
  steerReplySchema,
  steerRequestSchema,
  type ApprovalAnswer,
  type SteerReply,
} from "./app-server-schemas.js";
import { cancelRequestSchema } from "./schemas.js";
import {
  createExclusive,
  readBounded,
  readStateFile,
  removeFile,
  runDir,
  runsDir,
  STATE_FILES,
  StateFileError,
  writeAtomically,
} from "./state-files.js";

/** The reason a cancel request is recorded with when its text is not one (empty, over the cap, only controls). */
export const DEFAULT_CANCEL_REASON = "cancel_run was called";

/**
 * The run's cancel request, read bounded (never through a link) and parsed with its schema: undefined when
 * there is none; a request there that does not parse still asks for the cancel, with the default reason (a
 * cancel is never lost to its text).
 */
export async function readCancelRequest(stateDir: string, runId: string): Promise<string | undefined> {
  const dir = runDir(stateDir, runId);
  const text = await readBounded(join(dir, STATE_FILES.cancel.name), STATE_FILES.cancel.maxBytes, [
    runsDir(stateDir),
    dir,
  ]);
  if (text === undefined) return undefined;
  const parsed = cancelRequestSchema.safeParse(text);
  return parsed.success ? parsed.data : DEFAULT_CANCEL_REASON;
}

const STEER_REQUEST = /^steer-([0-9a-f]{16})\.json$/;

function checked(id: string, shape: RegExp, what: string): string {
  if (!shape.test(id)) throw new StateFileError(`${JSON.stringify(id.slice(0, 80))} is not ${what}`);
  return id;
}

function parentsOf(stateDir: string, runId: string): string[] {
  return [runsDir(stateDir), runDir(stateDir, runId)];
}

export function steerRequestFile(stateDir: string, runId: string, steerId: string): string {
  return join(runDir(stateDir, runId), `steer-${checked(steerId, STEER_ID, "a steer id")}.json`);
}

export function steerReplyFile(stateDir: string, runId: string, steerId: string): string {
  return join(runDir(stateDir, runId), `steer-${checked(steerId, STEER_ID, "a steer id")}.reply.json`);
}

export function approvalAnswerFile(stateDir: string, runId: string, approvalId: string): string {
  return join(
    runDir(stateDir, runId),
    `approval-${checked(approvalId, APPROVAL_ID, "an approval id (a1, a2, …)")}.json`,
  );
}

/** Leaves a steer for the run's supervisor; false when a request of that id is already there. */
export function writeSteerRequest(stateDir: string, runId: string, steerId: string, message: string): Promise<boolean> {
  const request = steerRequestSchema.parse({ message, at: new Date().toISOString() });
  return createExclusive(steerRequestFile(stateDir, runId, steerId), JSON.stringify(request));
}

export function readSteerReply(stateDir: string, runId: string, steerId: string): Promise<SteerReply | undefined> {
  return readStateFile(
    steerReplyFile(stateDir, runId, steerId),
    steerReplySchema,
    STATE_FILES.steerReply.maxBytes,
    parentsOf(stateDir, runId),
  );
}

/** The supervisor's side: the steers waiting, oldest name first, each taken (removed) as it is read. */
export async function takeSteerRequests(
  stateDir: string,
  runId: string,
): Promise<Array<{ steerId: string; message: string | undefined }>> {
  const names = await readdir(runDir(stateDir, runId)).catch(() => [] as string[]);
  const taken: Array<{ steerId: string; message: string | undefined }> = [];
  for (const name of names.sort()) {
    const steerId = STEER_REQUEST.exec(name)?.[1];
    if (steerId === undefined) continue;
    const path = steerRequestFile(stateDir, runId, steerId);
    const request = await readStateFile(
      path,
      steerRequestSchema,
      STATE_FILES.steer.maxBytes,
      parentsOf(stateDir, runId),
    );
    await removeFile(path);
    // one that does not parse is answered too, so its sender is not left waiting
    taken.push({ steerId, message: request?.message });
  }
  return taken;
}

export function writeSteerReply(stateDir: string, runId: string, steerId: string, reply: SteerReply): Promise<void> {
  return writeAtomically(steerReplyFile(stateDir, runId, steerId), JSON.stringify(steerReplySchema.parse(reply)));
}

/** Answers an approval; false when it was answered already (the first answer stands). */
export function writeApprovalAnswer(
  stateDir: string,
  runId: string,
  approvalId: string,
  answer: ApprovalAnswer,
): Promise<boolean> {
  return createExclusive(
    approvalAnswerFile(stateDir, runId, approvalId),
    JSON.stringify(approvalAnswerSchema.parse(answer)),
  );
}

export function readApprovalAnswer(
  stateDir: string,
  runId: string,
  approvalId: string,
): Promise<ApprovalAnswer | undefined> {
  return readStateFile(
    approvalAnswerFile(stateDir, runId, approvalId),
    approvalAnswerSchema,
    STATE_FILES.approvalAnswer.maxBytes,
    parentsOf(stateDir, runId),
  );
}
