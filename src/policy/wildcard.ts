/**
 * Wildcard patterns as IAM uses them in Action, Resource and the *Like condition operators:
 * `*` matches any run of characters (including `:` and `/`), `?` exactly one character.
 *
 * A pattern is compiled once into the literal segments between its stars. Matching then anchors
 * the first segment at the start, the last at the end, and finds each middle segment at its
 * leftmost place after the previous one. Leftmost placement is always safe because a later star can
 * absorb whatever a segment skipped, so there is no backtracking: no regular expression is built
 * from policy text and `a*a*a*…b` against a long input costs one scan per segment. A segment
 * holding `?` is searched bit-parallel (Shift-And), so every search is linear in the input: time
 * O(input × ⌈segment/32⌉), with bit masks of at most a few bytes per character of the segment (a
 * segment of too many distinct characters for that is searched position by position). What a
 * match examines is spent from the decision's budget (work.ts): thousands of long patterns
 * against a value of millions of characters are refused, not searched for hours.
 */

import { BoundedCache } from "../cache/bounded-cache.js";
import { spend } from "./work.js";

/** A piece of pattern text: a literal escape (`${*}`) is text whose wildcard characters match only themselves. */
export interface PatternPiece {
  text: string;
  literal: boolean;
}

interface Segment {
  text: string;
  /** Positions that are a `?` wildcard; null when the segment has none. */
  anyChar: Uint8Array | null;
  /**
   * For segments with `?`: per character, the Shift-And bit masks of the positions it may fill;
   * undefined for a short segment, or one of too many distinct characters for masks of bounded size.
   */
  shiftAnd?: ShiftAnd | undefined;
}

interface ShiftAnd {
  words: number;
  /** Each character's row in `masks`; a character the segment does not hold has row 0 (its `?` positions only). */
  rows: Map<number, number>;
  /** The masks, `words` words a row, in one array (an array each would cost more than its bits). */
  masks: Uint32Array;
}

export interface Glob {
  /** The pattern has no wildcard: compare by equality. */
  readonly exact: string | null;
  readonly first: Segment;
  readonly middle: readonly Segment[];
  /** Null when the pattern has no star (then `first` must match the whole input). */
  readonly last: Segment | null;
  readonly minLength: number;
  readonly caseInsensitive: boolean;
  readonly matchesEverything: boolean;
}

const CACHE_LIMIT = 50_000;
/**
 * The longest pattern kept: longer than any action and than the ARNs policies name in practice. A
 * longer one (a hostile policy's) is compiled each time it is met, so the cache's memory stays bounded.
 */
const LONGEST_KEPT = 512;
const cache = [new BoundedCache<string, Glob>(CACHE_LIMIT, LONGEST_KEPT), new BoundedCache<string, Glob>(CACHE_LIMIT, LONGEST_KEPT)];
/**
 * Shared by every glob without a middle segment (most of them): frozen, and so walked by index,
 * never by for-of. V8 walks a frozen list by its generic iterator, allocating at every step, and
 * the engine walks this one in every match (so too the grant index's shared lists).
 */
const NO_SEGMENTS: readonly Segment[] = Object.freeze([]);

/**
 * Compiles a pattern given as plain text (every `*` and `?` is a wildcard). The same patterns
 * recur across policies and requests, so compiled ones are kept (a bounded cache, emptied when full).
 */
export function compileGlob(pattern: string, caseInsensitive = false): Glob {
  const exact = !pattern.includes("*") && !pattern.includes("?");
  // Exact case-sensitive patterns (mostly ARNs) rarely repeat: one small object each, compared by
  // equality. Case-insensitive ones (actions) repeat across every policy: shared like wildcards.
  if (exact && !caseInsensitive)
    return {
      exact: pattern,
      first: { text: pattern, anyChar: null },
      middle: NO_SEGMENTS,
      last: null,
      minLength: pattern.length,
      caseInsensitive,
      matchesEverything: false,
    };
  const known = cache[caseInsensitive ? 1 : 0] as BoundedCache<string, Glob>;
  let glob = known.get(pattern);
  if (glob === undefined) {
    glob = compilePieces([{ text: pattern, literal: false }], caseInsensitive);
    // A glob with Shift-And masks (a long segment holding `?`: rare in policies) is not kept: a
    // batch of hostile patterns would fill the cache with their masks, line after line.
    if (![glob.first, ...glob.middle, glob.last].some((segment) => segment?.shiftAnd)) known.set(pattern, glob);
  }
  return glob;
}

/** Compiles a pattern given as pieces, some of which may be literal (from `${*}`, `${?}` escapes or variable values). */
export function compilePieces(pieces: readonly PatternPiece[], caseInsensitive = false): Glob {
  const made = new SegmentMaker();
  const segments: Segment[] = [];
  let text = "";
  let anyChar: number[] = [];
  let stars = 0;
  for (const piece of pieces) {
    const value = caseInsensitive ? piece.text.toLowerCase() : piece.text;
    if (piece.literal) {
      text += value;
      continue;
    }
    // Cut at each star with slices (flat strings), never character by character.
    for (let from = 0; ;) {
      const star = value.indexOf("*", from);
      const part = star < 0 ? value.slice(from) : value.slice(from, star);
      for (let q = part.indexOf("?"); q >= 0; q = part.indexOf("?", q + 1)) anyChar.push(text.length + q);
      text += part;
      if (star < 0) break;
      segments.push(made.segment(text, anyChar));
      text = "";
      anyChar = [];
      stars++;
      from = star + 1;
    }
  }
  segments.push(made.segment(text, anyChar));
  const first = segments[0] as Segment;
  const minLength = segments.reduce((n, s) => n + s.text.length, 0);
  if (stars === 0) {
    return {
      exact: first.anyChar ? null : first.text,
      first,
      middle: NO_SEGMENTS,
      last: null,
      minLength,
      caseInsensitive,
      matchesEverything: false,
    };
  }
  return {
    exact: null,
    first,
    middle: segments.length > 2 ? segments.slice(1, -1).filter((s) => s.text.length > 0) : NO_SEGMENTS,
    last: segments[segments.length - 1] as Segment,
    minLength,
    caseInsensitive,
    matchesEverything: minLength === 0,
  };
}

/**
 * Segments shorter than this are searched position by position (plainSearch, every comparison
 * spent): as quick as Shift-And on what policies hold, and without masks, whose map and array
 * would weigh more than a short segment's characters.
 */
const SHIFT_AND_FROM = 64;

/**
 * Makes a pattern's segments, each alike one once and each `?` mask once: a hostile `*?*?*?…` of
 * millions of segments holds one, and `*?a*?b*?c…` one mask, not an array per segment.
 */
class SegmentMaker {
  private readonly segments = new Map<string, Segment>();
  private readonly masks = new Map<string, Uint8Array>();

  segment(text: string, anyChar: readonly number[]): Segment {
    if (anyChar.length === 0) return { text, anyChar: null };
    const positions = `${text.length}:${anyChar.join(",")}`;
    const key = `${positions}|${text}`;
    // A short segment (`?`, `?:?`) is shared by every pattern: hundreds of thousands of ArnLike
    // values, each cut into six patterns, would otherwise hold a mask each.
    const short = text.length <= SHARED_UP_TO;
    let segment = short ? SHORT_SEGMENTS.get(key) : this.segments.get(key);
    if (segment) return segment;
    let mask = this.masks.get(positions);
    if (!mask) {
      mask = new Uint8Array(text.length);
      for (const i of anyChar) mask[i] = 1;
      this.masks.set(positions, mask);
    }
    segment = { text, anyChar: mask, shiftAnd: text.length >= SHIFT_AND_FROM ? shiftAndMasks(text, mask) : undefined };
    if (short) SHORT_SEGMENTS.set(key, segment);
    else this.segments.set(key, segment);
    return segment;
  }
}

/** Segments with `?` of at most this many characters are made once for all patterns (never changed once made). */
const SHARED_UP_TO = 8;
const SHORT_SEGMENTS = new BoundedCache<string, Segment>(10_000);

/**
 * The Shift-And masks of a segment, or undefined when they would take more than about 8 bytes a
 * character of the segment: one mask of ⌈length/32⌉ words per distinct character, so a long
 * segment of thousands of distinct characters would need memory in the square of its length.
 */
function shiftAndMasks(text: string, any: Uint8Array): ShiftAnd | undefined {
  const words = Math.ceil(text.length / 32);
  const distinct = new Set<number>();
  for (let j = 0; j < text.length; j++) if (!any[j]) distinct.add(text.charCodeAt(j));
  if (distinct.size * words > 2 * text.length + 64) return undefined;
  const rows = new Map<number, number>();
  for (const code of distinct) rows.set(code, rows.size + 1);
  const masks = new Uint32Array((distinct.size + 1) * words);
  for (let j = 0; j < text.length; j++) {
    const bit = 1 << (j & 31);
    if (!any[j]) masks[(rows.get(text.charCodeAt(j)) as number) * words + (j >>> 5)]! |= bit;
    // A `?` position is open to every character: set in every row.
    else for (let row = 0; row <= distinct.size; row++) masks[row * words + (j >>> 5)]! |= bit;
  }
  return { words, rows, masks };
}

/** True when `input` matches the whole pattern. For case-insensitive globs, pass the input as is. */
export function globMatches(glob: Glob, input: string): boolean {
  if (glob.matchesEverything) return true;
  return globMatchesLowered(glob, glob.caseInsensitive ? input.toLowerCase() : input);
}

/**
 * Whether any of the case-insensitive globs (Action and NotAction entries) matches an input already
 * lower-cased (an action, as the engine holds it for a request): nothing is made per test, where
 * lower-casing again would copy the input each time.
 */
export function anyGlobLowered(globs: readonly Glob[], lowerInput: string): boolean {
  for (let i = 0; i < globs.length; i++) {
    const g = globs[i] as Glob;
    if (g.matchesEverything || globMatchesLowered(g, lowerInput)) return true;
  }
  return false;
}

/** globMatches, with the input as the glob compares it (lower-cased for a case-insensitive one). */
function globMatchesLowered(glob: Glob, s: string): boolean {
  if (glob.exact !== null) return s === glob.exact;
  if (s.length < glob.minLength) return false;
  // The anchored segments are compared with at most minLength characters of the input.
  spend(glob.minLength);
  if (glob.last === null) return s.length === glob.first.text.length && segmentAt(glob.first, s, 0);
  if (!segmentAt(glob.first, s, 0)) return false;
  const end = s.length - glob.last.text.length;
  if (!segmentAt(glob.last, s, end)) return false;
  let pos = glob.first.text.length;
  for (let i = 0; i < glob.middle.length; i++) {
    const segment = glob.middle[i] as Segment;
    const found = findSegment(segment, s, pos, end);
    if (found < 0) return false;
    pos = found + segment.text.length;
  }
  return pos <= end;
}

function segmentAt(segment: Segment, s: string, at: number): boolean {
  const t = segment.text;
  if (segment.anyChar === null) return s.startsWith(t, at);
  for (let i = 0; i < t.length; i++) {
    if (segment.anyChar[i] === 0 && s.charCodeAt(at + i) !== t.charCodeAt(i)) return false;
  }
  return at + t.length <= s.length;
}

/** A literal middle segment longer than this is spent for as a search that may compare it at each place. */
const LONG_SEARCH = 32;

/** Leftmost position >= from where the segment fits wholly before `limit`, or -1. */
function findSegment(segment: Segment, s: string, from: number, limit: number): number {
  const last = limit - segment.text.length;
  if (segment.anyChar === null) {
    const { length } = segment.text;
    // V8's search for a long text may compare much of it at each place (quadratic on some shapes):
    // spent before, by the most it may compare.
    if (length > LONG_SEARCH) spend((limit - from) * (length >>> 4));
    const at = s.indexOf(segment.text, from);
    // For a short text, a native search passes about fifty characters in the time the engine's own loops compare one.
    if (length <= LONG_SEARCH) spend(((at < 0 ? s.length : at) - from) >>> 6);
    return at >= 0 && at <= last ? at : -1;
  }
  const { shiftAnd } = segment;
  if (shiftAnd) {
    // Spent before the search, which may pass millions of characters: each costs a look-up and a step per word.
    spend((limit - from) * (2 + shiftAnd.words));
    return shiftAndSearch(shiftAnd, segment.text.length, s, from, limit);
  }
  return plainSearch(segment, s, from, last);
}

/** findSegment for a segment without Shift-And masks: each position compared until it fails, every comparison spent. */
function plainSearch(segment: Segment, s: string, from: number, last: number): number {
  const { text } = segment;
  const any = segment.anyChar as Uint8Array;
  const length = text.length;
  // Spent every few thousand positions: a search may pass millions.
  let compared = 0;
  for (let at = from; at <= last; at++) {
    let i = 0;
    while (i < length && (any[i] === 1 || s.charCodeAt(at + i) === text.charCodeAt(i))) i++;
    if (i === length) {
      spend(compared + i);
      return at;
    }
    compared += i + 1;
    if (compared > 65_536) {
      spend(compared);
      compared = 0;
    }
  }
  spend(compared);
  return -1;
}

/** Leftmost start >= from of a fixed-length match ending before `limit`, by Shift-And. */
function shiftAndSearch({ words, rows, masks }: ShiftAnd, length: number, s: string, from: number, limit: number): number {
  const state = new Uint32Array(words);
  const lastWord = (length - 1) >>> 5;
  const lastBit = 1 << ((length - 1) & 31);
  for (let i = from; i < limit; i++) {
    const base = (rows.get(s.charCodeAt(i)) ?? 0) * words;
    let carry = 1;
    for (let w = 0; w < words; w++) {
      const value = state[w] as number;
      state[w] = ((value << 1) | carry) & (masks[base + w] as number);
      carry = value >>> 31;
    }
    if ((state[lastWord] as number) & lastBit) return i - length + 1;
  }
  return -1;
}
