import type { Blocklist, BlocklistData } from "../src/audit/blocklist-data.ts";
import { listQueryName } from "../src/audit/blocklists.ts";
import type { ZoneData, ZoneFault } from "../src/dns/zones.ts";

/** A listing to publish: `target` (IP or domain) answers `answer` on the list `list` (id). */
export interface ListingSpec {
  list: string;
  target: string;
  answer: string;
  text?: string;
}

export interface DnsblZoneOptions {
  listings?: ListingSpec[];
  /** Lists that answer this error answer for every name asked (test point and the given targets). */
  refusing?: { list: string; answer: string; targets: string[] }[];
  /** Lists whose names all fail (test point and targets). */
  faulty?: { list: string; fault: ZoneFault; targets: string[] }[];
  /** Lists whose test point is not published (the list looks dead). */
  deadProbe?: string[];
}

/** The answer a healthy list gives for its RFC 5782 test point. */
export function testPointAnswer(list: Blocklist): string {
  const first = list.codes[0];
  return list.scale === "bitmask" ? `127.0.0.${first.bit}` : first.answer!;
}

/**
 * DNSBL zones for the loopback server built from a blocklist data file: every list's test point is
 * listed unless told otherwise, plus the listings, refusals and faults a test asks for.
 */
export function dnsblZones(data: BlocklistData, options: DnsblZoneOptions = {}): ZoneData {
  const zones: ZoneData = {};
  const byId = (id: string) => {
    const list = data.lists.find((l) => l.id === id);
    if (!list) throw new Error(`no list ${id} in the data`);
    return list;
  };
  const name = (list: Blocklist, target: string) => {
    const qname = listQueryName(list, target);
    if (!qname) throw new Error(`cannot build a query name for ${target}`);
    return qname;
  };
  for (const list of data.lists) {
    if (options.deadProbe?.includes(list.id)) continue;
    zones[name(list, list.testPoint.listed)] = { A: [testPointAnswer(list)] };
  }
  for (const listing of options.listings ?? []) {
    const list = byId(listing.list);
    zones[name(list, listing.target)] = {
      A: [listing.answer],
      TXT: listing.text ? [listing.text] : undefined,
    };
  }
  for (const refusal of options.refusing ?? []) {
    const list = byId(refusal.list);
    for (const target of [list.testPoint.listed, ...refusal.targets])
      zones[name(list, target)] = { A: [refusal.answer] };
  }
  for (const fault of options.faulty ?? []) {
    const list = byId(fault.list);
    for (const target of [list.testPoint.listed, ...fault.targets])
      zones[name(list, target)] = { fault: fault.fault };
  }
  return zones;
}
