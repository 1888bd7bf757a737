import ipaddr from "ipaddr.js";

/** Lowercase, without the trailing dot: the form names are compared and cached in. */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

/** Whether a name can exist in the DNS (RFC 1035 2.3.4): no empty labels, labels ≤ 63, name ≤ 253 octets. */
export function isValidDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name.split(".").every((label) => label.length > 0 && label.length <= 63);
}

/**
 * The reversed-nibble/octet form of an IP, without suffix: "192.0.2.7" → "7.2.0.192".
 * Used for PTR (`.in-addr.arpa` / `.ip6.arpa`) and DNSBL queries (RFC 5782). Null for a non-IP.
 */
export function reversedIp(ip: string): string | null {
  if (!ipaddr.isValid(ip)) return null;
  const parsed = ipaddr.process(ip);
  if (parsed.kind() === "ipv4") return parsed.toByteArray().reverse().join(".");
  const hex = parsed
    .toByteArray()
    .map((byte) => byte.toString(16).padStart(2, "0"))
    .join("");
  return [...hex].reverse().join(".");
}

/** The PTR query name for an IP, or null for a non-IP. */
export function reverseName(ip: string): string | null {
  const reversed = reversedIp(ip);
  if (reversed === null) return null;
  return `${reversed}.${ipaddr.process(ip).kind() === "ipv4" ? "in-addr.arpa" : "ip6.arpa"}`;
}
