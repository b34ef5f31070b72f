/** Finding nodes by name or ARN: exact matches first, then names, then ARNs that contain the text. */
import type { ReportNode } from "../types.js";

/** Up to `limit` nodes matching `text` (case-insensitive), best first. */
export function searchMatches(nodes: readonly ReportNode[], text: string, limit: number): ReportNode[] {
  const query = text.trim().toLowerCase();
  if (!query) return [];
  const score = (n: ReportNode) => {
    const label = n.label.toLowerCase();
    const arn = n.arn.toLowerCase();
    if (arn === query || n.id.toLowerCase() === query || label === query) return 0;
    if (label.startsWith(query)) return 1;
    if (label.includes(query)) return 2;
    if (arn.includes(query)) return 3;
    return -1;
  };
  const found: { node: ReportNode; score: number }[] = [];
  for (const node of nodes) {
    const s = score(node);
    if (s >= 0) found.push({ node, score: s });
  }
  return found
    .sort((a, b) => a.score - b.score || a.node.label.localeCompare(b.node.label))
    .slice(0, limit)
    .map((f) => f.node);
}
