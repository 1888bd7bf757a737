import { closeSync, createReadStream, fstatSync, openSync, readSync } from "node:fs";
import { gunzipSync, constants as zlibConstants } from "node:zlib";
import PostalMime from "postal-mime";
import { splitMbox } from "../bounce/email/mbox.ts";
import { describeLimit, LimitError, limitOf } from "../util/limits.ts";
import { parseAggregateXml } from "./aggregate-xml.ts";
import { parseTlsJson } from "./tls-json.ts";
import { type Report, ReportError } from "./types.ts";
import { bounded, containerOf, gunzipBounded, gunzipSmall, peek, zipEntries } from "./unpack.ts";

/**
 * Reading report files: a DMARC aggregate report (`.xml`, `.xml.gz`, `.zip`), a TLS report (`.json`,
 * `.json.gz`), or an email or mbox that carries them as attachments. Each report inside is read and
 * validated on its own: one that fails is a problem naming its file, its part and why; the others are kept.
 */

export interface ReportProblem {
  /** "" for the file itself, else a zip entry, an attachment or an mbox message ("message at line N"). */
  part: string;
  /** invalid-xml, invalid-utf8, invalid-json, invalid-report, not-a-report, empty, bad-zip, bad-compression, limit */
  reason: string;
  message: string;
}

export interface ReportReading {
  path: string;
  reports: Report[];
  problems: ReportProblem[];
  /** Skipped on purpose (a DMARC failure report, an email without a report). */
  notes: string[];
  /**
   * The file is one email with no report attached (its only problem says so): the markers that routed it
   * here were another message's, e.g. the report a bounce quotes (review s25 R20). A run that routes files
   * hands it to the other readers.
   */
  noReportEmail?: boolean;
}

/** Files up to this size are read in one call (a typical report is a few KB; the largest real ones ~1 MB). */
const SMALL_FILE_BYTES = 1024 * 1024;
/** Bytes looked at to tell a report from other inputs. */
const HEAD_BYTES = 64 * 1024;

/**
 * Whether `ingest` should give a file to the report reader: `reports` for a report or an email that
 * carries one, `both` for an mbox that holds reports among other messages (bounces), null otherwise.
 */
export type ReportRoute = "reports" | "both" | null;

/** The file's ReportRoute, from its first bytes. */
export async function reportRoute(path: string): Promise<ReportRoute> {
  return routeOf(path, readStart(path, 4096));
}

function routeOf(path: string, start: FileStart): ReportRoute {
  // 4 KiB tell a container or a document apart; only an email needs the rest of the head looked at.
  let head = start.head.subarray(0, 4096);
  const container = containerOf(head);
  if (container === "zip") return "reports";
  if (container === "empty") return /\.(?:xml|json)(?:\.gz)?$/i.test(path) ? "reports" : null;
  if (container === "gzip") {
    const text = gunzipHead(head);
    if (text === null) return null;
    const inner = containerOf(Buffer.from(text.slice(0, 4096), "latin1"));
    if (inner === "xml") return "reports";
    return inner === "json" && looksLikeTlsReport(text) ? "reports" : null;
  }
  if (container === "xml") return "reports";
  if (head.length === 4096)
    head = start.whole ? start.head.subarray(0, HEAD_BYTES) : readHead(path, HEAD_BYTES);
  const text = head.toString("latin1");
  if (container === "json") return looksLikeTlsReport(text) ? "reports" : null;
  if (!looksLikeReportEmail(text)) return null;
  return text.startsWith("From ") ? "both" : "reports";
}

interface FileStart {
  head: Buffer;
  size: number;
  /** The head is the whole file. */
  whole: boolean;
}

/**
 * The first bytes of a file, or the whole file when it is small. Read synchronously: a few kilobytes from
 * a local file take less time than the asynchronous calls' round trips (a tenth of the CPU, measured).
 */
function readStart(path: string, bytes: number, wholeUpTo = 0): FileStart {
  const fd = openSync(path, "r");
  try {
    const info = fstatSync(fd);
    const whole = info.isFile() && info.size <= wholeUpTo;
    const want = whole ? info.size : bytes;
    const buffer = Buffer.allocUnsafe(want);
    let got = 0;
    for (let n = -1; got < want && n !== 0; got += n) n = readSync(fd, buffer, got, want - got, got);
    return { head: buffer.subarray(0, got), size: info.size, whole: whole && got === info.size };
  } finally {
    closeSync(fd);
  }
}

function readHead(path: string, bytes: number): Buffer {
  return readStart(path, bytes).head;
}

/** The first decompressed bytes of a gzip head (a truncated stream is fine here). */
function gunzipHead(head: Buffer): string | null {
  try {
    // Deflate expands at most ~1,032:1, so 1,000 compressed bytes never pass the output cap.
    return gunzipSync(head.subarray(0, 1000), {
      finishFlush: zlibConstants.Z_SYNC_FLUSH,
      maxOutputLength: 2 * 1024 * 1024,
    }).toString("latin1", 0, HEAD_BYTES);
  } catch {
    return null;
  }
}

function looksLikeTlsReport(text: string): boolean {
  return /"policies"\s*:/.test(text) && /"(?:report-id|organization-name|date-range)"\s*:/.test(text);
}

/**
 * RFC 7489 §7.2.1.1 subject ("Report Domain: … Submitter: …"), RFC 8460 §5.3 media types and headers,
 * and the report file name "receiver!domain!begin!end" (RFC 7489 §7.2.1.1, RFC 8460 §5.1).
 */
const REPORT_EMAIL_MARKERS =
  /^subject:[^\n]{0,40}report\s+domain:[^\n]{0,300}submitter:|report-type="?tlsrpt|^tls-report-domain:|application\/tlsrpt\+|![0-9]{9,11}![0-9]{9,11}(?:![^!\s"]{0,80})?\.(?:xml|json|zip|gz)/im;
const HEADER_LINE = /^(?:From \S|[!-9;-~]+[ \t]*:)/;

function looksLikeReportEmail(text: string): boolean {
  return HEADER_LINE.test(text) && REPORT_EMAIL_MARKERS.test(text);
}

/** Reads every report in one file. Never throws for what the file holds; only for a file it cannot open. */
export async function readReportFile(path: string): Promise<ReportReading> {
  // Most reports are small: one read, then everything from memory (fewer system calls per report).
  return readFileFrom(path, readStart(path, 4096, SMALL_FILE_BYTES));
}

/**
 * A file of any kind, opened once: its ReportRoute, and a reader of its reports from what was read to
 * tell. Throws for a file it cannot open.
 */
export function routeFile(path: string): { route: ReportRoute; read(): Promise<ReportReading> } {
  const start = readStart(path, 4096, SMALL_FILE_BYTES);
  return { route: routeOf(path, start), read: () => readFileFrom(path, start) };
}

async function readFileFrom(path: string, start: FileStart): Promise<ReportReading> {
  const reading: ReportReading = { path, reports: [], problems: [], notes: [] };
  const whole = start.whole ? start.head : null;
  const head = start.head;
  const container = containerOf(head.subarray(0, 4096));
  const source = (): Buffer | AsyncIterable<Buffer> =>
    whole ?? (createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>);
  if (container === "zip") {
    await readZip(whole ?? path, "", reading);
  } else if (container === "empty") {
    reading.problems.push({ part: "", reason: "empty", message: "empty file: no report in it" });
  } else if (container === "other" && HEADER_LINE.test(head.toString("latin1", 0, 512))) {
    await readEmailFile(path, start.size, reading);
  } else {
    await readPayload(source(), "", reading, container === "gzip" ? 1 : 0);
  }
  return reading;
}

/**
 * Reads the reports attached to one email held in memory (`dmarc fetch`): `label` names it in problems
 * (`imap://host/folder;UID=12`). A message without a report is a note, not a problem (a report mailbox
 * also receives other mail).
 */
export async function readReportMessage(raw: Buffer, label: string): Promise<ReportReading> {
  const reading: ReportReading = { path: label, reports: [], problems: [], notes: [] };
  await readEmail(raw, "", reading, true);
  return reading;
}

/**
 * A report's bytes, held in memory or streamed (gzip undone once more if they are compressed): XML
 * aggregate or JSON TLS report.
 */
async function readPayload(
  source: Buffer | AsyncIterable<Buffer>,
  part: string,
  reading: ReportReading,
  gzipped: number,
): Promise<void> {
  try {
    const label = part || "the report";
    const inflated = gzipped > 0 && Buffer.isBuffer(source) ? gunzipSmall(source) : null;
    const stream = Buffer.isBuffer(source) ? single(source) : source;
    let input = inflated
      ? bounded(single(inflated), label)
      : gzipped > 0
        ? gunzipBounded(stream, label)
        : bounded(stream, label);
    let { head, rest } = await peek(input);
    let container = containerOf(head);
    if (container === "gzip" && gzipped < 2) {
      input = gunzipBounded(rest, label);
      ({ head, rest } = await peek(input));
      container = containerOf(head);
    }
    if (container === "xml") reading.reports.push(await parseAggregateXml(rest, part));
    else if (container === "json") reading.reports.push(await parseTlsJson(rest, part));
    else {
      // Nothing more is read: the file (or inflater) behind it is closed now.
      await rest[Symbol.asyncIterator]().return?.(undefined);
      if (container === "empty")
        reading.problems.push({ part, reason: "empty", message: "empty: no report in it" });
      else
        reading.problems.push({
          part,
          reason: "not-a-report",
          message: "neither XML nor JSON: not a report",
        });
    }
  } catch (error) {
    reading.problems.push(problemOf(part, error));
  }
}

function problemOf(part: string, error: unknown): ReportProblem {
  if (error instanceof ReportError) return { part, reason: error.reason, message: error.message };
  if (error instanceof LimitError) return { part, reason: "limit", message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { part, reason: "unreadable", message: message.split("\n", 1)[0].slice(0, 200) };
}

async function readZip(input: string | Buffer, prefix: string, reading: ReportReading): Promise<void> {
  const label = prefix || "the zip";
  try {
    let any = false;
    for await (const entry of zipEntries(input, label)) {
      any = true;
      await readPayload(entry.source, prefix ? `${prefix} / ${entry.name}` : entry.name, reading, 0);
    }
    if (!any) reading.problems.push({ part: prefix, reason: "empty", message: "a zip without a file" });
  } catch (error) {
    reading.problems.push(problemOf(prefix, error));
  }
}

/** An email (or an mbox of them): every report attached to every message. */
async function readEmailFile(path: string, size: number, reading: ReportReading): Promise<void> {
  const max = limitOf("messageBytes");
  const isMbox = readHead(path, 5).toString("latin1") === "From ";
  // A single message is read whole only within the message limit; an mbox within the report limit.
  const cap = isMbox ? Math.max(max, limitOf("reportBytes")) : max;
  if (size > cap) {
    const limit = isMbox ? "reportBytes" : "messageBytes";
    reading.problems.push({
      part: "",
      reason: "limit",
      message: `larger than ${describeLimit(limit, cap)}: not read`,
    });
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(path)) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const messages = isMbox ? splitMbox(raw) : [{ raw, line: 1 }];
  for (const message of messages) {
    const where = isMbox ? `message at line ${message.line}` : "";
    if (message.raw.length > max) {
      reading.problems.push({
        part: where,
        reason: "limit",
        message: `message larger than ${describeLimit("messageBytes", max)}: skipped`,
      });
      continue;
    }
    await readEmail(message.raw, where, reading, isMbox);
  }
}

/** Media types of report attachments (RFC 7489 §7.2.1.1, RFC 8460 §5.3) and what reporters use instead. */
const REPORT_TYPES =
  /^(?:application\/(?:zip|gzip|x-gzip|x-zip|x-zip-compressed|xml|json|octet-stream|tlsrpt\+json|tlsrpt\+gzip)|text\/xml)$/i;
const REPORT_NAME = /\.(?:xml|json|zip|gz)$/i;

async function readEmail(raw: Buffer, where: string, reading: ReportReading, inMbox: boolean): Promise<void> {
  let parsed: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    parsed = await PostalMime.parse(raw, {
      attachmentEncoding: "arraybuffer",
      maxNestingDepth: limitOf("mimeDepth"),
    });
  } catch (error) {
    reading.problems.push(problemOf(where, error));
    return;
  }
  let found = 0;
  for (const attachment of parsed.attachments) {
    const name = attachment.filename ?? "";
    if (!REPORT_TYPES.test(attachment.mimeType) && !REPORT_NAME.test(name)) continue;
    const content = Buffer.from(attachment.content as ArrayBuffer);
    const container = containerOf(content.subarray(0, 4096));
    if (container === "other" || container === "empty") continue;
    found++;
    const part = [where, `attachment ${name || attachment.mimeType}`].filter(Boolean).join(", ");
    if (container === "zip") await readZip(content, part, reading);
    else await readGzipOrPlain(content, part, reading, container === "gzip");
  }
  if (found > 0) return;
  const failure =
    parsed.attachments.some((a) => /^message\/feedback-report$/i.test(a.mimeType)) ||
    /\bDMARC\s+(?:failure|forensic)\s+report\b/i.test(parsed.subject ?? "");
  const label = where ? `${where}: ` : "";
  if (failure)
    reading.notes.push(`${label}a DMARC failure report (RFC 7489 §7.3): not stored (aggregate reports only)`);
  else if (inMbox) reading.notes.push(`${label}no DMARC or TLS report attached: not a report`);
  else {
    reading.problems.push({
      part: where,
      reason: "not-a-report",
      message: "an email with no DMARC or TLS report attached",
    });
    reading.noReportEmail = where === "" && reading.reports.length === 0 && reading.problems.length === 1;
  }
}

/**
 * An attached report. A gzip member followed by a line break (Mimecast's attachments, parsedmarc's
 * "weird gzip" sample) fails zlib's check of a next member's header before its output is flushed: the
 * attachment is then read once more without the trailing line-break bytes (a damaged member still fails).
 */
async function readGzipOrPlain(
  content: Buffer,
  part: string,
  reading: ReportReading,
  gzip: boolean,
): Promise<void> {
  const attempt: ReportReading = { ...reading, reports: [], problems: [], notes: [] };
  await readPayload(content, part, attempt, gzip ? 1 : 0);
  const trimmed = trimTrailingBreaks(content);
  const headerError = attempt.problems.some(
    (p) => p.reason === "bad-compression" && /header check/.test(p.message),
  );
  if (gzip && headerError && trimmed.length < content.length) {
    attempt.problems = [];
    await readPayload(trimmed, part, attempt, 1);
  }
  reading.reports.push(...attempt.reports);
  reading.problems.push(...attempt.problems);
}

function trimTrailingBreaks(content: Buffer): Buffer {
  let end = content.length;
  while (end > 0 && content.length - end < 4 && (content[end - 1] === 0x0a || content[end - 1] === 0x0d))
    end--;
  return content.subarray(0, end);
}

async function* single(buffer: Buffer): AsyncGenerator<Buffer> {
  yield buffer;
}
