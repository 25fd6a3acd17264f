// `codex-control-mcp report …` as a program of its own: the build writes it as dist/report.vm with a code
// cache warmed on a report (scripts/code-cache.mjs), and launch.ts runs it for `report`. A cold report is
// timed beside ccusage (issue 24), and the whole program (dist/main.vm: the server, every tool and command)
// cost ~30 ms more to start: deserializing its larger cache, evaluating a top level that declares every module.
import { loadConfig } from "./config/config.js";
import { runReport } from "./commands/report.js";
import { finish } from "./finish.js";

/** Runs `report` on these arguments (the process's own: argv[0] is "report"). */
export function run(argv: string[]): Promise<void> {
  return finish((async () => runReport(argv.slice(1), loadConfig([])))());
}
