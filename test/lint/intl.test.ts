// Lint keeps Intl's number formatting out of src/ (its first use costs a command or a server's first answer
// 10–20 ms): count() in src/shared/text.ts is the one place allowed to fall back to it.
import { ESLint } from "eslint";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

async function ruleErrors(file: string, code: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: root }).lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-syntax").map((m) => m.message);
}

describe("toLocaleString", () => {
  it("is refused in src/ and allowed in src/shared/text.ts", async () => {
    const code = 'export const tokens = (n: number): string => n.toLocaleString("en-US");\n';
    expect(await ruleErrors("src/sessions/report/render.ts", code)).toEqual([
      "count() (src/shared/text.ts) formats a count for people without Intl.",
    ]);
    expect(await ruleErrors("src/shared/text.ts", code)).toEqual([]);
    expect(
      await ruleErrors("src/sessions/report/render.ts", "export const n = (x: number): string => String(x);\n"),
    ).toEqual([]);
  });
});
