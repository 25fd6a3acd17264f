// Process entry of a run's supervisor (see supervisor.ts): the job arrives as JSON on stdin, is parsed with
// the contract's schema, then stdin is closed and this process lives on its own until Codex has ended. Only
// this file touches process signals and exit.
import { REQUEST_SIGNAL, jobSchema } from "../contract/index.js";
import { Supervisor } from "./supervisor.js";
import { watch, WATCHDOG_FLAG } from "./watchdog.js";

/** A job is a few KB (its prompt aside); anything past this is not one. */
const MAX_JOB_BYTES = 64 * 1024 * 1024;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_JOB_BYTES) throw new Error(`the job on stdin is larger than ${MAX_JOB_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function main(): Promise<void> {
  // a stop asked for before the supervisor exists (the server gave up waiting for the start) still counts
  const current: { supervisor?: Supervisor; early?: string } = {};
  const stop = (reason: string) =>
    current.supervisor ? current.supervisor.cancel(reason) : (current.early ??= reason);
  // installed first: SIGUSR2's default action would end the process. It is only a nudge to read the run's
  // requests (a cancel, which says why; a steer) (SIGUSR1 belongs to Node's inspector); SIGTERM/SIGINT stop the run themselves.
  process.on(REQUEST_SIGNAL, () => void current.supervisor?.checkRequests());
  process.on("SIGTERM", () => stop("the run's supervisor was sent SIGTERM"));
  process.on("SIGINT", () => stop("the run's supervisor was sent SIGINT"));
  process.on("SIGHUP", () => undefined);
  const parsed = jobSchema.safeParse(JSON.parse(await readStdin()));
  if (!parsed.success)
    throw new Error(
      `the job does not match its schema: ${parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
        .join("; ")}`,
    );
  const supervisor = new Supervisor(parsed.data);
  current.supervisor = supervisor;
  if (current.early !== undefined) supervisor.cancel(current.early);
  await supervisor.supervise();
}

// the same bundle is the run's watchdog (watchdog.ts): no job, only the run id
(process.argv[2] === WATCHDOG_FLAG ? watch(process.argv[3] ?? "") : main()).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `codex-control-mcp supervisor: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
