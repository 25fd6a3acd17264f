// Process entry of a run's supervisor (see src/codex/supervisor.ts): the job arrives as JSON on stdin,
// then stdin is closed and this process lives on its own until Codex has ended. Only this file touches
// process signals and exit.
import { CANCEL_SIGNAL, Supervisor, type Job } from "./codex/supervisor.js";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function main(): Promise<void> {
  const current: { supervisor?: Supervisor } = {};
  // installed first: SIGUSR2's default action would end the process. It is only a nudge to read the
  // cancel file, which says why (SIGUSR1 belongs to Node's inspector); SIGTERM/SIGINT stop the run themselves.
  process.on(CANCEL_SIGNAL, () => void current.supervisor?.checkCancelFile());
  process.on("SIGTERM", () => current.supervisor?.cancel("the run's supervisor was sent SIGTERM"));
  process.on("SIGINT", () => current.supervisor?.cancel("the run's supervisor was sent SIGINT"));
  process.on("SIGHUP", () => undefined);
  const supervisor = new Supervisor(JSON.parse(await readStdin()) as Job);
  current.supervisor = supervisor;
  await supervisor.supervise();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`codex-control-mcp supervisor: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
