import { canonicalField, GENERIC_CSV_TABLE } from "./generic.ts";
import type { EventSource } from "./source.ts";
import { tableParser } from "./table-parser.ts";

/** deliverlens generic CSV: a header row naming columns of the documented schema (docs/FORMATS.md). */
export const genericCsv: EventSource = {
  id: "csv",
  source: GENERIC_CSV_TABLE.source,
  table: GENERIC_CSV_TABLE,
  detect: (head) => {
    const header = head.slice(0, head.indexOf("\n") >>> 0).replace(/^\uFEFF/, "");
    if (header.startsWith("{") || header.indexOf(",") < 0) return false;
    const names = new Set(header.split(",").map((name) => canonicalField(name.replace(/"/g, ""))));
    return names.has("type") && (names.has("recipient") || names.has("time"));
  },
  create: (context) => tableParser(GENERIC_CSV_TABLE, context),
};
