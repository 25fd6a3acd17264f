// What every command is, and running one: its arguments parsed, --help, wrong usage answered with the
// command's usage line (exit 2). Kept apart from the list of commands (index.ts), which loads every command's
// modules: `report` runs through here alone (cli.ts), so a cold report starts only what it uses.
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { ServerConfig } from "../config/config.js";

export interface Command {
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Positional arguments the command takes (a session). */
  positionals: number;
  run(
    values: Record<string, string | boolean | undefined>,
    positionals: string[],
    config: ServerConfig,
  ): Promise<number>;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * Runs `command` on its arguments and returns the exit code. `explain` may answer an error the command
 * threw with a message and exit code (index.ts: an unknown session's near matches); others are thrown.
 */
export async function runOne(
  command: Command,
  args: string[],
  config: ServerConfig,
  explain?: (error: unknown, ref: string | undefined) => Promise<[string, number] | undefined>,
): Promise<number> {
  let ref: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: numbersAttached(args, command.options),
      options: command.options,
      allowPositionals: true,
      strict: true,
    });
    ref = positionals[0];
    if (values.help) return print(`Usage: codex-control-mcp ${command.usage}`, 0);
    if (positionals.length > command.positionals)
      throw new UsageError(`unexpected argument "${positionals[command.positionals]}"`);
    return await command.run(values as Record<string, string | boolean | undefined>, positionals, config);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      return fail(`${(error as Error).message}\nUsage: codex-control-mcp ${command.usage}`, 2);
    }
    const explained = await explain?.(error, ref);
    if (explained) return fail(...explained);
    throw error;
  }
}

/**
 * `-n -5` reads to parseArgs as an option with no value: attach a value that is a negative number, so the
 * answer is about the number ("expected a whole number ≥ 1"), not about dashes.
 */
function numbersAttached(args: string[], options: Command["options"]): string[] {
  const takesValue = new Set(
    Object.entries(options).flatMap(([long, spec]) =>
      spec.type === "string" ? [`--${long}`, ...(spec.short ? [`-${spec.short}`] : [])] : [],
    ),
  );
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const next = args[i + 1];
    if (takesValue.has(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(
        `${arg.startsWith("--") ? arg : `--${Object.entries(options).find(([, spec]) => `-${spec.short}` === arg)?.[0]}`}=${next}`,
      );
      i++;
    } else out.push(arg);
  }
  return out;
}

export function print(text: string, code: number): number {
  process.stdout.write(`${text}\n`); // stdout-ok: the CLI's own output
  return code;
}

export function fail(message: string, code: number): number {
  process.stderr.write(`codex-control-mcp: ${message}\n`);
  return code;
}
