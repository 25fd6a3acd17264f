// execa is loaded on first use: a server that only reads session logs never pays for it at start-up.
let loaded: Promise<typeof import("execa")> | undefined;

export function loadExeca(): Promise<typeof import("execa")> {
  return (loaded ??= import("execa"));
}
