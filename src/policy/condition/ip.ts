import { createRequire } from "node:module";
import type ipaddrModule from "ipaddr.js";
import { BoundedCache } from "../../cache/bounded-cache.js";
import { joined, type OperatorFamily } from "./operator.js";

type Address = ipaddrModule.IPv4 | ipaddrModule.IPv6;

/**
 * ipaddr.js, a CommonJS package, is required on first use, not imported: an `import` has Node scan
 * its 38 KB source for named exports on every start (about 5 ms of `simulate --request`), though
 * most runs compare no address.
 */
let ipaddrLoaded: typeof ipaddrModule | undefined;
function ipaddr(): typeof ipaddrModule {
  return (ipaddrLoaded ??= createRequire(import.meta.url)("ipaddr.js") as typeof ipaddrModule);
}
type Cidr = [Address, number];

const FOUR_PART = /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/;

/**
 * Addresses parsed, by text (null: not an address), never changed once made: the same few (a
 * request's aws:SourceIp, a policy's CIDR blocks) recur across a batch's requests and the graph's
 * decisions, and each is read twice per test (accepts, then matches). Texts up to 64 characters are
 * kept (an IPv6 address with an IPv4 tail and a zone, with room to spare).
 */
const ADDRESSES = new BoundedCache<string, Address | null>(10_000, 64);

function parseAddress(given: string): Address | undefined {
  // A long text (spaces around an address) is looked up trimmed: parsed once, not for each range it meets.
  const text = given.length > 64 ? given.trim() : given;
  let address = ADDRESSES.get(text);
  if (address === undefined) {
    address = parseAddressText(text) ?? null;
    ADDRESSES.set(text, address);
  }
  return address ?? undefined;
}

/**
 * An IPv4 address in dotted four-part decimal, or an IPv6 address. Each family's parser is
 * called directly: ipaddr.js's generic entry points try IPv6 first and throw for every IPv4 input.
 */
function parseAddressText(text: string): Address | undefined {
  const trimmed = text.trim();
  // Longer than any address (IPv6 with an IPv4 tail is at most 45 characters; aws:SourceIp holds no
  // zone): not one, and not parsed anew for each range a long value meets (only 64 characters are cached).
  if (trimmed.length > 64) return undefined;
  if (trimmed.includes(":")) return ipaddr().IPv6.isValid(trimmed) ? ipaddr().IPv6.parse(trimmed) : undefined;
  return FOUR_PART.test(trimmed) && ipaddr().IPv4.isValid(trimmed) ? ipaddr().IPv4.parse(trimmed) : undefined;
}

/** An address or CIDR block (RFC 4632), IPv4 or IPv6; a bare address is a block of one. */
function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const address = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const max = address.kind() === "ipv4" ? 32 : 128;
  if (slash < 0) return [address, max];
  const bitsText = text.slice(slash + 1).trim();
  const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : -1;
  return bits >= 0 && bits <= max ? [address, bits] : undefined;
}

/** IpAddress / NotIpAddress. An IPv4-mapped IPv6 address is compared as IPv4. */
export const ipAddress: OperatorFamily<Cidr> = {
  variables: false,
  expects: "an IP address or CIDR block",
  accepts: (request) => parseAddress(request) !== undefined,
  prepare: (value) => parseCidr(joined(value)),
  matches: (request, [range, bits]) => {
    let address = parseAddress(request);
    if (address === undefined) return false;
    if (address.kind() === "ipv6" && range.kind() === "ipv4" && (address as ipaddrModule.IPv6).isIPv4MappedAddress()) {
      address = (address as ipaddrModule.IPv6).toIPv4Address();
    }
    return address.kind() === range.kind() && address.match(range, bits);
  },
};
