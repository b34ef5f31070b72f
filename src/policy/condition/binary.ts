import { equality, joined, type OperatorFamily } from "./operator.js";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function canonical(text: string): string | undefined {
  const trimmed = text.trim();
  if (!BASE64.test(trimmed) || trimmed.length % 4 === 1) return undefined;
  return Buffer.from(trimmed, "base64").toString("base64");
}

/** BinaryEquals: base64-encoded values compared byte for byte. */
export const binaryEquals: OperatorFamily<string> = equality({
  variables: false,
  expects: "a base64-encoded value",
  prepare: (value) => canonical(joined(value)),
  canonical,
});
