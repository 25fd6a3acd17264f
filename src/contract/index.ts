// The one contract between the server's side of a run (src/runs) and its supervisor (src/supervisor): the
// files they exchange through the state dir, each with one schema, one path and one size cap, and the only
// ways to read and write them. Lint allows no other import between the two.
export * from "./schemas.js";
export * from "./app-server-schemas.js";
export * from "./run-requests.js";
export * from "./state-files.js";
export * from "./deadlines.js";
export { RunLedger, MAX_RECORD_BYTES, boundedLine, skippedGitCheck, type LedgerRun } from "./ledger.js";

/** Sent to a supervisor after a request (cancel, steer, an approval's answer) is written, so it need not wait for its next look. */
export const REQUEST_SIGNAL = "SIGUSR2";
