// Commands as a person pastes them into a POSIX shell.

/** One word, quoted only when it needs to be. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** An argv as one command line; `bash -lc "script"` shows as its script. */
export function joinArgv(argv: string[]): string {
  const shell = argv[0]?.split("/").pop();
  if (argv.length === 3 && (shell === "bash" || shell === "sh" || shell === "zsh") && /^-l?c$/.test(argv[1] ?? "")) {
    return argv[2] ?? "";
  }
  return argv.map(shellQuote).join(" ");
}
