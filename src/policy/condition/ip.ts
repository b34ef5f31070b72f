import ipaddr from "ipaddr.js";
import { joined, type OperatorFamily } from "./operator.js";

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** An address or CIDR block (RFC 4632), IPv4 or IPv6; a bare address is a block of one. */
function parseCidr(text: string): Cidr | undefined {
  const trimmed = text.trim();
  try {
    if (trimmed.includes("/")) return ipaddr.parseCIDR(trimmed);
    const address = ipaddr.parse(trimmed);
    return [address, address.kind() === "ipv4" ? 32 : 128];
  } catch {
    return undefined;
  }
}

function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  try {
    return ipaddr.parse(text.trim());
  } catch {
    return undefined;
  }
}

/** IpAddress / NotIpAddress. An IPv4-mapped IPv6 address is compared as IPv4. */
export const ipAddress: OperatorFamily<Cidr> = {
  variables: false,
  expects: "an IP address or CIDR block",
  prepare: (value) => parseCidr(joined(value)),
  matches: (request, [range, bits]) => {
    let address = parseAddress(request);
    if (address === undefined) return false;
    if (address.kind() === "ipv6" && range.kind() === "ipv4" && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
      address = (address as ipaddr.IPv6).toIPv4Address();
    }
    return address.kind() === range.kind() && address.match(range, bits);
  },
};
