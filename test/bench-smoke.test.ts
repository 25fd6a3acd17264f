// Keeps `npm run bench` runnable: the quick mode on tiny inputs must print the whole table.
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

it("the bench runs end to end on tiny inputs and prints every row", async () => {
  const tsx = join(root, "node_modules", ".bin", "tsx");
  const { stdout } = await promisify(execFile)(tsx, ["bench/run.ts", "--quick"], { cwd: root, timeout: 240_000, maxBuffer: 1024 * 1024 });
  const rows = stdout.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| what"));
  expect(rows.map((row) => row.split(" | ")[0]?.slice(2))).toEqual([
    "last_function_calls (limit 10)",
    "token_usage",
    "session_summary",
    "list_sessions (limit 20)",
    "server start → tools/list answered",
    "run_codex (fake model) vs `codex exec`",
  ]);
  for (const row of rows) expect(Number(row.split(" | ")[2])).toBeGreaterThan(0);
}, 300_000);
