import { csvRecords } from "./csv-records.ts";
import { canonicalField, genericEvent } from "./generic.ts";
import type { EventSource } from "./source.ts";
import { problem } from "./source.ts";

/** deliverlens generic CSV: a header row naming columns of the documented schema (docs/FORMATS.md). */
export const genericCsv: EventSource = {
  id: "csv",
  source: "docs/FORMATS.md (deliverlens generic schema)",
  detect: (head) => {
    const header = head.slice(0, head.indexOf("\n") >>> 0).replace(/^\uFEFF/, "");
    if (header.startsWith("{") || header.indexOf(",") < 0) return false;
    const names = new Set(header.split(",").map((name) => canonicalField(name.replace(/"/g, ""))));
    return names.has("type") && (names.has("recipient") || names.has("time"));
  },
  create: (context) =>
    csvRecords(context, {
      fromHeader: (columns) => {
        const positions = new Map<string, number>();
        columns.names.forEach((name, i) => {
          const key = canonicalField(name.replace(/^\uFEFF/, ""));
          if (!positions.has(key)) positions.set(key, i);
        });
        if (!positions.has("type")) return "generic CSV header needs a `type` column (docs/FORMATS.md)";
        return (fields, lineNo, out) => {
          const get = (name: string) => {
            const at = positions.get(name);
            return at === undefined ? undefined : fields[at];
          };
          const result = genericEvent(get, context.file, lineNo, context.tz);
          out.push(
            typeof result === "string" ? problem(context.file, lineNo, result, fields.join(",")) : result,
          );
        };
      },
    }),
};
