import { csvQuote } from "../util/csv.ts";
import type { SimEvent } from "./program.ts";

/** SendGrid event webhook names for the generated types (the reverse of the ingest mapping). */
const SENDGRID_EVENT: Record<SimEvent["type"], string> = {
  sent: "processed",
  delivered: "delivered",
  deferred: "deferred",
  bounced: "bounce",
  open: "open",
  click: "click",
  unsubscribe: "unsubscribe",
  complaint: "spamreport",
};

/** One SendGrid event webhook object as NDJSON (field names as SendGrid sends them). */
export function sendgridLine(e: SimEvent): string {
  const event: Record<string, unknown> = {
    email: e.recipient,
    timestamp: e.time,
    event: SENDGRID_EVENT[e.type],
    sg_event_id: e.eventId,
    sg_message_id: e.messageId,
    category: [e.stream],
    campaign_id: e.campaign,
  };
  if (e.type === "open" || e.type === "click") {
    event.ip = e.readerIp;
    event.useragent = e.machineOpen
      ? "Mozilla/5.0"
      : "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)";
    if (e.type === "open") event.sg_machine_open = e.machineOpen === true;
    if (e.url) event.url = e.url;
  } else if (e.type !== "unsubscribe" && e.type !== "complaint") {
    event.ip = e.sendingIp;
  }
  if (e.type === "bounced") {
    event.reason = e.reply;
    event.status = e.status;
    event.type = e.status?.startsWith("5.1") ? "bounce" : "blocked";
  } else if (e.reply) {
    event.response = e.reply;
  }
  return JSON.stringify(event);
}

export const PMTA_HEADER =
  "type,timeLogged,timeQueued,orig,rcpt,orcpt,dsnAction,dsnStatus,dsnDiag,dsnMta,bounceCat,srcType,srcMta,dlvType,dlvSourceIp,dlvDestinationIp,dlvEsmtpAvailable,dlvSize,vmta,jobId,envId,queue,vmtaPool";

const PMTA_TYPE: Partial<Record<SimEvent["type"], string>> = {
  sent: "r",
  delivered: "d",
  deferred: "t",
  bounced: "b",
  complaint: "f",
};

/** One PowerMTA accounting CSV record, or null for types PowerMTA does not log (opens, clicks…). */
export function pmtaLine(e: SimEvent): string | null {
  const type = PMTA_TYPE[e.type];
  if (!type) return null;
  const time = pmtaTime(e.time);
  const domain = e.recipient.slice(e.recipient.indexOf("@") + 1);
  const action = { r: "", d: "relayed", t: "delayed", b: "failed", f: "" }[type] ?? "";
  const diag = e.reply ? `smtp;${e.reply}` : "";
  const fields = [
    type,
    time,
    time,
    "bounces@mail.example-shop.com",
    e.recipient,
    "",
    action,
    e.status ?? "",
    diag,
    e.reply ? `mx.${domain}` : "",
    type === "b" ? (e.status?.startsWith("5.1") ? "bad-mailbox" : "policy-related") : "",
    "smtp",
    "",
    "smtp",
    e.sendingIp,
    "",
    "1",
    "20480",
    `${e.pool}-vmta`,
    e.campaign,
    e.messageId,
    `${domain}/${e.pool}`,
    e.pool,
  ];
  return fields.map(csvQuote).join(",");
}

function pmtaTime(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ")}+0000`;
}
