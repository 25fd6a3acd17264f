// `-c key=value` overrides: Codex parses the value as TOML, so values are encoded as TOML literals.

/** Dotted config paths only (`model`, `sandbox_workspace_write.network_access`, `"quoted"` segments not allowed). */
export const CONFIG_KEY = /^[A-Za-z0-9_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_][A-Za-z0-9_-]*)*$/;

export function tomlValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value); // JSON string escapes are valid TOML basic-string escapes
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`config values must be finite numbers, got ${value}`);
    return String(value);
  }
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(
      ([key, inner]) =>
        `${CONFIG_KEY.test(key) && !key.includes(".") ? key : JSON.stringify(key)} = ${tomlValue(inner)}`,
    );
    return `{ ${entries.join(", ")} }`;
  }
  throw new TypeError(
    `config values must be strings, numbers, booleans, arrays or tables, got ${value === null ? "null" : typeof value}`,
  );
}
