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

type Token = { char: string } | { part: string; excludes: ReadonlySet<string> };
type Wild = "*" | "?" | string;

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
 * Resource's length (a hostile one costs time in proportion, never memory).
 */
function meet(a: readonly Wild[], b: readonly Token[]): boolean {
  let row = new Uint8Array(b.length + 1);
  let next = new Uint8Array(b.length + 1);
  row[0] = 1;
  for (let i = 0; ; i++) {
    const x = a[i];
    // Moves within the row, left to right: a named part may hold nothing; a star takes the format's next character.
    for (let j = 0; j < b.length; j++) if (row[j] && ("part" in (b[j] as Token) || x === "*")) row[j + 1] = 1;
    if (x === undefined) return row[b.length] === 1;
    next.fill(0);
    let any = false;
    for (let j = 0; j <= b.length; j++) {
      if (!row[j]) continue;
      const y = b[j];
      // A star may match nothing; a star against a part takes nothing new (the row's moves did the rest).
      if (x === "*") next[j] = 1;
      else if (y === undefined) continue;
      else if ("char" in y) {
        if (x !== "?" && x !== y.char) continue;
        next[j + 1] = 1;
      } else if (x === "?" || !y.excludes.has(x)) next[j] = 1;
      else continue;
      any = true;
    }
    if (!any) return false;
    [row, next] = [next, row];
  }
}

/**
 * Whether a Resource entry can name a resource of the type, or undefined when the data has no
 * format for the type (then nothing is claimed).
 */
export function canName(service: string, type: string, resource: string): boolean | undefined {
  const tokens = formatsOf(service.toLowerCase()).get(type.toLowerCase());
  if (!tokens) return undefined;
  // A statement's actions often share a resource type, and statements their resources: each pair is walked once.
  // Type names hold spaces (Lambda's "function alias"): the parts are joined by a line break, which none holds.
  const key = `${service.toLowerCase()}\n${type.toLowerCase()}\n${resource}`;
  let answer = NAMED.get(key);
  if (answer === undefined) {
    answer = meet(wildTokens(resource), tokens);
    NAMED.set(key, answer);
  }
  return answer;
}

/** Whether a type's format and a Resource meet, by service, type and Resource (keys up to 600 characters: short Resources only). */
const NAMED = new BoundedCache<string, boolean>(50_000, 600);
