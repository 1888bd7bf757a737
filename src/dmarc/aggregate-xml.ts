import { isIP } from "node:net";
import { describeLimit, LimitError, limitOf } from "../util/limits.ts";
import {
  type AggregateReport,
  type AggregateRow,
  ALIGNED_RESULTS,
  type AlignedResult,
  DISPOSITIONS,
  type Disposition,
  DKIM_RESULTS,
  type DkimAuth,
  OVERRIDE_REASONS,
  ReportError,
  SPF_RESULTS,
  type SpfAuth,
} from "./types.ts";
import { StrictXmlReader, XmlSyntaxError } from "./xml-reader.ts";

/**
 * A DMARC aggregate report read from its XML as a stream (src/dmarc/xml-reader.ts, a strict, non-validating
 * streaming reader: malformed XML is an error, never a mangled tree) and validated completely against the elements of
 * RFC 7489 appendix C and RFC 9990 §3 (https://www.rfc-editor.org/rfc/rfc9990#section-3): a report is
 * returned whole or refused with a ReportError naming the problem and its line.
 *
 * Enumerated values are compared without case ("Pass", seen from real reporters, reads as "pass");
 * unknown elements (extensions, a stray schema) are skipped; an empty `<reason><type/>` is no reason.
 */

/** The RFC 9990 namespace (reports under RFC 7489 use none or http://dmarc.org/dmarc-xml/0.1). */
const RFC9990_NAMESPACE = "urn:ietf:params:xml:ns:dmarc-2.0";
/** Elements that only RFC 9990 defines: their presence marks a 9990 report without the namespace. */
const RFC9990_ONLY = new Set(["np", "testing", "discovery_method", "generator"]);
/** Characters one element (text, comment, name) may take: text longer than this is no real report's. */
export const MAX_ELEMENT_CHARS = 1024 * 1024;
/** Characters kept of an element's text (human_result, comments, error: free text). */
const MAX_KEPT_TEXT = 1000;

interface Builder {
  rowsLimit: number;
  report: Partial<Omit<AggregateReport, "policy" | "rows">> & {
    errors: string[];
    beginText?: string;
    endText?: string;
  };
  policy: Partial<AggregateReport["policy"]> & { pctText?: string };
  rows: AggregateRow[];
  row:
    | (Omit<Partial<AggregateRow>, "reasons"> & {
        countText?: string;
        reasonType?: string;
        comments: string[] | null;
        reasons: string[] | null;
      })
    | null;
  dkim: Partial<DkimAuth> | null;
  spf: Partial<SpfAuth> | null;
  /** Paths closed so far (by number), and whether any element below <feedback> was. */
  seen: Uint8Array;
  any: boolean;
  intern: Map<string, string>;
}

/** Reads one aggregate report from decoded-or-raw bytes; throws ReportError. */
export async function parseAggregateXml(
  source: AsyncIterable<Buffer>,
  part = "",
  options: { recordPattern?: boolean } = {},
): Promise<AggregateReport> {
  const byPattern = options.recordPattern ?? true;
  /** Paths below <feedback> of the open elements, numbered (ROOT for feedback itself). */
  const paths: number[] = [];
  // A stray <xs:schema> opened around <feedback> and never closed (a known reporter bug, parsedmarc
  // issue 18: https://github.com/domainaware/parsedmarc/issues/18) is read as a transparent wrapper.
  let wrapped = false;
  let feedbackClosed = false;
  let text = "";
  let since = 0;
  let schema: AggregateReport["schema"] = "rfc7489";
  const b: Builder = {
    rowsLimit: limitOf("reportRows"),
    report: { errors: [] },
    policy: {},
    rows: [],
    row: null,
    dkim: null,
    spf: null,
    seen: new Uint8Array(MAX_PATHS),
    any: false,
    intern: new Map(),
  };
  const at = () => `line ${reader.line()}`;
  const reader = new StrictXmlReader({
    element(tagName, document, start) {
      // A <record> right below <feedback>, in the schema's shape: read with one match (RECORD_PATTERN).
      if (!byPattern || paths.length !== 1 || paths[0] !== ROOT) return -1;
      const patterns = recordPatternsFor(tagName);
      if (patterns === null) return -1;
      patterns.record.lastIndex = start;
      const match = patterns.record.exec(document);
      if (match === null) return -1;
      let row: AggregateRow;
      try {
        row = recordFromMatch(b, match, patterns, at);
      } catch {
        // Refused: the reader reads the record element by element, to say what is wrong where.
        return -1;
      }
      b.rows.push(row);
      b.any = true;
      since = 0;
      text = "";
      return patterns.record.lastIndex;
    },
    doctype() {
      throw new ReportError(
        "invalid-report",
        `a DOCTYPE at ${at()}: reports have none (entities are not expanded)`,
      );
    },
    open(tagName, attributes, id) {
      since = 0;
      const depth = paths.length;
      if (depth === 0) {
        const name = localName(tagName);
        if (name === "schema" && !wrapped && !feedbackClosed) {
          wrapped = true;
          return;
        }
        if (name !== "feedback" || feedbackClosed)
          throw new ReportError("not-a-report", `root element <${short(tagName)}> is not <feedback>`);
        const ns = attributes?.xmlns;
        if (typeof ns === "string" && ns.trim() === RFC9990_NAMESPACE) schema = "rfc9990";
        paths.push(ROOT);
        text = "";
        return;
      }
      const path = childPath(paths[depth - 1], tagName, id);
      paths.push(path);
      text = "";
      if (depth <= 2 && RFC9990_ONLY.has(localName(tagName))) schema = "rfc9990";
      open(b, path, at);
    },
    text(chunk) {
      if (text.length < MAX_ELEMENT_CHARS) text += chunk;
    },
    close() {
      since = 0;
      const path = paths.pop();
      if (path === undefined) return; // the wrapper's own closing tag
      if (path === ROOT) feedbackClosed = true;
      else close(b, path, text.trim(), at);
      text = "";
    },
  });
  let linesBefore = 1;
  const decoder = await decoderFor(source);
  try {
    for await (const chunk of decoder.chunks) {
      since += chunk.length;
      reader.write(chunk);
      for (let i = chunk.indexOf("\n"); i >= 0; i = chunk.indexOf("\n", i + 1)) linesBefore++;
      if (since > MAX_ELEMENT_CHARS)
        throw new ReportError(
          "invalid-report",
          `an element longer than ${MAX_ELEMENT_CHARS.toLocaleString("en-US")} characters before line ${linesBefore}`,
        );
    }
    try {
      reader.end();
    } catch (error) {
      // The stray wrapper is never closed: a complete <feedback> inside it is the report.
      if (!(wrapped && feedbackClosed && paths.length === 0)) throw error;
    }
  } catch (error) {
    if (error instanceof ReportError) throw error;
    if (error instanceof BadBytes)
      throw new ReportError(
        "invalid-utf8",
        `invalid ${decoder.encoding.toUpperCase()} bytes at line ${linesBefore + error.newlinesBefore}`,
      );
    if (error instanceof LimitError) throw error;
    if (error instanceof XmlSyntaxError) {
      if (error.noRoot && !feedbackClosed && !b.any)
        throw new ReportError("empty", "no XML element (empty or whitespace only)");
      throw new ReportError("invalid-xml", `invalid XML at ${at()}: ${short(error.message, 200)}`);
    }
    throw error;
  }
  return finish(b, schema, part);
}

/**
 * Element paths below <feedback> ("record/row/source_ip"), numbered per thread: the switches below compare
 * numbers, and a child's number comes from a table indexed by its parent's number and the reader's name id
 * (no string is built or looked up per element of a large report). Past MAX_PATHS distinct paths, a path
 * is OTHER, and so are its children: never one the switches know, since those (and their parents) are
 * numbered first.
 */
const MAX_PATHS = 1000;
const PATH_NAMES: string[] = [];
const PATH_IDS = new Map<string, number>();

function pathId(path: string): number {
  let id = PATH_IDS.get(path);
  if (id === undefined) {
    if (PATH_NAMES.length >= MAX_PATHS) return OTHER;
    id = PATH_NAMES.length;
    PATH_NAMES.push(path);
    PATH_IDS.set(path, id);
  }
  return id;
}

/** A known path's number, its parents numbered first. */
function known(path: string): number {
  const parts = path.split("/");
  for (let i = 1; i < parts.length; i++) pathId(parts.slice(0, i).join("/"));
  return pathId(path);
}

const OTHER = pathId("\u0000");
const ROOT = pathId("");
const VERSION = known("version");
const ORG_NAME = known("report_metadata/org_name");
const EMAIL = known("report_metadata/email");
const REPORT_ID = known("report_metadata/report_id");
const BEGIN = known("report_metadata/date_range/begin");
const END = known("report_metadata/date_range/end");
const ERROR = known("report_metadata/error");
const GENERATOR = known("report_metadata/generator");
const DOMAIN = known("policy_published/domain");
const P = known("policy_published/p");
const SP = known("policy_published/sp");
const NP = known("policy_published/np");
const ADKIM = known("policy_published/adkim");
const ASPF = known("policy_published/aspf");
const FO = known("policy_published/fo");
const TESTING = known("policy_published/testing");
const PCT = known("policy_published/pct");
const RECORD = known("record");
const SOURCE_IP = known("record/row/source_ip");
const COUNT = known("record/row/count");
const DISPOSITION = known("record/row/policy_evaluated/disposition");
const EVALUATED_DKIM = known("record/row/policy_evaluated/dkim");
const EVALUATED_SPF = known("record/row/policy_evaluated/spf");
const REASON = known("record/row/policy_evaluated/reason");
const REASON_TYPE = known("record/row/policy_evaluated/reason/type");
const REASON_COMMENT = known("record/row/policy_evaluated/reason/comment");
const HEADER_FROM = known("record/identifiers/header_from");
const ENVELOPE_FROM = known("record/identifiers/envelope_from");
const ENVELOPE_TO = known("record/identifiers/envelope_to");
const DKIM = known("record/auth_results/dkim");
const DKIM_DOMAIN = known("record/auth_results/dkim/domain");
const DKIM_SELECTOR = known("record/auth_results/dkim/selector");
const DKIM_RESULT = known("record/auth_results/dkim/result");
const SPF = known("record/auth_results/spf");
const SPF_DOMAIN = known("record/auth_results/spf/domain");
const SPF_SCOPE = known("record/auth_results/spf/scope");
const SPF_RESULT = known("record/auth_results/spf/result");

/**
 * A <record> in the shape RFC 7489 appendix C and RFC 9990 §3 give it — row (source_ip, count,
 * policy_evaluated: disposition, dkim, spf, reasons), identifiers (envelope_to, envelope_from,
 * header_from), auth_results (dkim…, spf…) — with white space and comments between the tags, every tag
 * with the same prefix or none, and text that needs no expanding or normalising (no `&`, `]`, CR, or
 * character outside XML's): matched whole in one regular expression, a tenth of the CPU of reading its
 * elements one by one (notes/dmarc.md). What it matches is well-formed by construction (a comment as the
 * reader takes it: no `--` inside, none ending in `-`); recordFromMatch makes the row close() would make
 * of the same elements. Any other record (attributes, mixed prefixes, another order, extensions, a comment
 * inside a value or longer than MAX_PATTERN_COMMENT) is read element by element;
 * test/dmarc/record-pattern.test.ts holds both ways to the same reports and refusals.
 */
interface RecordPatterns {
  record: RegExp;
  reasons: RegExp;
  identifiers: RegExp;
  dkims: RegExp;
  spfs: RegExp;
}

/** Characters of a comment (XML's, but `-`: a `-` is taken with the character after it, never `-`). */
const COMMENT_CHAR = "[^-\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff]";
/** A longer comment inside a record is read element by element. */
const MAX_PATTERN_COMMENT = 1000;
const WS = `(?:[ \\t\\r\\n]|<!--(?:${COMMENT_CHAR}|-${COMMENT_CHAR}){0,${MAX_PATTERN_COMMENT}}-->)*`;
const TEXT = "[^<&\\]\\r\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff]*";

/** The patterns of a record whose tags all carry `prefix` (`p:` or "" for none). */
function recordPatterns(prefix: string): RecordPatterns {
  const p = prefix.replace(/[.-]/g, "\\$&");
  const leaf = (name: string) => `<${p}${name}>(${TEXT})</${p}${name}>${WS}`;
  const optional = (name: string) => `(?:${leaf(name)})?`;
  const reasonItem = `<${p}reason>${WS}${leaf("type")}${optional("comment")}</${p}reason>${WS}`;
  /** A signature's or an SPF result's children: domain, then the selector (scope) before or after the result. */
  const authItem = (name: string, second: string) =>
    `<${p}${name}>${WS}${leaf("domain")}(?:${optional(second)}${leaf("result")}|${leaf("result")}${leaf(second)})${optional("human_result")}</${p}${name}>${WS}`;
  const dkimItem = authItem("dkim", "selector");
  const spfItem = authItem("spf", "scope");
  /** The identifiers in another order than the schema's (header_from first, as some reporters write them). */
  const identifierItem = `(?:${["envelope_to", "envelope_from", "header_from"].map((name) => `<${p}${name}>(${TEXT})</${p}${name}>`).join("|")})${WS}`;
  /**
   * The same items without captures, for the record's pattern: a list is read again item by item — but
   * for a first signature and SPF result, taken by the record's own pattern (most records have one each).
   */
  const uncaptured = (pattern: string) => pattern.replaceAll(`(${TEXT})`, TEXT);
  const tag = (name: string) => `<${p}${name}>${WS}`;
  const end = (name: string) => `</${p}${name}>${WS}`;
  return {
    record: new RegExp(
      `<${p}record>${WS}${tag("row")}${leaf("source_ip")}${leaf("count")}${tag("policy_evaluated")}${leaf("disposition")}${leaf("dkim")}${leaf("spf")}((?:${uncaptured(reasonItem)})*)${end("policy_evaluated")}${end("row")}${tag("identifiers")}(?:${optional("envelope_to")}${optional("envelope_from")}${leaf("header_from")}|((?:${uncaptured(identifierItem)})+))${end("identifiers")}${tag("auth_results")}(?:${dkimItem})?((?:${uncaptured(dkimItem)})*)(?:${spfItem})?((?:${uncaptured(spfItem)})*)${end("auth_results")}</${p}record>`,
      "y",
    ),
    reasons: new RegExp(reasonItem, "g"),
    identifiers: new RegExp(identifierItem, "g"),
    dkims: new RegExp(dkimItem, "g"),
    spfs: new RegExp(spfItem, "g"),
  };
}

const UNPREFIXED = recordPatterns("");
export const RECORD_PATTERN = UNPREFIXED.record;
/** Patterns by prefix, made when a prefix is first met; a report rarely uses one, never many. */
const PREFIXED = new Map<string, RecordPatterns>();
const MAX_PREFIXES = 8;

/**
 * The patterns for a start tag named `name`, when it is a <record> (its local name, as localName() reads
 * it: the prefix has no colon); null for any other tag, and for prefixes past MAX_PREFIXES.
 */
export function recordPatternsFor(name: string): RecordPatterns | null {
  if (name === "record") return UNPREFIXED;
  if (!name.endsWith(":record")) return null;
  const prefix = name.slice(0, -"record".length);
  if (prefix.indexOf(":") !== prefix.length - 1) return null;
  let patterns = PREFIXED.get(prefix);
  if (patterns === undefined) {
    if (PREFIXED.size >= MAX_PREFIXES) return null;
    patterns = recordPatterns(prefix);
    PREFIXED.set(prefix, patterns);
  }
  return patterns;
}

/**
 * The row of a record its record pattern matched, made from its captures by the same rules close() applies
 * to the reader's elements (handing the handler the elements one by one instead was a third of the parse,
 * notes/dmarc.md). A list (reasons, further signatures and SPF results) is read item by item again; the
 * first signature and SPF result are the record pattern's own captures (most records have one each).
 * Throws on anything close() or finishRow would refuse: the caller reads the record element by element.
 */
function recordFromMatch(
  b: Builder,
  m: RegExpExecArray,
  patterns: RecordPatterns,
  at: () => string,
): AggregateRow {
  const { reasons: REASONS, identifiers: IDENTIFIERS_LIST, dkims: DKIMS, spfs: SPFS } = patterns;
  if (b.rows.length >= b.rowsLimit) throw invalid("too many records");
  let reasons: string[] | null = null;
  let comments: string[] | null = null;
  if (m[6]) {
    REASONS.lastIndex = 0;
    for (let item = REASONS.exec(m[6]); item !== null; item = REASONS.exec(m[6])) {
      const type = item[1].trim();
      const comment = item[2]?.trim();
      if (type !== "") reasons = [...(reasons ?? []), oneOf(OVERRIDE_REASONS, type, "reason type", at)];
      if (comment) comments = [...(comments ?? []), comment.slice(0, MAX_KEPT_TEXT)];
    }
  }
  let envelopeTo: string | undefined = m[7];
  let envelopeFrom: string | undefined = m[8];
  let headerFrom: string | undefined = m[9];
  if (headerFrom === undefined) {
    IDENTIFIERS_LIST.lastIndex = 0;
    for (let item = IDENTIFIERS_LIST.exec(m[10]); item !== null; item = IDENTIFIERS_LIST.exec(m[10])) {
      if (item[1] !== undefined) envelopeTo = item[1];
      else if (item[2] !== undefined) envelopeFrom = item[2];
      else headerFrom = item[3];
    }
  }
  const dkimAuth = authList(b, m, 11, 17, DKIMS, dkimOf, at);
  const spfAuth = authList(b, m, 18, 24, SPFS, spfOf, at);
  return finishRow(
    {
      sourceIp: m[1].trim(),
      countText: m[2].trim(),
      disposition: oneOf(DISPOSITIONS, m[3].trim(), "disposition", at) as Disposition,
      dkim: oneOf(ALIGNED_RESULTS, m[4].trim(), "policy_evaluated dkim", at) as AlignedResult,
      spf: oneOf(ALIGNED_RESULTS, m[5].trim(), "policy_evaluated spf", at) as AlignedResult,
      reasons,
      comments,
      headerFrom: headerFrom === undefined ? undefined : headerFromOf(b, headerFrom.trim()),
      envelopeFrom: envelopeFrom === undefined ? undefined : domainOf(b, envelopeFrom.trim()),
      envelopeTo: envelopeTo === undefined ? undefined : domainOf(b, envelopeTo.trim()),
      dkimAuth,
      spfAuth,
    },
    b.rows.length + 1,
    at,
  );
}

/**
 * A record's signatures (or SPF results): the first from the record pattern's own captures at `first`,
 * the rest item by item from the list captured at `rest`.
 */
function authList<T>(
  b: Builder,
  m: RegExpExecArray,
  first: number,
  rest: number,
  items: RegExp,
  of: (b: Builder, m: RegExpExecArray, from: number, at: () => string) => T,
  at: () => string,
): T[] {
  const list: T[] = [];
  if (m[first] !== undefined) list.push(of(b, m, first, at));
  const more = m[rest];
  if (more) {
    items.lastIndex = 0;
    for (let item = items.exec(more); item !== null; item = items.exec(more)) list.push(of(b, item, 1, at));
  }
  return list;
}

/** A signature (dkimItem) from its captures at `from`: domain, selector, result, result, selector. */
function dkimOf(b: Builder, m: RegExpExecArray, from: number, at: () => string): DkimAuth {
  const selector = (m[from + 1] ?? m[from + 4])?.trim();
  return {
    domain: domainOf(b, m[from].trim()),
    selector: selector ? intern(b, selector) : null,
    result: dkimResult(((m[from + 2] ?? m[from + 3]) as string).trim(), at),
  };
}

/** An SPF result (spfItem) from its captures at `from`: domain, scope, result, result, scope. */
function spfOf(b: Builder, m: RegExpExecArray, from: number, at: () => string): SpfAuth {
  const scope = (m[from + 1] ?? m[from + 4])?.trim();
  return {
    domain: domainOf(b, m[from].trim()),
    scope: scope ? scope.toLowerCase() : null,
    result: spfResult(((m[from + 2] ?? m[from + 3]) as string).trim(), at),
  };
}

/** Children's numbers by parent number and name id, for the first paths and names (-1: not yet). */
const TABLE_PATHS = 128;
const TABLE_NAMES = 256;
const CHILDREN = new Int32Array(TABLE_PATHS * TABLE_NAMES).fill(-1);

function childPath(parent: number, name: string, nameId: number): number {
  if (parent === OTHER) return OTHER;
  const slot =
    parent < TABLE_PATHS && nameId >= 0 && nameId < TABLE_NAMES ? parent * TABLE_NAMES + nameId : -1;
  if (slot >= 0 && CHILDREN[slot] >= 0) return CHILDREN[slot];
  const local = localName(name);
  const child = pathId(parent === ROOT ? local : `${PATH_NAMES[parent]}/${local}`);
  if (slot >= 0) CHILDREN[slot] = child;
  return child;
}

/** XML's own encoding declaration decides the decoding; UTF-8 (the default) is decoded strictly. */
async function decoderFor(
  source: AsyncIterable<Buffer>,
): Promise<{ encoding: string; chunks: AsyncIterable<string> }> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : first.value;
  const declared = /^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']/.exec(
    head.toString("latin1", 0, Math.min(head.length, 300)),
  )?.[1];
  const encoding = normaliseEncoding(declared);
  if (!encoding) throw new ReportError("invalid-report", `unsupported encoding "${short(declared ?? "")}"`);
  const decoder = new TextDecoder(encoding, { fatal: true });
  async function* chunks(): AsyncGenerator<string> {
    let skipBom = true;
    const decode = (bytes: Buffer, stream: boolean) => {
      let out: string;
      try {
        out = decoder.decode(bytes, { stream });
      } catch {
        const bad = firstInvalidUtf8(bytes);
        let newlines = 0;
        for (let i = bytes.indexOf(10); i >= 0 && i < bad; i = bytes.indexOf(10, i + 1)) newlines++;
        throw new BadBytes(newlines);
      }
      if (skipBom && out.length > 0) {
        if (out.charCodeAt(0) === 0xfeff) out = out.slice(1);
        skipBom = false;
      }
      return out;
    };
    if (!first.done) yield decode(head, true);
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      yield decode(next.value, true);
    }
    yield decode(Buffer.alloc(0), false);
  }
  return { encoding, chunks: chunks() };
}

class BadBytes extends Error {
  readonly newlinesBefore: number;
  constructor(newlinesBefore: number) {
    super("invalid encoded bytes");
    this.newlinesBefore = newlinesBefore;
  }
}

/** Index of the first byte that is not part of a well-formed UTF-8 sequence (the chunk's length if none). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i];
    const need =
      c < 0x80
        ? 0
        : c >= 0xc2 && c <= 0xdf
          ? 1
          : c >= 0xe0 && c <= 0xef
            ? 2
            : c >= 0xf0 && c <= 0xf4
              ? 3
              : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) if (i + k < bytes.length && (bytes[i + k] & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return bytes.length;
}

function normaliseEncoding(declared: string | undefined): string | null {
  const name = (declared ?? "utf-8").toLowerCase();
  if (name === "utf-8" || name === "utf8") return "utf-8";
  if (["us-ascii", "ascii", "iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252"].includes(name))
    return "windows-1252";
  if (name === "iso-8859-15") return "iso-8859-15";
  return null;
}

/** Local names of prefixed names, cached (a reader hands the same string for the same name). */
const LOCAL_NAMES = new Map<string, string>();

function localName(name: string): string {
  const colon = name.indexOf(":");
  if (colon < 0) return name;
  let local = LOCAL_NAMES.get(name);
  if (local === undefined) {
    local = name.slice(colon + 1);
    if (LOCAL_NAMES.size < 1000) LOCAL_NAMES.set(name, local);
  }
  return local;
}

function short(value: string, max = 60): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

function open(b: Builder, path: number, at: () => string): void {
  switch (path) {
    case RECORD:
      if (b.rows.length >= b.rowsLimit)
        throw new LimitError(
          "reportRows",
          `more records than ${describeLimit("reportRows", b.rowsLimit)}, at ${at()}`,
        );
      b.row = { comments: null, reasons: null, dkimAuth: [], spfAuth: [] };
      return;
    case DKIM:
      b.dkim = {};
      return;
    case SPF:
      b.spf = {};
      return;
    case REASON:
      if (b.row) b.row.reasonType = "";
      return;
  }
}

function close(b: Builder, path: number, value: string, at: () => string): void {
  b.seen[path] = 1;
  b.any = true;
  const row = b.row;
  // The report's own elements are numbered before <record> (known() in declaration order): a record's
  // elements skip their cases.
  if (path < RECORD)
    switch (path) {
      case VERSION:
        return;
      case ORG_NAME:
        b.report.reporter = value;
        return;
      case EMAIL:
        b.report.reporterEmail = value || null;
        return;
      case REPORT_ID:
        b.report.reportId = value;
        return;
      case BEGIN:
        b.report.beginText = value;
        return;
      case END:
        b.report.endText = value;
        return;
      case ERROR:
        if (value) b.report.errors.push(value.slice(0, MAX_KEPT_TEXT));
        return;
      case GENERATOR:
        b.report.generator = value.slice(0, MAX_KEPT_TEXT) || null;
        return;
      case DOMAIN:
        b.policy.domain = value.toLowerCase();
        return;
      case P:
        b.policy.p = policyValue(value, "p", at);
        return;
      case SP:
        b.policy.sp = policyValue(value, "sp", at);
        return;
      case NP:
        b.policy.np = policyValue(value, "np", at);
        return;
      case ADKIM:
        b.policy.adkim = policyText(value);
        return;
      case ASPF:
        b.policy.aspf = policyText(value);
        return;
      case FO:
        b.policy.fo = policyText(value);
        return;
      case TESTING:
        b.policy.testing = policyText(value);
        return;
      case PCT:
        b.policy.pctText = value;
        return;
    }
  if (!row) return;
  switch (path) {
    case SOURCE_IP:
      row.sourceIp = value;
      return;
    case COUNT:
      row.countText = value;
      return;
    case DISPOSITION:
      row.disposition = oneOf(DISPOSITIONS, value, "disposition", at) as Disposition;
      return;
    case EVALUATED_DKIM:
      row.dkim = oneOf(ALIGNED_RESULTS, value, "policy_evaluated dkim", at) as AlignedResult;
      return;
    case EVALUATED_SPF:
      row.spf = oneOf(ALIGNED_RESULTS, value, "policy_evaluated spf", at) as AlignedResult;
      return;
    case REASON_TYPE:
      row.reasonType = value === "" ? "" : oneOf(OVERRIDE_REASONS, value, "reason type", at);
      return;
    case REASON_COMMENT:
      if (value) row.comments = [...(row.comments ?? []), value.slice(0, MAX_KEPT_TEXT)];
      return;
    case REASON:
      if (row.reasonType) row.reasons = [...(row.reasons ?? []), row.reasonType];
      row.reasonType = "";
      return;
    case HEADER_FROM:
      row.headerFrom = headerFromOf(b, value);
      return;
    case ENVELOPE_FROM:
      row.envelopeFrom = domainOf(b, value);
      return;
    case ENVELOPE_TO:
      row.envelopeTo = domainOf(b, value);
      return;
    case DKIM_DOMAIN:
      if (b.dkim) b.dkim.domain = domainOf(b, value);
      return;
    case DKIM_SELECTOR:
      if (b.dkim) b.dkim.selector = value ? intern(b, value) : null;
      return;
    case DKIM_RESULT:
      if (b.dkim) b.dkim.result = dkimResult(value, at);
      return;
    case SPF_DOMAIN:
      if (b.spf) b.spf.domain = domainOf(b, value);
      return;
    case SPF_SCOPE:
      if (b.spf) b.spf.scope = value ? value.toLowerCase() : null;
      return;
    case SPF_RESULT:
      if (b.spf) b.spf.result = spfResult(value, at);
      return;
    case DKIM:
      if (b.dkim) {
        if (b.dkim.result === undefined) throw invalid(`a <dkim> result without <result> (${at()})`);
        row.dkimAuth?.push({
          domain: b.dkim.domain ?? null,
          selector: b.dkim.selector ?? null,
          result: b.dkim.result,
        });
      }
      b.dkim = null;
      return;
    case SPF:
      if (b.spf) {
        if (b.spf.result === undefined) throw invalid(`an <spf> result without <result> (${at()})`);
        row.spfAuth?.push({ domain: b.spf.domain ?? null, scope: b.spf.scope ?? null, result: b.spf.result });
      }
      b.spf = null;
      return;
    case RECORD:
      b.rows.push(finishRow(row, b.rows.length + 1, at));
      b.row = null;
      return;
  }
}

/** A domain (envelope_from/to, a signature's or SPF's): lower-cased; empty is none. */
function domainOf(b: Builder, value: string): string | null {
  return value ? intern(b, value.toLowerCase()) : null;
}

function headerFromOf(b: Builder, value: string): string {
  return intern(b, value.toLowerCase());
}

function dkimResult(value: string, at: () => string): DkimAuth["result"] {
  return oneOf(DKIM_RESULTS, value, "DKIM result", at) as DkimAuth["result"];
}

function spfResult(value: string, at: () => string): SpfAuth["result"] {
  return oneOf(SPF_RESULTS, value, "SPF result", at) as SpfAuth["result"];
}

function intern(b: Builder, value: string): string {
  const known = b.intern.get(value);
  if (known !== undefined) return known;
  if (b.intern.size < 100_000) b.intern.set(value, value);
  return value;
}

function invalid(message: string): ReportError {
  return new ReportError("invalid-report", message);
}

function oneOf(values: readonly string[], value: string, what: string, at: () => string): string {
  const lower = value.toLowerCase();
  if (values.includes(lower)) return lower;
  throw invalid(`${what} "${short(value, 40)}" is not one of ${values.join(", ")} (${at()})`);
}

function policyValue(value: string, tag: string, at: () => string): string | null {
  if (value === "") return null;
  return oneOf(["none", "quarantine", "reject"], value, tag, at);
}

function policyText(value: string): string | null {
  return value.toLowerCase().slice(0, 40) || null;
}

function wholeNumber(text: string | undefined, what: string, at: string | (() => string)): number {
  const where = () => (typeof at === "string" ? at : at());
  if (text === undefined) throw invalid(`${what} is missing (${where()})`);
  if (!/^\d{1,15}$/.test(text))
    throw invalid(`${what} "${short(text, 40)}" is not a whole number (${where()})`);
  return Number(text);
}

function finishRow(row: NonNullable<Builder["row"]>, index: number, at: () => string): AggregateRow {
  const where = () => `record ${index}, ${at()}`;
  if (!row.sourceIp) throw invalid(`record ${index} has no source_ip (${at()})`);
  if (!isIP(row.sourceIp))
    throw invalid(`source_ip "${short(row.sourceIp, 60)}" is not an IP address (${where()})`);
  const count = wholeNumber(row.countText, "count", where);
  if (!row.disposition) throw invalid(`record ${index} has no policy_evaluated disposition (${at()})`);
  if (!row.dkim) throw invalid(`record ${index} has no policy_evaluated dkim (${at()})`);
  if (!row.spf) throw invalid(`record ${index} has no policy_evaluated spf (${at()})`);
  if (!row.headerFrom) throw invalid(`record ${index} has no header_from (${at()})`);
  return {
    sourceIp: row.sourceIp,
    count,
    disposition: row.disposition,
    dkim: row.dkim,
    spf: row.spf,
    reasons: row.reasons ?? [],
    reasonComment: row.comments ? row.comments.join("; ") : null,
    headerFrom: row.headerFrom,
    envelopeFrom: row.envelopeFrom ?? null,
    envelopeTo: row.envelopeTo ?? null,
    dkimAuth: row.dkimAuth ?? [],
    spfAuth: row.spfAuth ?? [],
  };
}

function finish(b: Builder, schema: AggregateReport["schema"], part: string): AggregateReport {
  const r = b.report;
  if (!b.seen[REPORT_ID] && !b.seen[DOMAIN] && b.rows.length === 0)
    throw new ReportError("not-a-report", "a <feedback> without report_metadata, policy_published or record");
  if (!r.reportId) throw invalid("report_metadata has no report_id");
  const begin = wholeNumber(r.beginText, "date_range begin", "report_metadata");
  const end = wholeNumber(r.endText, "date_range end", "report_metadata");
  if (end < begin) throw invalid(`date_range ends (${end}) before it begins (${begin})`);
  if (!b.policy.domain) throw invalid("policy_published has no domain");
  const pct =
    b.policy.pctText === undefined || b.policy.pctText === ""
      ? null
      : wholeNumber(b.policy.pctText, "pct", "policy_published");
  if (pct !== null && pct > 100) throw invalid(`pct ${pct} is over 100`);
  const emailDomain = r.reporterEmail?.includes("@") ? r.reporterEmail.split("@").pop() : undefined;
  const reporter = r.reporter?.trim() || emailDomain?.trim() || r.reporterEmail || "unknown";
  return {
    kind: "dmarc-aggregate",
    schema,
    reporter: reporter.slice(0, 255),
    reporterEmail: r.reporterEmail?.slice(0, 255) ?? null,
    reportId: r.reportId.slice(0, 255),
    begin,
    end,
    generator: r.generator ?? null,
    errors: r.errors,
    policy: {
      domain: b.policy.domain,
      p: b.policy.p ?? null,
      sp: b.policy.sp ?? null,
      np: b.policy.np ?? null,
      pct,
      adkim: b.policy.adkim ?? null,
      aspf: b.policy.aspf ?? null,
      fo: b.policy.fo ?? null,
      testing: b.policy.testing ?? null,
    },
    rows: b.rows,
    part,
  };
}
