import { typeIs } from "./definitions.ts";

/**
 * Machine (proxy) opens — Apple Mail Privacy Protection first — decided in this order, whatever the
 * recipient's mailbox provider: MPP prefetches the images of every message read in Apple Mail, Gmail
 * and Yahoo addresses included (https://www.apple.com/legal/privacy/data/en/mail-privacy-protection/):
 * 1. the source says so (SendGrid `sg_machine_open`, stored as `machine_open`);
 * 2. the reader IP is in Apple's published egress ranges, when the user gives that CSV
 *    (https://mask-api.icloud.com/egress-ip-ranges.csv, `prefix,country,region,city,`; IPv4 prefixes);
 * 3. heuristic: an open from Apple's own network 17.0.0.0/8 (registered to Apple Inc. at ARIN), the crude
 *    fallback seen in code; it misses relays on Akamai/Cloudflare/Fastly, so it undercounts.
 * Everything else is a human open. Measure ids `machine_open`, `human_open`, `human_engagement`.
 */
export interface OpenRules {
  /** Reader IPs of the store's opens found in Apple's egress ranges (temp table `apple_proxy_ips`). */
  proxyIps: number;
  /** SQL: the row is a machine open (meaningful for opens). */
  machineOpen: string;
  /** SQL: the row is human engagement, a click or an open not judged machine. */
  humanEngagement: string;
}

/**
 * The rules as SQL over `event_rows`/`events` columns. The egress test is left out when no proxy IP was
 * found: DuckDB plans `IN (SELECT …)` as a join every row of the scan goes through, even when empty.
 */
export function openRules(proxyIps: number): OpenRules {
  const egress = proxyIps > 0 ? "reader_ip IN (SELECT ip FROM apple_proxy_ips) OR " : "";
  const machineOpen = `(coalesce(machine_open, ${egress}starts_with(reader_ip, '17.'), false))`;
  return {
    proxyIps,
    machineOpen,
    humanEngagement: `(${typeIs("click")} OR (${typeIs("open")} AND NOT ${machineOpen}))`,
  };
}

/** The rules without Apple's egress CSV: source flags, then the 17.0.0.0/8 heuristic. */
export const SOURCE_AND_HEURISTIC = openRules(0);
