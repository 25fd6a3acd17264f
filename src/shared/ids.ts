// Codex's session ids. A session id read from a log goes into `codex exec resume` argv and printed commands,
// so only this shape ever does: anything else (`--config=…`) could be read as an option.
export const SESSION_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
