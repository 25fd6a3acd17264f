// A command line a tool printed for a person, pasted into a shell as it is: the test of a printed command is
// that it does what it says with the real CLI.
import { spawn } from "node:child_process";
import { DEFAULT_RESUME_PROMPT } from "../../src/sessions/resume-command.js";

/** Runs `command` in `sh -c` with `env`, answering its exit code and stderr (asynchronously: a fake model may answer it from this process). */
export function pasted(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", command], { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

/** A printed resume command with the person's own prompt (one without a single quote) in place of the default. */
export function withPrompt(command: string, prompt: string): string {
  const printed = `'${DEFAULT_RESUME_PROMPT}'`;
  if (!command.endsWith(printed) || prompt.includes("'")) throw new Error(`cannot re-prompt ${command}`);
  return `${command.slice(0, -printed.length)}'${prompt}'`;
}
