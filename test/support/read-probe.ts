// A read in a process of its own, so that its peak memory can be measured (test/sessions/bounds.test.ts):
// `tsx test/support/read-probe.ts '<json>'` with { home, id, what, limits?, depth? } prints
// { peakMb, peakVmMb, error?, result } where result holds the few fields the test checks.
import { readFileSync } from "node:fs";
import { listSessions, sessionCalls, sessionSummary, sessionTokenUsage } from "../../src/sessions/index.js";
import { newReadStats, READ_LIMITS, readForward } from "../../src/sessions/rollout-reader.js";
import { JSON_LIMITS } from "../../src/shared/json.js";

interface Probe {
  home: string;
  id: string;
  what: "calls" | "usage" | "summary" | "list" | "read";
  /** For "read": the file to read forwards, whole (its line counts are the result). */
  path?: string;
  limits?: Partial<typeof READ_LIMITS>;
  depth?: number;
}

const probe = JSON.parse(process.argv[2] ?? "{}") as Probe;
Object.assign(READ_LIMITS, probe.limits ?? {});
if (probe.depth !== undefined) JSON_LIMITS.depth = probe.depth;

async function run(): Promise<unknown> {
  switch (probe.what) {
    case "calls": {
      const calls = await sessionCalls(probe.home, probe.id, { limit: 10, includeOutput: true, maxOutputChars: 2000 });
      return {
        total_calls: calls.total_calls,
        skipped_lines: calls.skipped_lines,
        calls: calls.calls.map((call) => call.name),
      };
    }
    case "usage": {
      const usage = await sessionTokenUsage(probe.home, probe.id);
      return { skipped_lines: usage.skipped_lines, total: usage.total };
    }
    case "summary": {
      const summary = await sessionSummary(probe.home, probe.id, { reasoningLimit: 5 });
      return { skipped_lines: summary.skipped_lines, counts: summary.counts };
    }
    case "read": {
      const stats = newReadStats();
      await readForward(probe.path ?? "", stats, () => undefined);
      return stats;
    }
    case "list": {
      const { sessions } = await listSessions(probe.home, { limit: 20, includeArchived: true });
      return { sessions: sessions.map((session) => session.session_id) };
    }
  }
}

let output: Record<string, unknown>;
try {
  output = { result: await run() };
} catch (error) {
  output = { error: String(error).slice(0, 300) };
}
const status = readFileSync("/proc/self/status", "utf8");
const peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
// address space reserved at its peak: a buffer allocated and never touched shows here, not in VmHWM
const peakVmKb = Number(/VmPeak:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
const mb = (kb: number) => Math.round(kb / 1024);
process.stdout.write(JSON.stringify({ peakMb: mb(peakKb), peakVmMb: mb(peakVmKb), ...output })); // stdout-ok: the probe's report
