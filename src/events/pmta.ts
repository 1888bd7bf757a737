import type { Columns, RowHandler } from "./csv-records.ts";
import { csvRecords, field } from "./csv-records.ts";
import type { EventType } from "./event.ts";
import { cleanStatus, leadingReplyCode, stripDiagnosticType } from "./reply.ts";
import type { EventSource, Out } from "./source.ts";
import { newEvent, problem } from "./source.ts";
import { zonedIso } from "./syslog-time.ts";
import { domainOf, own, stripAngles } from "./values.ts";

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

export const pmta: EventSource = {
  id: "pmta",
  source: "PowerMTA User's Guide v5, 'Accounting' (acct-file record fields); shared/reference §2",
  detect: (head) => {
    const first = head.slice(0, head.indexOf("\n") >>> 0).replace(/^\uFEFF/, "");
    return /^"?type"?,/.test(first) && /timeLogged/i.test(first) ? true : DATA_ROW.test(first);
  },
  create: (context) =>
    csvRecords(context, {
      defaultHeader: PMTA_DEFAULT_HEADER,
      isData: (fields) => DATA_ROW.test(fields.slice(0, 2).join(",")),
      fromHeader: (columns) => pmtaRows(columns, context.file, context.tz),
    }),
};

const DATA_ROW = /^(?:d|b|t|tq|f|rb|rs|r),\d{4}-\d\d-\d\d[ T]\d\d:\d\d/;

function pmtaRows(columns: Columns, file: string, tz: string): RowHandler | string {
  const at = {
    type: columns.find("type"),
    time: columns.find("timeLogged"),
    orig: columns.find("orig"),
    rcpt: columns.find("rcpt"),
    action: columns.find("dsnAction"),
    status: columns.find("dsnStatus"),
    diag: columns.find("dsnDiag"),
    mta: columns.find("dsnMta"),
    bounceCat: columns.find("bounceCat"),
    sourceIp: columns.find("dlvSourceIp", "srcMta"),
    vmta: columns.find("vmta"),
    pool: columns.find("vmtaPool"),
    job: columns.find("jobId", "header_x-job", "header_x-campaign"),
    messageId: columns.find("header_message-id"),
    feedbackType: columns.find("feedbackType"),
  };
  if (at.type < 0 || at.rcpt < 0) return "not a PowerMTA accounting header (needs type and rcpt columns)";
  let lastStamp = "";
  let lastIso: string | null = null;
  return (fields: string[], lineNo: number, out: Out) => {
    const kind = fields[at.type];
    let type = own(PMTA_RECORD_TYPES, kind);
    if (kind === "rs") type = own(PMTA_ACTION_TYPES, field(fields, at.action)?.toLowerCase());
    if (type === undefined) {
      if (!/^[a-z]{1,3}$/.test(kind ?? ""))
        out.push(problem(file, lineNo, "unknown PowerMTA record", fields.join(",")));
      return;
    }
    const event = newEvent(type, file, lineNo);
    const stamp = field(fields, at.time);
    if (stamp !== lastStamp) {
      lastStamp = stamp ?? "";
      lastIso = stamp ? zonedIso(stamp, tz) : null;
    }
    event.time = lastIso;
    event.recipient = field(fields, at.rcpt);
    event.sender = field(fields, at.orig);
    event.sendingDomain = domainOf(event.sender);
    const diag = field(fields, at.diag);
    if (diag) {
      event.reply = stripDiagnosticType(diag);
      event.replyCode = leadingReplyCode(event.reply);
    }
    event.status = cleanStatus(field(fields, at.status));
    event.remoteMta = mtaName(field(fields, at.mta));
    event.sourceLabel = field(fields, at.bounceCat);
    event.sendingIp = field(fields, at.sourceIp);
    event.pool = field(fields, at.pool) ?? field(fields, at.vmta);
    event.campaign = field(fields, at.job);
    event.messageId = stripAngles(field(fields, at.messageId));
    if (type === "complaint") {
      event.feedbackType = field(fields, at.feedbackType);
      event.reasonHint = "feedback";
    }
    out.push(event);
  };
}

/** `mx.gmail.com (142.250.1.1)`, `dns;mx.gmail.com`, `mx.gmail.com` → `mx.gmail.com`. */
function mtaName(value: string | null): string | null {
  if (!value) return null;
  const name = stripDiagnosticType(value.replace(/^dns;\s*/i, "")).split(/[\s(]/, 1)[0];
  return name ? name.toLowerCase() : null;
}
