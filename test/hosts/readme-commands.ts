// The host commands the README gives, each run by a test (test/hosts/*.test.ts, scripts/verify-hosts.ts).
// The drift test in node-hosts.test.ts fails when the README shows a host command that is not listed here.
export const README_COMMANDS = {
  claude: "claude mcp add codex-control -s user -e CODEX_HOME=$HOME/.codex -- npx -y codex-control-mcp",
  claudeList: "claude mcp list",
  gemini: "gemini mcp add -s user -e CODEX_HOME=$HOME/.codex -e 'OPENAI_API_KEY=$OPENAI_API_KEY' codex-control npx -y codex-control-mcp",
  codex: "codex mcp add codex-control --env CODEX_HOME=$HOME/.codex -- npx -y codex-control-mcp",
  openclaw: "openclaw mcp add codex-control --command npx --arg -y --arg codex-control-mcp --env CODEX_HOME=$HOME/.codex --env 'OPENAI_API_KEY=${OPENAI_API_KEY}'",
  openclawProbe: "openclaw mcp probe codex-control",
  opencodeList: "opencode mcp list",
} as const;
