import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, deflateRawSync, gunzipSync, gzipSync } from "node:zlib";
import type { AggregateReport, AggregateRow } from "../src/dmarc/types.ts";

/**
 * Generated DMARC aggregate reports (RFC 7489 appendix C shape) for tests and bench/dmarc.ts, and a
 * minimal zip writer (deflate entries, optionally with a lying size header) so tests build hostile zips
 * without a zip library.
 */

export interface GeneratedRow {
  ip: string;
  count: number;
  dkim?: "pass" | "fail";
  spf?: "pass" | "fail";
  disposition?: "none" | "quarantine" | "reject";
  reasons?: string[];
  comment?: string;
  headerFrom?: string;
  dkimDomain?: string;
  dkimResult?: string;
  spfDomain?: string;
  spfResult?: string;
  /** More DKIM signatures after the first (a list's own signature, …). */
  moreDkim?: { domain: string; result: string }[];
}

export interface GeneratedReport {
  reporter?: string;
  reportId: string;
  begin: number;
  end: number;
  domain?: string;
  p?: "none" | "quarantine" | "reject";
  rows: GeneratedRow[];
}

const esc = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function aggregateXml(report: GeneratedReport): string {
  const domain = report.domain ?? "example.com";
  const reporter = report.reporter ?? "google.com";
  const records = report.rows
    .map((row) => {
      const reasons = (row.reasons ?? [])
        .map(
          (type) =>
            `<reason><type>${type}</type>${row.comment ? `<comment>${esc(row.comment)}</comment>` : ""}</reason>`,
        )
        .join("");
      return `<record><row><source_ip>${row.ip}</source_ip><count>${row.count}</count><policy_evaluated><disposition>${row.disposition ?? "none"}</disposition><dkim>${row.dkim ?? "pass"}</dkim><spf>${row.spf ?? "pass"}</spf>${reasons}</policy_evaluated></row><identifiers><header_from>${row.headerFrom ?? domain}</header_from></identifiers><auth_results><dkim><domain>${row.dkimDomain ?? domain}</domain><selector>s1</selector><result>${row.dkimResult ?? row.dkim ?? "pass"}</result></dkim>${(row.moreDkim ?? []).map((d) => `<dkim><domain>${d.domain}</domain><selector>s2</selector><result>${d.result}</result></dkim>`).join("")}<spf><domain>${row.spfDomain ?? domain}</domain><result>${row.spfResult ?? row.spf ?? "pass"}</result></spf></auth_results></record>\n`;
    })
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>
<feedback>
<report_metadata><org_name>${esc(reporter)}</org_name><email>noreply-dmarc@${esc(reporter)}</email><report_id>${esc(report.reportId)}</report_id><date_range><begin>${report.begin}</begin><end>${report.end}</end></date_range></report_metadata>
<policy_published><domain>${domain}</domain><adkim>r</adkim><aspf>r</aspf><p>${report.p ?? "none"}</p><sp>none</sp><pct>100</pct></policy_published>
${records}</feedback>
`;
}

/** A parsed aggregate report (as src/dmarc/aggregate-xml.ts returns it) with `rows`, for the store's tests. */
export function parsedReport(
  rows: AggregateRow[],
  begin: number,
  end: number,
  reportId = "1",
): AggregateReport {
  const policy = { domain: "example.com", p: "none", sp: null, np: null, pct: null, adkim: null, aspf: null };
  return {
    kind: "dmarc-aggregate",
    schema: "rfc7489",
    reporter: "google.com",
    reporterEmail: null,
    reportId,
    begin,
    end,
    generator: null,
    errors: [],
    policy: { ...policy, fo: null, testing: null },
    rows,
    part: "",
  };
}

/** The vendored parsedmarc samples' XML (plain and gzipped), by file name, for the readers' parity tests. */
export function parsedmarcXmlSamples(
  dir = fileURLToPath(new URL("../test/fixtures/dmarc/parsedmarc/", import.meta.url)),
): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...parsedmarcXmlSamples(path));
    else if (/\.xml$/.test(name)) out.push([name, readFileSync(path)]);
    else if (/\.xml\.gz$/.test(name)) out.push([name, gunzipSync(readFileSync(path))]);
  }
  return out;
}

/** A mutation: a position and what goes there (the characters and strings XML's syntax turns on). */
export const XML_MUTATION_PIECES = [
  "<",
  ">",
  "/",
  "&",
  ";",
  '"',
  "'",
  "=",
  "!",
  "?",
  "-",
  "[",
  "]",
  " ",
  "\n",
  "\r",
  ":",
  "#",
  "x",
  "a",
  "é",
  "\u0000",
  "\u0007",
  "\uFFFE",
  "&amp;",
  "&#60;",
  "&#x26;",
  "&bogus;",
  "<!--",
  "-->",
  "<![CDATA[",
  "]]>",
  "<?",
  "?>",
  "<?xml version='1.0'?>",
  "</",
  "/>",
  "<x>",
  "</x>",
  "<x/>",
  "<!DOCTYPE x>",
  "\u00B7",
  "1",
];

export interface ZipFile {
  name: string;
  data: Buffer;
  /** Write this uncompressed size in the headers instead of the real one (a lying zip). */
  declaredSize?: number;
  /** Store without compression. */
  stored?: boolean;
  /** The entry's deflated bytes and CRC-32, made elsewhere (a body too large to deflate in memory). */
  deflated?: { body: Buffer; crc: number };
}

/** A zip archive of `files` (deflated), central directory included. */
export function zip(files: readonly ZipFile[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, "utf8");
    const body = file.deflated?.body ?? (file.stored ? file.data : deflateRawSync(file.data));
    const crc = file.deflated?.crc ?? crc32(file.data);
    const size = file.declaredSize ?? file.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(file.stored ? 0 : 8, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(file.stored ? 0 : 8, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

export { seededRandom as random } from "./events-postfix-log.ts";
export { gzipSync };
