// npm run docs: writes the generated tool table into README.md.
import { readFile, writeFile } from "node:fs/promises";
import { toolTable, withToolTable } from "./tool-table.js";

const readme = await readFile("README.md", "utf8");
await writeFile("README.md", withToolTable(readme, await toolTable()));
