// The architecture as lint enforces it: every file under src/ is in a zone (its folder; the entry files at the
// root are the zone "entry"), and each zone names what it may import. An allowlist: a new folder is in no zone
// until it is added here, and a dynamic import() is checked like a static one.
import { dirname, relative, resolve, sep } from "node:path";

/** The MCP SDK belongs to the server's MCP layer only. */
const MCP_LAYER = new Set(["entry", "tools", "resources", "prompts", "commands"]);

/**
 * What each zone may import, by zone; `sessions/index` is the sessions zone's public API alone. The server's
 * side of a run (runs) and the supervisor's process (supervisor) meet only through the contract.
 */
export const ZONES = {
  shared: [],
  sessions: ["shared"],
  codex: ["shared", "sessions/index"],
  contract: ["shared", "codex", "sessions/index"],
  supervisor: ["contract", "codex", "shared", "sessions/index"],
  runs: ["contract", "codex", "shared", "sessions/index"],
  config: ["codex", "runs", "sessions/index", "shared"],
  text: ["sessions", "runs", "shared"],
  doctor: ["codex", "config", "contract", "runs", "sessions/index", "shared"],
  export: ["sessions/index", "shared"],
  tools: [
    "codex",
    "config",
    "contract",
    "doctor",
    "export",
    "prompts",
    "resources",
    "runs",
    "sessions",
    "shared",
    "text",
    "tools",
  ],
  resources: ["config", "runs", "sessions", "shared", "text", "tools"],
  prompts: ["sessions", "shared", "tools"],
  commands: ["codex", "config", "contract", "doctor", "export", "runs", "sessions", "shared", "text", "tools"],
  entry: [
    "codex",
    "commands",
    "config",
    "doctor",
    "prompts",
    "resources",
    "runs",
    "sessions",
    "shared",
    "text",
    "tools",
    "entry",
  ],
};

const WHY = {
  supervisor: "the supervisor is its own process: it meets the server only through src/contract",
  runs: "the server's side of a run meets the supervisor only through src/contract",
};

function zoneOf(srcDir, file) {
  const rel = relative(srcDir, file);
  if (rel.startsWith("..") || rel === "") return undefined;
  const parts = rel.split(sep);
  return parts.length === 1 ? { zone: "entry", rest: parts[0] } : { zone: parts[0], rest: parts.slice(1).join("/") };
}

export function zonesPlugin(srcDir) {
  const rule = {
    meta: {
      type: "problem",
      schema: [],
      messages: {
        outside: "{{from}} may not import {{target}}: {{why}}",
        unzoned: "{{file}} is in no zone: add its folder to the zone table in eslint/zones.js",
      },
    },
    create(context) {
      const file = context.filename;
      const from = zoneOf(srcDir, file);
      if (!from) return {};
      const allowed = ZONES[from.zone];
      const check = (node, source) => {
        if (typeof source !== "string") return;
        if (!source.startsWith(".")) {
          if (source.startsWith("@modelcontextprotocol/") && !MCP_LAYER.has(from.zone)) {
            context.report({
              node,
              messageId: "outside",
              data: {
                from: `src/${from.zone}`,
                target: source,
                why: "only the MCP layer (tools, resources, prompts, commands, the entry files) speaks MCP",
              },
            });
          }
          return;
        }
        const target = zoneOf(srcDir, resolve(dirname(file), source));
        if (!target || target.zone === from.zone) return;
        const ok =
          allowed.includes(target.zone) ||
          (allowed.includes(`${target.zone}/index`) && target.rest.replace(/\.[jt]s$/, "") === "index");
        if (!ok) {
          const why =
            WHY[target.zone] ??
            `src/${from.zone} may import ${allowed.length > 0 ? allowed.map((zone) => `src/${zone}`).join(", ") : "nothing of ours"}`;
          context.report({
            node,
            messageId: "outside",
            data: { from: `src/${from.zone}`, target: `src/${target.zone}/${target.rest}`, why },
          });
        }
      };
      return {
        Program(node) {
          if (!allowed) context.report({ node, messageId: "unzoned", data: { file: relative(srcDir, file) } });
        },
        ImportDeclaration: (node) => check(node, node.source.value),
        ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
        ExportAllDeclaration: (node) => check(node, node.source.value),
        ImportExpression: (node) => check(node, node.source.type === "Literal" ? node.source.value : undefined),
      };
    },
  };
  return { rules: { imports: rule } };
}
