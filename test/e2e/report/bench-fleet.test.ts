// Keeps the fleet bench runnable: its quick mode on a tiny home prints its table (ccusage left out: no install),
// and reads valgrind's instruction counts right (--instructions).
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { instructionsIn } from "../../../bench/instructions.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

it("the fleet bench runs end to end on a tiny home and prints its row", async () => {
  const tsx = join(root, "node_modules", ".bin", "tsx");
  const { stdout } = await promisify(execFile)(tsx, ["bench/fleet.ts", "--quick", "--no-ccusage"], {
    cwd: root,
    timeout: 240_000,
    maxBuffer: 1024 * 1024,
  });
  expect(stdout).toContain("ccusage latest (native binary) could not be installed or run here: not run (--no-ccusage)");
  expect(stdout).toContain("ccusage 19.0.3 (JavaScript) could not be installed or run here: not run (--no-ccusage)");
  const rows = stdout.split("\n").filter((line) => /^\| \d/.test(line));
  expect(rows).toHaveLength(1);
  const cells = (rows[0] ?? "").split(" | ");
  expect([cells[0], cells[1], cells[2], cells[3], cells.at(-1)]).toEqual(["| 50", "n/a", "n/a", "n/a", "50 |"]);
  // cold, its peak, indexed, warm, first call, server peak: all measured
  for (const cell of cells.slice(4, 10)) expect(Number(cell)).toBeGreaterThan(0);
}, 300_000);

it("adds up the instructions of every process valgrind reports, and finds none in other output", () => {
  // ccusage's Node launcher and the binary it starts, as `valgrind --trace-children=yes` prints them
  const printed = [
    "==19823== Events    : Ir",
    "==19823== Collected : 249122228",
    "==19823== ",
    "==19823== I   refs:      249,122,228",
    "==19811== I   refs:      560,813,142",
  ].join("\n");
  expect(instructionsIn(printed)).toBe(809_935_370);
  expect(instructionsIn("==19823== Collected : 249122228\nvalgrind: command not found")).toBeUndefined();
});
