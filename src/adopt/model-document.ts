/**
 * The imported model as YAML: built with the `yaml` package's Document API, so every value from the
 * inventory is escaped by the library (never concatenated into YAML text), and each entry carries a
 * comment saying where it came from.
 */
import { Document, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap, type YAMLSeq } from "yaml";
import { unicodeEscape } from "../text/escape.js";

/** A value of the model and the comment saying where it came from. */
export interface Commented<T> {
  value: T;
  comment: string;
}

export interface ModelParts {
  name: string;
  accounts: ReadonlyMap<string, Commented<Record<string, unknown>>>;
  clusters: ReadonlyMap<string, Commented<Record<string, unknown>>>;
  workloads: ReadonlyMap<string, Commented<Record<string, unknown>>>;
  grants: readonly Commented<Record<string, unknown>>[];
  /** The model's `audit:`, where the inventory holds the audit role it generates. */
  audit?: Commented<Record<string, unknown>> | undefined;
  /** What the inventory holds that the model does not say, each said in a comment at the end. */
  notImported: readonly string[];
  /** Findings at or above high that verify will report on the inventory, for the team to fix or accept. */
  findings: readonly string[];
}

/** The first line of every model xacct import writes: how `--out` knows a file is its own. */
export const IMPORT_HEADER = "# Written by xacct import";

/** A comment's text on one line per entry: control characters from the inventory shown as escapes. */
function commentText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return ` ${text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, unicodeEscape)}`;
}

export function modelDocument(parts: ModelParts): string {
  const doc = new Document({ version: 1, name: parts.name, accounts: {}, workloads: {}, grants: [] });
  doc.commentBefore = commentText(
    `${IMPORT_HEADER.slice(2)} from an inventory: each entry says where it came from. Review it, name the accounts and clusters, then xacct verify --model this --inventory DIR.`,
  );
  const end: string[] = [];
  if (parts.notImported.length)
    end.push(
      " Not in this model (the inventory holds it; the model cannot say it, or build would write it otherwise):",
      ...parts.notImported.map((w) => commentText(`- ${w}`)),
    );
  if (parts.findings.length)
    end.push(
      " Findings verify will report on the inventory: fix each, or accept it under accept: with the team's reason:",
      ...parts.findings.map((f) => commentText(`- ${f}`)),
    );
  if (end.length) doc.comment = end.join("\n");
  const section = (key: string, entries: ReadonlyMap<string, Commented<Record<string, unknown>>>) => {
    const map = doc.createNode(new Map([...entries].map(([k, v]) => [k, v.value])), { aliasDuplicateObjects: false }) as YAMLMap;
    for (const pair of map.items as Pair<Node, Node>[]) {
      const key = (pair.key as { value?: unknown }).value;
      const entry = typeof key === "string" ? entries.get(key) : undefined;
      if (entry) (pair.key as Node).commentBefore = commentText(entry.comment);
      flowLeaves(pair.value);
    }
    doc.set(key, map);
  };
  section("accounts", parts.accounts);
  if (parts.clusters.size) section("clusters", parts.clusters);
  section("workloads", parts.workloads);
  // A value shared by several grants (one role's statements) is written out each time, never as a YAML alias.
  const grants = doc.createNode(
    parts.grants.map((g) => g.value),
    { aliasDuplicateObjects: false },
  ) as YAMLSeq;
  grants.items.forEach((item, i) => {
    (item as Node).commentBefore = commentText(parts.grants[i]?.comment ?? "");
    if (isMap(item))
      for (const pair of item.items as Pair<Node, Node>[]) {
        const key = (pair.key as { value?: unknown }).value;
        if (key !== "statements") flowLeaves(pair.value);
      }
  });
  doc.set("grants", grants);
  if (parts.audit) {
    const audit = doc.createNode(parts.audit.value) as YAMLMap;
    flowLeaves(audit);
    const key = doc.createNode("audit");
    key.commentBefore = commentText(parts.audit.comment);
    (doc.contents as YAMLMap).items.push(doc.createPair(key, audit));
  }
  // Keys in the order a person reads a model: version, name, accounts, clusters, workloads, grants, audit.
  const order = ["version", "name", "accounts", "clusters", "workloads", "grants", "audit"];
  const rank = (pair: Pair) => order.indexOf(String(isScalar(pair.key) ? pair.key.value : pair.key));
  (doc.contents as YAMLMap).items.sort((a, b) => rank(a) - rank(b));
  return doc.toString({ lineWidth: 0 });
}

/** Small maps and lists of scalars in flow style ({ id: "1", region: … }), as the examples write them. */
function flowLeaves(node: unknown): void {
  if (isSeq(node) && node.items.every((i) => !isMap(i) && !isSeq(i))) node.flow = true;
  if (isMap(node)) {
    if (node.items.every((p) => !isMap(p.value) && !isSeq(p.value)) && node.items.length <= 4) node.flow = true;
    else for (const p of node.items) flowLeaves(p.value);
  }
}
