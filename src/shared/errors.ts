// The base of every error that is the caller's or the operator's to fix: its message is the whole answer a
// tool gives (tools/result.ts shows it as is), so it must say what was wrong and how to fix the call.
export class ExplainedError extends Error {}
