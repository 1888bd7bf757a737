import type { EventType } from "./event.ts";
import { byFeedbackType, type FieldTable } from "./field-table.ts";
import type { EventSource } from "./source.ts";
import { tableParser } from "./table-parser.ts";

/** PowerMTA's default accounting header (written when `records`/`record-fields` are left as shipped). */
export const PMTA_DEFAULT_HEADER = [
  "type",
  "timeLogged",
  "timeQueued",
  "orig",
  "rcpt",
  "orcpt",
  "dsnAction",
  "dsnStatus",
  "dsnDiag",
  "dsnMta",
  "bounceCat",
  "srcType",
  "srcMta",
  "dlvType",
  "dlvSourceIp",
  "dlvDestinationIp",
  "dlvEsmtpAvailable",
  "dlvSize",
  "vmta",
  "jobId",
  "envId",
  "queue",
  "vmtaPool",
] as const;

/**
 * Record types (PowerMTA User's Guide, "Accounting file" / `<acct-file>` `records`). `rs` (remote status)
 * carries a DSN action, so its type comes from dsnAction.
 */
export const PMTA_RECORD_TYPES: Readonly<Record<string, EventType>> = {
  r: "sent",
  d: "delivered",
  b: "bounced",
  rb: "bounced",
  t: "deferred",
  tq: "deferred",
  f: "complaint",
};

export const PMTA_ACTION_TYPES: Readonly<Record<string, EventType>> = {
  failed: "bounced",
  delayed: "deferred",
  delivered: "delivered",
  relayed: "delivered",
  expanded: "delivered",
};

const DATA_ROW = "^(?:d|b|t|tq|f|rb|rs|r),\\d{4}-\\d\\d-\\d\\d[ T]\\d\\d:\\d\\d";

export const PMTA_TABLE: FieldTable = {
  format: "pmta",
  source: "PowerMTA User's Guide v5, 'Accounting' (acct-file record fields)",
  label: "PowerMTA record",
  shape: "csv",
  csv: {
    required: ["type", "rcpt"],
    headerProblem: "not a PowerMTA accounting header (needs type and rcpt columns)",
    defaultHeader: PMTA_DEFAULT_HEADER,
    dataRow: DATA_ROW,
  },
  name: "type",
  type: {
    when: { eq: ["type", "rs"] },
    use: { lookup: PMTA_ACTION_TYPES, key: { fn: "lower", args: ["dsnAction"] } },
    // A feedback-loop record is what its feedback type says (not-spam, virus, auth-failure: skipped).
    otherwise: byFeedbackType({ eq: ["type", "f"] }, "feedbackType", {
      lookup: PMTA_RECORD_TYPES,
      key: "type",
    }),
  },
  // Lower-case record types PowerMTA may add are skipped; anything else is a problem.
  unknown: { cond: { not: { match: ["type", "^[a-z]{1,3}$"] } }, message: "unknown PowerMTA record" },
  fields: {
    time: { fn: "zonedTime", args: ["timeLogged"] },
    recipient: "rcpt",
    sender: "orig",
    sendingDomain: { fn: "domainOf", args: ["orig"] },
    reply: { fn: "stripDiagnosticType", args: ["dsnDiag"] },
    replyCode: { fn: "leadingReplyCode", args: [{ field: "reply" }] },
    status: { fn: "cleanStatus", args: ["dsnStatus"] },
    remoteMta: { fn: "mtaName", args: ["dsnMta"] },
    sourceLabel: "bounceCat",
    sendingIp: "dlvSourceIp",
    pool: { first: ["vmtaPool", "vmta"] },
    campaign: { first: ["jobId", "header_x-job", "header_x-campaign"] },
    messageId: { fn: "stripAngles", args: ["header_message-id"] },
    feedbackType: { when: { type: ["complaint"] }, use: "feedbackType" },
    reasonHint: { when: { type: ["complaint"] }, use: { value: "feedback" } },
  },
};

export const pmta: EventSource = {
  id: "pmta",
  source: PMTA_TABLE.source,
  table: PMTA_TABLE,
  detect: (head) => {
    const first = head.slice(0, head.indexOf("\n") >>> 0).replace(/^\uFEFF/, "");
    return /^"?type"?,/.test(first) && /timeLogged/i.test(first) ? true : new RegExp(DATA_ROW).test(first);
  },
  create: (context) => tableParser(PMTA_TABLE, context),
};
