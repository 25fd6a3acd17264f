// A file written where a test wants it, whatever was there (a file a test replaces, folders that do not exist yet).
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

export async function putFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await rm(path, { force: true });
  await writeFile(path, text);
}
