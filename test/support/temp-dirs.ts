// Runs before every test file: the file's temp dirs (mkdtemp under os.tmpdir(), in the tests and in the
// programs they spawn) go to a folder of its own, removed when the file's tests are done.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

// the run's root (global-setup.ts), not tmpdir(): a worker that runs several files still has the last one's TMPDIR
const fileTemp = mkdtempSync(join(process.env.CCM_TEST_TMP_ROOT ?? tmpdir(), "f-"));
process.env.TMPDIR = fileTemp;

afterAll(() => {
  rmSync(fileTemp, { recursive: true, force: true });
});
