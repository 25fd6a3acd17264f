// The run ledger's file name, apart from the schemas that read it: a one-shot report asks whether any run
// was ever recorded in a state dir without loading the run wing (its modules and schemas) for nothing.
import { lstatSync } from "node:fs";
import { join } from "node:path";

export const LEDGER_FILE = "runs.jsonl";

/** Whether the state dir holds a ledger (of any kind: what it is, the ledger's reader decides). */
export function hasLedger(stateDir: string): boolean {
  try {
    lstatSync(join(stateDir, LEDGER_FILE));
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ENOENT";
  }
}
