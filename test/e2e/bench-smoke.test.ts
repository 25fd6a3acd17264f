// Keeps `npm run bench` runnable: the quick mode on tiny inputs must print the whole table.
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

it("the bench runs end to end on tiny inputs and prints every row", async () => {
  const tsx = join(root, "node_modules", ".bin", "tsx");
  const { stdout } = await promisify(execFile)(tsx, ["bench/run.ts", "--quick"], {
    cwd: root,
    timeout: 240_000,
    maxBuffer: 1024 * 1024,
  });
  const rows = stdout.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| what"));
  expect(rows.map((row) => row.split(" | ")[0]?.slice(2))).toEqual([
    "last_function_calls (limit 10)",
    "token_usage",
    "session_summary",
    "`ls -lt` of one day's folder",
    "server start → tools/list answered",
    "`node -e 0` (Node's own start, same run)",
    "run_codex (fake model) vs `codex exec`",
    "list_sessions (limit 20)",
    "token_usage on `last`",
    "token_usage on an 8-character id prefix",
    "token_usage on a full id",
    "token_usage on a UUIDv4 id (pre-0.39: a walk of the folder names)",
    // the start-up table (bench/startup.ts): the code cache, the ESM build, `node -e 0`
    "new server → tools/list answered",
    "new server → token_usage answered before (saved answer)",
    "`codex-control-mcp summary <id>` (to exit)",
    "`codex-control-mcp usage <id>` (to exit)",
    "`codex-control-mcp calls <id>` (to exit)",
    "`codex-control-mcp sessions` (to exit)",
    "`codex-control-mcp report` (to exit)",
  ]);
  for (const row of rows.slice(0, 7)) expect(Number(row.split(" | ")[2])).toBeGreaterThan(0);
  // first call, and a new server on the indexed file, for each tool on a rollout
  for (const row of rows.slice(0, 3))
    expect(
      row
        .split(" | ")
        .slice(3, 6)
        .map(Number)
        .every((ms) => ms > 0),
    ).toBe(true);
  // warm / first call by the number of sessions
  for (const row of rows.slice(7, 12)) expect(row.split(" | ")[1]).toMatch(/^\d+(?:\.\d+)? \/ \d+(?:\.\d+)?/);
  // start-up: median (min) as built, without the code cache, without either, and node's own
  for (const row of rows.slice(12))
    expect([1, 3, 5, 7].map((cell) => row.split(" | ")[cell])).toEqual(Array(4).fill(expect.stringMatching(/^\d/)));
}, 300_000);
