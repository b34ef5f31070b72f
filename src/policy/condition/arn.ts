import { compilePieces, globMatches, type Glob, type PatternPiece } from "../wildcard.js";
import { parseArn } from "../../aws/arn.js";
import type { OperatorFamily } from "./operator.js";

/**
 * ArnEquals / ArnLike (and their negations): AWS checks each of the six colon-delimited
 * components separately, each of which may hold `*` and `?`. A pattern with fewer than six
 * components is matched against the whole ARN.
 */
type ArnPattern = { parts: Glob[] } | { whole: Glob };

function splitPieces(value: readonly PatternPiece[]): PatternPiece[][] {
  const parts: PatternPiece[][] = [[]];
  for (const piece of value) {
    if (piece.literal) {
      (parts[parts.length - 1] as PatternPiece[]).push(piece);
      continue;
    }
    const chunks = piece.text.split(":");
    chunks.forEach((chunk, i) => {
      if (i > 0) {
        if (parts.length < 6) parts.push([]);
        else (parts[5] as PatternPiece[]).push({ text: ":", literal: true });
      }
      (parts[parts.length - 1] as PatternPiece[]).push({ text: chunk, literal: false });
    });
  }
  return parts;
}

function components(arn: string): string[] | undefined {
  const parsed = parseArn(arn);
  return parsed ? ["arn", parsed.partition, parsed.service, parsed.region, parsed.account, parsed.resource] : undefined;
}

export const arnLike: OperatorFamily<ArnPattern> = {
  variables: true,
  expects: "an ARN or ARN pattern",
  accepts: (request) => components(request) !== undefined,
  prepare: (value) => {
    const parts = splitPieces(value);
    return parts.length === 6 ? { parts: parts.map((p) => compilePieces(p)) } : { whole: compilePieces(value) };
  },
  matches: (request, pattern) => {
    if ("whole" in pattern) return globMatches(pattern.whole, request);
    const parts = components(request);
    return parts !== undefined && pattern.parts.every((glob, i) => globMatches(glob, parts[i] as string));
  },
};
