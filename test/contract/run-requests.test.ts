// The files a server leaves for a run's supervisor (steers, approval answers) are parsed, bounded, named only
// by ids of their shape and never read or written through a link; each defence beside its control.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  approvalAnswerFile,
  readApprovalAnswer,
  runDir,
  takeSteerRequests,
  writeApprovalAnswer,
  writeSteerRequest,
} from "../../src/contract/index.js";

const RUN = "run_abc123def456";

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ccm-requests-"));
  mkdirSync(runDir(dir, RUN), { recursive: true });
  return dir;
}

describe("run requests", () => {
  it("takes a steer once, with its message as written", async () => {
    const dir = await stateDir();
    expect(await writeSteerRequest(dir, RUN, "00112233aabbccdd", "--config=x $(rm -rf /)")).toBe(true);
    expect(await takeSteerRequests(dir, RUN)).toEqual([
      { steerId: "00112233aabbccdd", message: "--config=x $(rm -rf /)" },
    ]);
    expect(await takeSteerRequests(dir, RUN)).toEqual([]);
  });

  it("does not read a steer planted as a link to a private file (the control reads it through the link)", async () => {
    const dir = await stateDir();
    const secret = join(dir, "secret.json");
    writeFileSync(secret, JSON.stringify({ message: "the secret", at: "2026-12-04T00:00:00Z" }));
    const planted = join(runDir(dir, RUN), "steer-00112233aabbccdd.json");
    symlinkSync(secret, planted);
    expect(JSON.parse(readFileSync(planted, "utf8")).message).toBe("the secret");
    expect(await takeSteerRequests(dir, RUN)).toEqual([{ steerId: "00112233aabbccdd", message: undefined }]);
    expect(readFileSync(secret, "utf8")).toContain("the secret");
  });

  it("answers an approval once; a forged id names no file, a forged answer is ignored", async () => {
    const dir = await stateDir();
    const answer = { decision: "approve", answered_by: "user", at: "2026-12-04T00:00:00Z" } as const;
    expect(await writeApprovalAnswer(dir, RUN, "a1", answer)).toBe(true);
    expect(await writeApprovalAnswer(dir, RUN, "a1", { ...answer, decision: "decline" })).toBe(false);
    expect(await readApprovalAnswer(dir, RUN, "a1")).toEqual(answer);
    expect(() => approvalAnswerFile(dir, RUN, "../../leases/x")).toThrow("is not an approval id");
    writeFileSync(approvalAnswerFile(dir, RUN, "a2"), JSON.stringify({ ...answer, decision: "rm -rf" }));
    expect(await readApprovalAnswer(dir, RUN, "a2")).toBeUndefined();
  });
});
