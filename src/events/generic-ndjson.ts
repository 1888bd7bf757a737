import { GENERIC_NDJSON_TABLE } from "./generic.ts";
import type { EventSource } from "./source.ts";
import { tableParser } from "./table-parser.ts";

/** deliverlens generic NDJSON: one object per line with the documented field names (docs/FORMATS.md). */
export const genericNdjson: EventSource = {
  id: "ndjson",
  source: GENERIC_NDJSON_TABLE.source,
  table: GENERIC_NDJSON_TABLE,
  detect: (head) =>
    /^\s*[[{]/.test(head) && /"(?:type|event)"\s*:/.test(head) && /"(?:recipient|email|time)"\s*:/.test(head),
  create: (context) => tableParser(GENERIC_NDJSON_TABLE, context),
};
