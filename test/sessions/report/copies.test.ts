// One session in two or three files (its `.jsonl.zst` beside the plain file while Codex compresses it, and a
// copy in archived_sessions/): the report counts it once. The fixture is a real 0.169.0 rollout and the same
// rollout compressed with `zstd -3`.
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPrices, sessionsReport, SessionStore } from "../../../src/sessions/index.js";
import { FIXTURES, fixture } from "../../support/fixtures.js";
import { makeHome } from "../../support/report-homes.js";

const plain = fixture("0.169.0", "command");
const name = `rollout-2026-11-23T20-49-22-${plain.session_id}`;

async function homeWith(copies: Array<"plain" | "compressed" | "archived">): Promise<string> {
  const home = await makeHome();
  const day = join(home, "sessions", "2026", "11", "23");
  await mkdir(day, { recursive: true });
  await mkdir(join(home, "archived_sessions"), { recursive: true });
  for (const copy of copies) {
    if (copy === "plain") await copyFile(plain.path, join(day, `${name}.jsonl`));
    if (copy === "archived") await copyFile(plain.path, join(home, "archived_sessions", `${name}.jsonl`));
    if (copy === "compressed")
      await copyFile(join(FIXTURES, "shapes", "compressed-cold-rollout.jsonl.zst"), join(day, `${name}.jsonl.zst`));
  }
  return home;
}

const totals = async (home: string) => {
  const report = await sessionsReport(
    new SessionStore(home),
    { includeArchived: true, groupBy: "day" },
    { prices: await loadPrices() },
  );
  return [report.scanned_files, report.total.sessions, report.total.tokens.total];
};

describe("a session in several files", () => {
  it("is counted once, whichever copies there are", async () => {
    const tokens = 2800; // the fixture's own counter
    expect(await totals(await homeWith(["plain"]))).toEqual([1, 1, tokens]);
    // each file is read; the session is counted once, its tokens once
    expect(await totals(await homeWith(["plain", "compressed", "archived"]))).toEqual([3, 1, tokens]);
    expect(await totals(await homeWith(["compressed", "archived"]))).toEqual([2, 1, tokens]);
    expect(await totals(await homeWith(["archived"]))).toEqual([1, 1, tokens]);
  });
});
