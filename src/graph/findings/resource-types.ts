/**
 * Whether a statement's Resource can name a resource of a given type, from the ARN formats of the
 * service authorization data (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`).
 *
 * Both sides are patterns: the Resource has IAM wildcards (`*`, `?`; policy variables count as
 * `*`), the format has named parts. They can meet when some ARN matches both, which is decided by
 * walking the two patterns together (the product of their automata), never by regular
 * expressions built from policy text.
 *
 * What a named part may hold is not in the data, so it is read from the format itself: a part
 * cannot hold the character written right after it (`${DatabaseName}/` holds no `/`), and a part
 * that ends a format cannot hold `/` when another type of the service continues that format with
 * `/` (a bucket name holds no `/`, because `${BucketName}/${ObjectName}` is an object). Any other
 * part may hold anything, so secret names and role paths keep their slashes, and qualified Lambda
 * ARNs (`function:f:alias`) still name the function.
 */
import { BoundedCache } from "../../cache/bounded-cache.js";
import { resourceTypes } from "../../catalog/catalog.js";

export type Token = { char: string } | { part: string; excludes: ReadonlySet<string> };
export type Wild = "*" | "?" | string;

const cache = new Map<string, Map<string, Token[]>>();
const NO_FORMATS: ReadonlyMap<string, Token[]> = new Map();

function formatsOf(service: string): ReadonlyMap<string, Token[]> {
  let formats = cache.get(service);
  if (!formats) {
    const types = resourceTypes(service);
    // A service the data does not have (policies may name any) is not remembered.
    if (!types) return NO_FORMATS;
    formats = new Map();
    const raw = Object.entries(types).map(([key, t]) => [key, t.arn] as const);
    for (const [key, arn] of raw)
      formats.set(
        key,
        tokenize(
          arn,
          raw.map(([, a]) => a),
        ),
      );
    cache.set(service, formats);
  }
  return formats;
}

function tokenize(format: string, siblings: readonly string[]): Token[] {
  const tokens: Token[] = [];
  const re = /\$\{(\w+)\}/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    for (const char of format.slice(last, m.index)) tokens.push({ char });
    last = m.index + m[0].length;
    const next = format[last];
    const excludes = new Set<string>();
    if (next !== undefined) excludes.add(next);
    else if (siblings.some((s) => s.startsWith(`${format}/`))) excludes.add("/");
    tokens.push({ part: m[1] as string, excludes });
  }
  for (const char of format.slice(last)) tokens.push({ char });
  return tokens;
}

function wildTokens(resource: string): Wild[] {
  return [...resource.replace(/\$\{[^}]*\}/g, "*")];
}

/**
 * Whether some ARN matches both the Resource pattern and the format's tokens. A state (i, j) has
 * read i of the Resource and j of the format; every move keeps or advances both, so the states are
 * swept one Resource position at a time, two rows of the format's length in memory, whatever the
 * Resource's length (a hostile one costs time in proportion, never memory). A row's states lie
 * between `lo` and `hi`, and only those are visited: a literal stretch of the Resource holds one
 * state or a few, so a step costs what is alive, not the format's length.
 */
export function meet(a: readonly Wild[], b: readonly Token[]): boolean {
  if (scratch[0].length < b.length + 2) scratch = [new Uint8Array(2 * (b.length + 2)), new Uint8Array(2 * (b.length + 2))];
  let [row, next] = scratch;
  row[0] = 1;
  let lo = 0;
  let hi = 0;
  for (let i = 0; ; i++) {
    const x = a[i];
    // Moves within the row, left to right: a named part may hold nothing; a star takes the format's next character.
    for (let j = lo; j <= hi && j < b.length; j++)
      if (row[j] && ("part" in (b[j] as Token) || x === "*")) {
        row[j + 1] = 1;
        if (j + 1 > hi) hi = j + 1;
      }
    if (x === undefined) {
      const met = row[b.length] === 1;
      row.fill(0, lo, hi + 1);
      return met;
    }
    let nextLo = b.length + 1;
    let nextHi = -1;
    for (let j = lo; j <= hi; j++) {
      if (!row[j]) continue;
      const y = b[j];
      let to: number;
      // A star may match nothing; a star against a part takes nothing new (the row's moves did the rest).
      if (x === "*") to = j;
      else if (y === undefined) continue;
      else if ("char" in y) {
        if (x !== "?" && x !== y.char) continue;
        to = j + 1;
      } else if (x === "?" || !y.excludes.has(x)) to = j;
      else continue;
      next[to] = 1;
      if (to < nextLo) nextLo = to;
      if (to > nextHi) nextHi = to;
    }
    row.fill(0, lo, hi + 1);
    if (nextHi < 0) return false;
    [row, next] = [next, row];
    [lo, hi] = [nextLo, nextHi];
  }
}
/** The two rows meet sweeps, kept between calls (all zero between them) and grown for a longer format. */
let scratch: [Uint8Array, Uint8Array] = [new Uint8Array(64), new Uint8Array(64)];

/**
 * Whether a Resource entry can name a resource of the type, or undefined when the data has no
 * format for the type (then nothing is claimed).
 */
export function canName(service: string, type: string, resource: string): boolean | undefined {
  const tokens = formatsOf(service.toLowerCase()).get(type.toLowerCase());
  if (!tokens) return undefined;
  // A statement's actions often share a resource type, and statements their resources: each pair is
  // walked once. By the Resource's text (a policy's own string, asked about again and again), then by
  // the type's format (one array per type, made once): no key is made per question.
  if (resource.length > LONGEST_KEPT) return meet(wildTokens(resource), tokens);
  let answers = NAMED.get(resource);
  if (answers === undefined) NAMED.set(resource, (answers = new Map()));
  let answer = answers.get(tokens);
  if (answer === undefined) {
    answer = meet(wildTokens(resource), tokens);
    // Every answer counts against the bound, however the Resources share them out.
    if (++named > NAMED_LIMIT) {
      NAMED.clear();
      named = 0;
    }
    answers.set(tokens, answer);
  }
  return answer;
}

/** Whether a type's format and a Resource meet, by Resource (short ones only) and format: at most NAMED_LIMIT answers. */
const NAMED = new BoundedCache<string, Map<readonly Token[], boolean>>(50_000);
const NAMED_LIMIT = 100_000;
const LONGEST_KEPT = 600;
let named = 0;
