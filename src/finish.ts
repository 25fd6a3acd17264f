// How a run of a program ends (cli.ts, report-program.ts): the exit code it answered is set, and Node exits
// when nothing is left to do; an error nobody answered is logged and ends the process with 1.
import { log } from "./shared/log.js";

export function finish(main: Promise<number | undefined>): Promise<void> {
  return main.then(
    (code) => {
      if (code !== undefined) process.exitCode = code;
    },
    (error: unknown) => {
      log("error", "fatal", error);
      process.exit(1);
    },
  );
}
