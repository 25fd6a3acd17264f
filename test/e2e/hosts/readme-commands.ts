// The host commands the README and docs/hosts.md give, each run by a test (test/e2e/hosts/*.test.ts) or by
// scripts/verify-hosts.ts. They are the checkout form (`codex-control-mcp` on PATH after `npm install -g .`);
// once the package is published, `npx -y codex-control-mcp` stands where `codex-control-mcp` does.
// The drift test (readme-drift.test.ts) fails when a document shows a host command that is not listed here.
export const README_COMMANDS = {
  claude: "claude mcp add codex-control -s user -e CODEX_HOME=$HOME/.codex -- codex-control-mcp",
  claudeList: "claude mcp list",
  gemini:
    "gemini mcp add -s user -e CODEX_HOME=$HOME/.codex -e 'CODEX_API_KEY=$CODEX_API_KEY' codex-control codex-control-mcp",
  geminiRemove: "gemini mcp remove -s user codex-control",
  codex: "codex mcp add codex-control --env CODEX_HOME=$HOME/.codex -- codex-control-mcp",
  openclaw:
    "openclaw mcp add codex-control --command codex-control-mcp --env CODEX_HOME=$HOME/.codex --env 'CODEX_API_KEY=${CODEX_API_KEY}'",
  openclawProbe: "openclaw mcp probe codex-control",
  opencodeList: "opencode mcp list",
  copilot:
    "copilot mcp add codex-control --env CODEX_HOME=$HOME/.codex --env CODEX_API_KEY=$CODEX_API_KEY -- codex-control-mcp",
  copilotList: "copilot mcp list",
  qwen: "qwen mcp add -e CODEX_HOME=$HOME/.codex codex-control codex-control-mcp",
  qwenList: "qwen mcp list",
  amp: "amp mcp add codex-control --env CODEX_HOME=$HOME/.codex -- codex-control-mcp",
  ampDoctor: "amp mcp doctor",
  auggie:
    "auggie mcp add codex-control --command codex-control-mcp --env CODEX_HOME=$HOME/.codex --env 'CODEX_API_KEY=${CODEX_API_KEY}'",
  auggieList: "auggie mcp list",
} as const;
