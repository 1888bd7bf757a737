import { NOT_IN_ADDRESS, trimAscii } from "../util/ascii.ts";
import { type Columns, csvRecords } from "./csv-records.ts";
import type { DeliveryEvent, EventType } from "./event.ts";
import { EVENT_TYPES } from "./event.ts";
import type { Cond, EachList, EventField, Expr, FieldTable } from "./field-table.ts";
import { jsonRecords } from "./json-records.ts";
import type { LineParser, Out, ParseContext } from "./source.ts";
import { newEvent, problem } from "./source.ts";
import { TRANSFORM_JS } from "./transforms.ts";
import { bigIntegerDigits, first, isObject, str as plainText } from "./values.ts";

/**
 * Thrown where a JSON number read as text is an integer JSON.parse could not hold exactly (beyond 2^53:
 * Postmark's `ID` is an int64, its webhook documentation's example 4323372036854775807; an export's 64-bit
 * ids): its text would be the rounded double's (`4323372036854776000`, one for 512 neighbouring ids) where
 * DuckDB's reader keeps the digits. The JSON reader then parses that record again keeping them (keepDigits);
 * no other record pays anything but this test.
 */
const LOST_DIGITS = new Error("a JSON integer beyond 2^53 read as text");

/** While a record is read again with keepDigits: what is still a number there is read as before. */
let readingAgain = false;

/** `str` of values.ts, for a value read from a record: LOST_DIGITS for an integer whose digits JSON.parse lost. */
function str(value: unknown): string | null {
  if (typeof value === "number" && !readingAgain && Number.isInteger(value) && !Number.isSafeInteger(value))
    throw LOST_DIGITS;
  return plainText(value);
}

/**
 * Set by a text path that met a JSON value of another kind (an object, a list, a boolean): read as no value
 * (docs/FORMATS.md). `emit` clears it before the recipient and reads it after: an event whose recipient
 * was such a value is a problem (an object `rcpt_to` stored a bounce of no one, review R147).
 */
let otherKind = false;

function text(value: unknown): string | null {
  if (typeof value === "object" ? value !== null : typeof value === "boolean") otherKind = true;
  return str(value);
}

/**
 * JSON.parse reviver (source text access): an integer beyond 2^53 written as digits is that text, as DuckDB's
 * reader gives it; one written otherwise (`1e300`) stays a number, also as DuckDB prints it.
 */
const keepDigits = (_key: string, value: unknown, context?: { source?: string }): unknown =>
  bigIntegerDigits(value, context) ?? value;

/**
 * The streaming JS parser of a field table (src/events/field-table.ts): the table is compiled once into
 * closures, then each record is read by them. Its DuckDB twin is src/store/field-sql.ts.
 */
export function tableParser(table: FieldTable, context: ParseContext): LineParser {
  return table.shape === "csv" ? csvParser(table, context) : jsonParser(table, context);
}

/** What an expression reads: the record (JSON object or CSV row), the list item, the event so far. */
interface Scope {
  record: unknown;
  item: Record<string, unknown> | null;
  event: DeliveryEvent | null;
  type: EventType | null;
  tz: string;
}

type Read = (scope: Scope) => unknown;
type Test = (scope: Scope) => boolean;
/** Reads a path of the record, raw (JSON value, or CSV field text with "" as null). */
type PathReader = (path: string) => (record: unknown) => unknown;

interface Compiled {
  name: Read;
  type: Read;
  unknown: { test: Test; message: string };
  requires: { test: Test; message: string }[];
  roots: ((record: unknown) => unknown)[] | null;
  each:
    | {
        test: Test | null;
        lists: ((record: unknown) => unknown)[];
        orScalar: boolean;
        /** Elements are objects read by path (others are skipped), not values taken as they are. */
        objects: boolean;
        item: [string, (element: unknown) => unknown][];
      }[]
    | null;
  fields: [EventField, Read][];
  checks: { test: Test; message: string }[];
}

const NUMBER_FIELDS = new Set<EventField>(["replyCode"]);

/**
 * The types that say what became of a message to a recipient: one without a recipient (absent, empty, blank,
 * or a list of none) is a problem, never an event of no one. Engagement events keep their own rules.
 */
export const OUTCOMES: ReadonlySet<EventType> = new Set<EventType>([
  "sent",
  "delivered",
  "deferred",
  "bounced",
  "dropped",
  "complaint",
]);

function compile(table: FieldTable, path: PathReader): Compiled {
  const expr = (e: Expr): Read => compileExpr(e, path);
  const cond = (c: Cond): Test => compileCond(c, path);
  const jsonPath = jsonPathReader;
  return {
    name: expr(table.name),
    type: expr(table.type),
    unknown: { test: cond(table.unknown.cond), message: table.unknown.message },
    requires: (table.requires ?? []).map((r) => ({ test: cond(r.cond), message: r.message })),
    roots: table.roots
      ? table.roots.map((p) => (p === "" ? (record: unknown) => record : jsonPath(p)))
      : null,
    each: table.each
      ? table.each.map((list: EachList) => ({
          test: list.cond ? cond(list.cond) : null,
          lists: list.lists.map((p) => jsonPath(p)),
          orScalar: list.orScalar === true,
          objects: Object.values(list.item).some((p) => p !== ""),
          item: Object.entries(list.item).map(([name, p]) => [
            name,
            p === "" ? (element: unknown) => element : jsonPath(p),
          ]),
        }))
      : null,
    fields: Object.entries(table.fields).map(([name, e]) => [name as EventField, expr(e as Expr)]),
    checks: (table.checks ?? []).map((c) => ({ test: cond(c.cond), message: c.message })),
  };
}

function compileExpr(e: Expr, path: PathReader): Read {
  if (typeof e === "string") {
    const read = path(e);
    return (s) => text(read(s.record));
  }
  if ("path" in e) {
    const read = path(e.path);
    if (e.as === "text") return (s) => text(read(s.record));
    if (e.as === "first") return (s) => first(read(s.record));
    return (s) => read(s.record) ?? null;
  }
  if ("item" in e) {
    const name = e.item;
    return (s) => s.item?.[name] ?? null;
  }
  if ("field" in e) {
    const name = e.field;
    return (s) => (s.event ? s.event[name] : null) ?? null;
  }
  if ("value" in e) {
    const value = e.value;
    return () => value;
  }
  if ("first" in e) {
    const parts = e.first.map((part) => compileExpr(part, path));
    return (s) => {
      for (const part of parts) {
        const value = part(s);
        // "" is no value here as in every text field (str()): a transform may give it (stripAngles("<>")).
        if (value !== null && value !== undefined && value !== "") return value;
      }
      return null;
    };
  }
  if ("fn" in e) {
    const fn = TRANSFORM_JS[e.fn];
    const args = e.args.map((arg) => compileExpr(arg, path));
    return (s) =>
      fn(
        args.map((arg) => arg(s)),
        s.tz,
      );
  }
  if ("lookup" in e) {
    const table = e.lookup;
    const key = compileExpr(e.key, path);
    const otherwise = e.otherwise ? compileExpr(e.otherwise, path) : () => null;
    return (s) => {
      const k = str(key(s));
      return k !== null && Object.hasOwn(table, k) ? table[k] : otherwise(s);
    };
  }
  if ("when" in e) {
    const test = compileCond(e.when, path);
    const use = compileExpr(e.use, path);
    const otherwise = e.otherwise ? compileExpr(e.otherwise, path) : () => null;
    return (s) => (test(s) ? use(s) : otherwise(s));
  }
  if ("join" in e) {
    const parts = e.join.map((part) => compileExpr(part, path));
    const sep = e.sep;
    return (s) => {
      const texts = parts.map((part) => str(part(s))).filter((t): t is string => t !== null);
      return texts.length > 0 ? texts.join(sep) : null;
    };
  }
  const parts = e.concat.map((part) => compileExpr(part, path));
  return (s) => parts.map((part) => str(part(s)) ?? "").join("");
}

function compileCond(c: Cond, path: PathReader): Test {
  if ("type" in c) {
    const types = new Set(c.type);
    return (s) => s.type !== null && types.has(s.type);
  }
  if ("eq" in c) {
    const read = compileExpr(c.eq[0], path);
    const want = c.eq[1];
    return (s) => {
      const value = read(s);
      return (typeof value === "boolean" ? String(value) : str(value)) === want;
    };
  }
  if ("oneOf" in c) {
    const read = compileExpr(c.oneOf[0], path);
    const want = new Set(c.oneOf[1]);
    return (s) => {
      const value = str(read(s));
      return value !== null && want.has(value);
    };
  }
  if ("present" in c) {
    const read = compileExpr(c.present, path);
    return (s) => {
      const value = read(s);
      return value !== null && value !== undefined;
    };
  }
  if ("prefix" in c) {
    const read = compileExpr(c.prefix[0], path);
    const want = c.prefix[1];
    return (s) => str(read(s))?.startsWith(want) === true;
  }
  if ("match" in c) {
    const read = compileExpr(c.match[0], path);
    const pattern = new RegExp(c.match[1], "i");
    return (s) => {
      const value = str(read(s));
      return value !== null && pattern.test(value);
    };
  }
  if ("object" in c) {
    const read = path(c.object);
    return (s) => isObject(read(s.record));
  }
  if ("not" in c) {
    const inner = compileCond(c.not, path);
    return (s) => !inner(s);
  }
  const parts = ("all" in c ? c.all : c.any).map((part) => compileCond(part, path));
  return "all" in c ? (s) => parts.every((part) => part(s)) : (s) => parts.some((part) => part(s));
}

/** `a.b.c` over nested objects (own properties only: hostile keys never reach Object.prototype). */
function jsonPathReader(path: string): (record: unknown) => unknown {
  const keys = path.split(".");
  if (keys.length === 1) {
    const key = keys[0];
    return (record) => (isObject(record) && Object.hasOwn(record, key) ? record[key] : undefined);
  }
  return (record) => {
    let value: unknown = record;
    for (const key of keys) {
      if (!isObject(value) || !Object.hasOwn(value, key)) return undefined;
      value = value[key];
    }
    return value;
  };
}

/** One record → its events (or a problem) into `out`. */
function emit(compiled: Compiled, record: unknown, file: string, lineNo: number, tz: string, out: Out): void {
  const scope: Scope = { record, item: null, event: null, type: null, tz };
  for (const required of compiled.requires) {
    if (!required.test(scope)) {
      out.push(problem(file, lineNo, required.message));
      return;
    }
  }
  if (compiled.roots) {
    let root: unknown;
    for (const read of compiled.roots) {
      const value = read(record);
      if (isObject(value)) {
        root = value;
        break;
      }
    }
    if (root === undefined) return;
    scope.record = root;
  }
  const typeName = str(compiled.type(scope));
  const type = typeName !== null && Object.hasOwn(EVENT_TYPES, typeName) ? (typeName as EventType) : null;
  if (type === null) {
    if (compiled.unknown.test(scope)) {
      const name = str(compiled.name(scope));
      const message = compiled.unknown.message.replace("{name}", JSON.stringify(name ?? ""));
      out.push(problem(file, lineNo, message, rawText(scope.record)));
    }
    return;
  }
  scope.type = type;
  for (const item of items(compiled, scope)) {
    const event = newEvent(type, file, lineNo);
    scope.item = item;
    scope.event = event;
    const target = event as unknown as Record<string, unknown>;
    let noRecipient = false;
    for (const [name, read] of compiled.fields) {
      if (name === "recipient") otherKind = false;
      const value = read(scope);
      if (name === "recipient")
        noRecipient = otherKind || (typeof value === "object" ? value !== null : typeof value === "boolean");
      target[name] = NUMBER_FIELDS.has(name)
        ? typeof value === "number"
          ? value
          : null
        : name === "machineOpen"
          ? typeof value === "boolean"
            ? value
            : null
          : str(value);
    }
    if (event.recipient === null || (OUTCOMES.has(type) && trimAscii(event.recipient) === "")) {
      // An outcome of no one (review R152) is a problem, whatever left its recipient empty.
      if (noRecipient || OUTCOMES.has(type)) {
        const why = noRecipient
          ? "recipient is not an address (a JSON value of another kind)"
          : "no recipient";
        out.push(problem(file, lineNo, why, rawText(scope.record)));
        continue;
      }
    } else if (NOT_IN_ADDRESS.test(trimAscii(event.recipient))) {
      // No address holds a control character (review R152): stored, it would reach the suppression CSV raw.
      out.push(problem(file, lineNo, CONTROL_RECIPIENT, rawText(scope.record)));
      continue;
    }
    const failed = compiled.checks.find((check) => !check.test(scope));
    out.push(failed ? problem(file, lineNo, failed.message, rawText(scope.record)) : event);
  }
}

/** The problem of a recipient holding a control character (src/store/field-sql.ts gives the file to the parsers). */
export const CONTROL_RECIPIENT = "recipient is not an address (it holds a control character)";

const ONE: (Record<string, unknown> | null)[] = [null];

/** The per-recipient items of a record (`each`), or one null item for tables without lists. */
function items(compiled: Compiled, scope: Scope): (Record<string, unknown> | null)[] {
  if (!compiled.each) return ONE;
  const spec = compiled.each.find((list) => list.test === null || list.test(scope));
  if (!spec) return [];
  let list: unknown;
  for (const read of spec.lists) {
    const value = read(scope.record);
    if (Array.isArray(value)) {
      list = value;
      break;
    }
  }
  if (list === undefined) list = spec.orScalar ? [spec.lists[0]?.(scope.record) ?? null] : [];
  const elements = spec.objects ? (list as unknown[]).filter(isObject) : (list as unknown[]);
  // An outcome's list of no recipient is one item of none (a problem), not a record that vanishes uncounted.
  if (elements.length === 0) return scope.type !== null && OUTCOMES.has(scope.type) ? ONE : [];
  return elements.map((element) =>
    Object.fromEntries(spec.item.map(([name, read]) => [name, read(element)])),
  );
}

function rawText(record: unknown): string | undefined {
  try {
    return JSON.stringify(record);
  } catch {
    return undefined;
  }
}

function jsonParser(table: FieldTable, context: ParseContext): LineParser {
  const compiled = compile(table, jsonPathReader);
  const { file, tz } = context;
  const aliases = table.aliases;
  const handle = (value: unknown, lineNo: number, out: Out, exact: boolean) => {
    if (!isObject(value)) {
      out.push(problem(file, lineNo, `${table.label} is not an object`));
      return;
    }
    let record: unknown = aliases ? canonicalRecord(value, aliases) : value;
    if (table.envelope) {
      const { kind, accept, message } = table.envelope;
      const text = value[message];
      if (typeof text === "string" && str(value[kind])) {
        if (value[kind] !== accept) return;
        try {
          record = exact ? JSON.parse(text, keepDigits) : JSON.parse(text);
        } catch {
          out.push(problem(file, lineNo, `envelope ${message} is not JSON`, text));
          return;
        }
        if (!isObject(record)) {
          out.push(problem(file, lineNo, `${table.label} is not an object`));
          return;
        }
      }
    }
    emit(compiled, record, file, lineNo, tz, out);
  };
  const handleAll = (value: unknown, lineNo: number, out: Out, exact: boolean) => {
    const page = table.pages && isObject(value) ? value[table.pages] : undefined;
    const records = Array.isArray(page) ? page : Array.isArray(value) ? value : null;
    if (records) for (const item of records) handle(item, lineNo, out, exact);
    else handle(value, lineNo, out, exact);
  };
  return jsonRecords(context, (value, lineNo, out, text) => {
    const before = out.length;
    try {
      handleAll(value, lineNo, out, false);
    } catch (error) {
      if (error !== LOST_DIGITS) throw error;
      // The record's events so far are dropped and it is read again, its long integers as their digits.
      out.length = before;
      readingAgain = true;
      try {
        handleAll(JSON.parse(text, keepDigits), lineNo, out, true);
      } finally {
        readingAgain = false;
      }
    }
  });
}

/** Field names trimmed, lower-cased and through the aliases; the first name for a field wins. */
export function canonicalName(name: string, aliases: Readonly<Record<string, string>>): string {
  const key = name
    .replace(/^\uFEFF/, "")
    .trim()
    .toLowerCase();
  return Object.hasOwn(aliases, key) ? aliases[key] : key;
}

function canonicalRecord(value: Record<string, unknown>, aliases: Readonly<Record<string, string>>) {
  const record: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const name = canonicalName(key, aliases);
    if (!Object.hasOwn(record, name)) record[name] = field;
  }
  return record;
}

function csvParser(table: FieldTable, context: ParseContext): LineParser {
  const csv = table.csv;
  if (!csv) throw new Error(`${table.format}: a CSV table needs its csv settings`);
  const { file, tz } = context;
  const dataRow = csv.dataRow ? new RegExp(csv.dataRow) : null;
  return csvRecords(context, {
    defaultHeader: csv.defaultHeader,
    isData: dataRow ? (fields) => dataRow.test(fields.slice(0, 2).join(",")) : undefined,
    fromHeader: (columns: Columns) => {
      const positions = new Map<string, number>();
      columns.names.forEach((name, i) => {
        const key = canonicalName(name, table.aliases ?? {});
        if (!positions.has(key)) positions.set(key, i);
      });
      if (!csv.required.every((name) => positions.has(name.toLowerCase()))) return csv.headerProblem;
      const reader: PathReader = (name) => {
        const at = positions.get(name.toLowerCase()) ?? -1;
        return (record) => {
          const fields = record as string[];
          const value = at >= 0 && at < fields.length ? fields[at] : undefined;
          return value === "" ? null : value;
        };
      };
      const compiled = compile(table, reader);
      return (fields, lineNo, out) => emit(compiled, fields, file, lineNo, tz, out);
    },
  });
}
