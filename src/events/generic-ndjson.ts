import { canonicalField, genericEvent } from "./generic.ts";
import { jsonEvents } from "./json-records.ts";
import type { EventSource, Out, ParseContext } from "./source.ts";
import { problem } from "./source.ts";
import { isObject } from "./values.ts";

/** deliverlens generic NDJSON: one object per line with the documented field names (docs/FORMATS.md). */
export const genericNdjson: EventSource = {
  id: "ndjson",
  source: "docs/FORMATS.md (deliverlens generic schema)",
  detect: (head) =>
    /^\s*[[{]/.test(head) && /"(?:type|event)"\s*:/.test(head) && /"(?:recipient|email|time)"\s*:/.test(head),
  create: (context) =>
    jsonEvents(context, (item, _file, lineNo, out) => genericRecord(item, context, lineNo, out)),
};

function genericRecord(value: unknown, context: ParseContext, lineNo: number, out: Out): void {
  if (!isObject(value)) {
    out.push(problem(context.file, lineNo, "record is not an object"));
    return;
  }
  const fields = new Map<string, unknown>();
  for (const [key, field] of Object.entries(value)) {
    const name = canonicalField(key);
    if (!fields.has(name)) fields.set(name, field);
  }
  const result = genericEvent((name) => fields.get(name), context.file, lineNo, context.tz);
  out.push(
    typeof result === "string" ? problem(context.file, lineNo, result, JSON.stringify(value)) : result,
  );
}
