/**
 * Every limit deliverlens puts on what one input may cost, in one place (documented in docs/LIMITS.md,
 * which a test keeps in step with this table). A limit reached is never silent: the input gets a problem
 * naming the limit and the environment variable that raises it, and the run exits 1.
 */

export interface Limit {
  /** The environment variable that overrides the default (a positive whole number). */
  env: string;
  default: number;
  /** What is counted, for messages: "per email message" (after a size), "recipients per bounce report". */
  what: string;
}

const MiB = 1024 * 1024;

export const LIMITS = {
  /** One email message (classify, inspect, mbox): beyond it the message is skipped, not buffered. */
  messageBytes: { env: "DELIVERLENS_MAX_MESSAGE_BYTES", default: 32 * MiB, what: "per email message" },
  /**
   * One message given to `inspect`: its full MIME parse (postal-mime), authentication and content analysis
   * take about 100× a text-heavy message's size in memory at peak (2 MiB → ~320 MB RSS).
   */
  inspectBytes: { env: "DELIVERLENS_MAX_INSPECT_BYTES", default: 2 * MiB, what: "per inspected message" },
  /**
   * Decompressed bytes of one gzip/zstd input, at least: the larger of this and
   * `decompressionRatio` × the compressed bytes read so far (a compression bomb stops within ~1 s).
   */
  decompressedBytes: {
    env: "DELIVERLENS_MAX_DECOMPRESSED_BYTES",
    default: 1024 * MiB,
    what: "decompressed per input (or the ratio, if larger)",
  },
  decompressionRatio: {
    env: "DELIVERLENS_MAX_DECOMPRESSION_RATIO",
    default: 200,
    what: "decompressed bytes per compressed byte",
  },
  /** Recipients one bounce report (DSN or text) yields records for. */
  recipientsPerMessage: {
    env: "DELIVERLENS_MAX_RECIPIENTS",
    default: 1000,
    what: "recipients per bounce report",
  },
  /**
   * Human-readable text of one bounce notice read (its text parts, or its HTML part as text): real notices are a
   * few KiB; a recipient listed past it is not read.
   */
  reportTextBytes: {
    env: "DELIVERLENS_MAX_REPORT_TEXT_BYTES",
    default: 256 * 1024,
    what: "of human-readable text per bounce notice",
  },
  /** MIME parts read in one message; later parts are ignored. */
  mimeParts: { env: "DELIVERLENS_MAX_MIME_PARTS", default: 1000, what: "MIME parts per message" },
  /** MIME nesting read; deeper multiparts are kept as opaque leaves. */
  mimeDepth: { env: "DELIVERLENS_MAX_MIME_DEPTH", default: 12, what: "MIME nesting depth" },
  /**
   * Decompressed bytes of one DMARC aggregate or TLS report (XML/JSON, after gzip/zip): real reports are
   * under a few MiB (909 KB for 2,286 records); a 100,000-record report is about 60 MiB.
   */
  reportBytes: { env: "DELIVERLENS_MAX_REPORT_BYTES", default: 256 * MiB, what: "per DMARC/TLS report" },
  /**
   * Expansion of a compressed report (gzip or zip), past the first 4 MiB: decompressed bytes per
   * compressed byte read so far (XML reports compress 10–50×; a bomb 1,000×).
   */
  reportRatio: {
    env: "DELIVERLENS_MAX_REPORT_RATIO",
    default: 200,
    what: "decompressed bytes per compressed byte of a report, past 4 MiB",
  },
  /** Records one aggregate report may hold (each is kept until the report is validated whole). */
  reportRows: { env: "DELIVERLENS_MAX_REPORT_ROWS", default: 500_000, what: "records per DMARC report" },
  /** Entries read in one zip file (real report zips hold one). */
  zipEntries: { env: "DELIVERLENS_MAX_ZIP_ENTRIES", default: 100, what: "entries per zip file" },
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;

/** The limit in force: the environment's value when it is a positive whole number, else the default. */
export function limitOf(name: LimitName): number {
  return inForce(LIMITS[name]);
}

/** The environment's value of `env` when it is a positive whole number, else `fallback`. */
function inForce({ env, default: fallback }: { env: string; default: number }): number {
  const raw = process.env[env];
  if (raw !== undefined && /^\d+$/.test(raw.trim()) && Number(raw) > 0) return Number(raw);
  return fallback;
}

/**
 * Not limits (nothing is cut, the run does not exit 1 for them): how much one classifier remembers across
 * records so that each distinct reply is classified once (docs/LIMITS.md "Memory kept across records").
 * Past it the oldest half is forgotten and a reply of it is classified again: the same records, more CPU.
 */
export const MEMO_BOUNDS = {
  /**
   * Reply classifications kept per classifier (one per parsing thread), at most, by their estimated bytes
   * (EventClassifier's entryBytes): a log whose every reply is another (hostile, or ids nobody masks) kept
   * 50,000 of them whatever their size, ~27 KB each for 2,800-character replies (1.3 GB a thread).
   */
  replyBytes: { env: "DELIVERLENS_REPLY_MEMO_BYTES", default: 96 * MiB },
  /** …and by their count. */
  replies: { env: "DELIVERLENS_REPLY_MEMO_ENTRIES", default: 50_000 },
  /**
   * Distinct replies new to the store (or, after a classifier upgrade, stored) that `ingest` holds in JS at a
   * time, a page (finalize.ts classifyInPages): all of a file's at once were ~1.15 KB each (1.15 GB for
   * 500,000 unique replies).
   */
  newRepliesPage: { env: "DELIVERLENS_NEW_REPLIES_PAGE", default: 10_000 },
} as const;

/** The bound in force: the environment's value when it is a positive whole number, else the default. */
export function memoBoundOf(name: keyof typeof MEMO_BOUNDS): number {
  return inForce(MEMO_BOUNDS[name]);
}

/** "the limit of 32 MiB per email message (raise it with DELIVERLENS_MAX_MESSAGE_BYTES)" */
export function describeLimit(name: LimitName, value = limitOf(name)): string {
  const limit: Limit = LIMITS[name];
  const shown = limit.env.endsWith("_BYTES") ? formatBytes(value) : value.toLocaleString("en-US");
  return `the limit of ${shown} ${limit.what} (raise it with ${limit.env})`;
}

function formatBytes(bytes: number): string {
  if (bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes.toLocaleString("en-US")} bytes`;
}

/** An input refused (or cut) by a named limit: the run goes on with the other inputs and exits 1. */
export class LimitError extends Error {
  readonly limit: LimitName;
  constructor(limit: LimitName, message: string) {
    super(message);
    this.limit = limit;
  }
}

/**
 * Not limits (nothing is cut, the run does not exit 1 for them): checks of one record that `ingest`
 * quarantines and counts, as it does a record with no usable time (docs/LIMITS.md "Records quarantined").
 */

/** Characters of a quarantined record's raw text kept in the store's `quarantine`. */
export const MAX_QUARANTINED_RAW = 2048;

/**
 * How far past the ingest's clock a record may be dated (hours): a remote MTA's clock (a bounce's `Date:`)
 * or an exporter's time zone may be off by hours. A record dated later is quarantined ("time in the
 * future"): no event happened after it was read, and one such row would be the "latest event" every recency
 * measure is taken as of (docs/MEASURES.md). Stores of older versions hold such rows: the measures never
 * take a row dated past the store's last ingest plus this, and a day (older versions wrote
 * `files.ingested_at` in the machine's local time), as their "as of" (LATEST_TIME_SQL, src/measures/).
 */
export const FUTURE_TOLERANCE_HOURS = 24;
