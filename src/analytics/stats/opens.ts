import { readFile } from "node:fs/promises";
import ipaddr from "ipaddr.js";
import type { Store } from "../../store/index.ts";

/**
 * Machine (proxy) opens, Apple Mail Privacy Protection first, decided in this order:
 * 1. the source says so (SendGrid `sg_machine_open`, stored as `machine_open`);
 * 2. the reader IP is in Apple's published egress ranges, when the user gives that CSV
 *    (https://mask-api.icloud.com/egress-ip-ranges.csv, `prefix,country,region,city,`; IPv4 prefixes);
 * 3. heuristic: an open at an Apple recipient from Apple's own 17.0.0.0/8 — the crude fallback seen in
 *    code (providers-and-codes.md §5); it misses relays on Akamai/Cloudflare/Fastly, so it undercounts.
 * Everything else is a human open.
 */
export const MACHINE_OPEN_SQL = `(coalesce(machine_open, reader_ip IN (SELECT ip FROM apple_proxy_ips)
  OR (provider = 'apple' AND starts_with(reader_ip, '17.')), false))`;

export const HUMAN_ENGAGEMENT_SQL = `(type = 'click' OR (type = 'open' AND NOT ${MACHINE_OPEN_SQL}))`;

/** Fills the temp table `apple_proxy_ips` with the open reader IPs inside the egress CSV's IPv4 ranges. */
export async function loadAppleEgress(store: Store, csvPath: string | null): Promise<number> {
  await store.run("CREATE OR REPLACE TEMP TABLE apple_proxy_ips (ip VARCHAR)");
  if (!csvPath) return 0;
  const ranges = parseEgressCsv(await readFile(csvPath, "utf8"));
  await store.run("CREATE OR REPLACE TEMP TABLE apple_egress (lo UBIGINT, hi UBIGINT)");
  await store.run(
    'INSERT INTO apple_egress SELECT unnest(from_json($rows, \'[{"lo":"UBIGINT","hi":"UBIGINT"}]\'), recursive := true)',
    { rows: JSON.stringify(ranges) },
  );
  return store.exec(`INSERT INTO apple_proxy_ips
    WITH ips AS (
      SELECT DISTINCT reader_ip AS ip FROM event_rows
      WHERE type = 'open' AND machine_open IS NULL AND regexp_full_match(reader_ip, '\\d+\\.\\d+\\.\\d+\\.\\d+')
    ), numbered AS (
      SELECT ip, list_reduce(list_transform(string_split(ip, '.'), x -> x::UBIGINT), (a, b) -> a * 256 + b) AS n FROM ips
    )
    SELECT DISTINCT ip FROM numbered JOIN apple_egress ON n BETWEEN lo AND hi`);
}

/** Gives `to` (another connection) the `apple_proxy_ips` temp table `from` has loaded. */
export async function shareAppleEgress(from: Store, to: Store): Promise<void> {
  const rows = await from.all<{ ip: string }>("SELECT ip FROM apple_proxy_ips ORDER BY ip");
  await to.run("CREATE OR REPLACE TEMP TABLE apple_proxy_ips (ip VARCHAR)");
  if (rows.length === 0) return;
  await to.run(`INSERT INTO apple_proxy_ips SELECT unnest(from_json($ips, '["VARCHAR"]'))`, {
    ips: JSON.stringify(rows.map((row) => row.ip)),
  });
}

/** IPv4 prefixes of Apple's egress CSV as integer ranges; other lines (IPv6, comments, junk) are skipped. */
export function parseEgressCsv(text: string): { lo: number; hi: number }[] {
  const ranges: { lo: number; hi: number }[] = [];
  for (const line of text.split(/\r?\n/)) {
    const prefix = line.split(",", 1)[0]?.trim() ?? "";
    if (!prefix.includes(".") || !ipaddr.isValidCIDR(prefix)) continue;
    const [address, bits] = ipaddr.parseCIDR(prefix);
    const octets = address.toByteArray();
    const lo = (((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3]) >>> 0;
    const size = 2 ** (32 - bits);
    const start = lo - (lo % size);
    ranges.push({ lo: start, hi: start + size - 1 });
  }
  return ranges;
}
