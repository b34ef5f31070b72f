import type { RequestContext } from "./context.js";
import type { PatternPiece } from "./wildcard.js";

/**
 * Policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`) and the escapes
 * `${*}`, `${?}`, `${$}` that stand for a literal `*`, `?` and `$`. AWS replaces variables only in
 * policies whose Version is 2012-10-17; in older policies the text is literal.
 */
export type TemplatePart =
  { kind: "text"; text: string } | { kind: "literal"; text: string } | { kind: "variable"; key: string; fallback: string | undefined };

export interface Template {
  parts: readonly TemplatePart[];
  /** True when the template contains a variable and so must be resolved per request. */
  dynamic: boolean;
}

const ESCAPES = new Map([
  ["*", "*"],
  ["?", "?"],
  ["$", "$"],
]);

/**
 * Splits a variable's trimmed text at its default: `key, 'value'` (AWS: "surround the default value
 * with single quotes and separate the variable text and the default value with a comma and space").
 * The key ends at the first comma; the default is the quoted rest, which holds no quote. A scan,
 * not a regex: a backtracking pattern makes a long key with inner spaces cost its length squared.
 */
function splitDefault(inner: string): { key: string; fallback: string | undefined } {
  const comma = inner.indexOf(",");
  if (comma > 0) {
    const rest = inner.slice(comma + 1).trimStart();
    const quoted = rest.length >= 2 && rest.startsWith("'") && rest.endsWith("'") && rest.indexOf("'", 1) === rest.length - 1;
    if (quoted) return { key: inner.slice(0, comma).trim(), fallback: rest.slice(1, -1) };
  }
  return { key: inner, fallback: undefined };
}

export function parseTemplate(text: string): Template {
  if (!text.includes("${")) return { parts: [{ kind: "text", text }], dynamic: false };
  const parts: TemplatePart[] = [];
  let dynamic = false;
  let from = 0;
  let plain = "";
  while (from < text.length) {
    const open = text.indexOf("${", from);
    const close = open < 0 ? -1 : text.indexOf("}", open + 2);
    if (open < 0 || close < 0) {
      plain += text.slice(from);
      break;
    }
    plain += text.slice(from, open);
    const inner = text.slice(open + 2, close).trim();
    const escape = ESCAPES.get(inner);
    if (escape !== undefined || inner.length > 0) {
      if (plain) parts.push({ kind: "text", text: plain });
      plain = "";
      if (escape !== undefined) parts.push({ kind: "literal", text: escape });
      else {
        dynamic = true;
        const { key, fallback } = splitDefault(inner);
        parts.push({ kind: "variable", key: key.toLowerCase(), fallback });
      }
    } else plain += text.slice(open, close + 1);
    from = close + 1;
  }
  if (plain) parts.push({ kind: "text", text: plain });
  return { parts, dynamic };
}

/**
 * Replaces variables with the request's values. A substituted value is literal (a `*` in a
 * user name is not a wildcard). Returns null when a variable's key is absent (or multivalued)
 * and it has no default: AWS then treats the element as not matching.
 */
export function resolveTemplate(template: Template, context: RequestContext): PatternPiece[] | null {
  const pieces: PatternPiece[] = [];
  for (const part of template.parts) {
    if (part.kind === "text") pieces.push({ text: part.text, literal: false });
    else if (part.kind === "literal") pieces.push({ text: part.text, literal: true });
    else {
      const values = context.get(part.key);
      if (values && values.length === 1) pieces.push({ text: values[0] as string, literal: true });
      else if (part.fallback !== undefined) pieces.push({ text: part.fallback, literal: true });
      else return null;
    }
  }
  return pieces;
}

/** How many characters resolved pieces hold: what making a value of them costs (work.ts). */
export function piecesLength(pieces: readonly PatternPiece[]): number {
  let length = 0;
  for (let i = 0; i < pieces.length; i++) length += (pieces[i] as PatternPiece).text.length;
  return length;
}

/** The pieces of a template that has no variable. */
export function staticPieces(template: Template): PatternPiece[] {
  return template.parts.map((p) => ({ text: p.kind === "variable" ? "" : p.text, literal: p.kind === "literal" }));
}
