// Every answer the session tools give on some sessions (summary, calls, usage): the suites that turn a
// shortcut off and on (fast reads, slim folds) hold the two sets equal.
import { askSession, SessionStore } from "../../src/sessions/index.js";

const QUESTIONS = [
  { kind: "summary", options: { reasoningLimit: 200 } },
  { kind: "calls", options: { limit: 50, includeOutput: true, maxOutputChars: 10_000 } },
  { kind: "usage" },
] as const;

/** Each session's answers, each from a new store (`quickFromBytes`: from what size a log is answered by the turn scan). */
export async function everyAnswer(codexHome: string, ids: string[], quickFromBytes: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const id of ids)
    for (const question of QUESTIONS) {
      const store = new SessionStore(codexHome, { quickFromBytes });
      out.push(await askSession(store, id, question));
    }
  return out;
}
