import { readFile } from "node:fs/promises";
import ipaddr from "ipaddr.js";
import { typeIs } from "../../measures/index.ts";
import { type OpenRules, openRules, SOURCE_AND_HEURISTIC } from "../../measures/opens.ts";
import type { Store } from "../../store/index.ts";

export { type OpenRules, openRules, SOURCE_AND_HEURISTIC } from "../../measures/opens.ts";

/**
 * Fills the temp table `apple_proxy_ips` with the open reader IPs inside the egress CSV's IPv4 ranges,
 * and returns the rules to use on this connection (and on others given the table by `shareAppleEgress`).
 */
export async function loadAppleEgress(store: Store, csvPath: string | null): Promise<OpenRules> {
  await store.run("CREATE OR REPLACE TEMP TABLE apple_proxy_ips (ip VARCHAR)");
  if (!csvPath) return SOURCE_AND_HEURISTIC;
  const ranges = parseEgressCsv(await readFile(csvPath, "utf8"));
  await store.run("CREATE OR REPLACE TEMP TABLE apple_egress (lo UBIGINT, hi UBIGINT)");
  await store.run(
    'INSERT INTO apple_egress SELECT unnest(from_json($rows, \'[{"lo":"UBIGINT","hi":"UBIGINT"}]\'), recursive := true)',
    { rows: JSON.stringify(ranges) },
  );
  const found = await store.exec(`INSERT INTO apple_proxy_ips
    WITH ips AS (
      SELECT DISTINCT reader_ip AS ip FROM event_rows
      WHERE ${typeIs("open")} AND machine_open IS NULL AND regexp_full_match(reader_ip, '\\d+\\.\\d+\\.\\d+\\.\\d+')
    ), numbered AS (
      SELECT ip, list_reduce(list_transform(string_split(ip, '.'), x -> x::UBIGINT), (a, b) -> a * 256 + b) AS n FROM ips
    )
    SELECT DISTINCT ip FROM numbered JOIN apple_egress ON n BETWEEN lo AND hi`);
  return openRules(found);
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
