import { randomInt } from "node:crypto";
import type { Answer, Packet } from "dns-packet";
import { normalizeName } from "./names.ts";
import type { DnsOutcome, FailureReason, RecordType } from "./types.ts";

/** A random query id, so stray or spoofed replies to another query are ignored. */
export function queryId(): number {
  return randomInt(0, 0x10000);
}

export function questionPacket(id: number, name: string, type: RecordType): Packet {
  return { id, type: "query", flags: 1 << 8 /* RD */, questions: [{ name, type, class: "IN" }] };
}

/** Whether a reply belongs to our question (same id, same name and type). */
export function matchesQuestion(reply: Packet, id: number, name: string, type: RecordType): boolean {
  const question = reply.questions?.[0];
  return (
    reply.id === id &&
    question !== undefined &&
    normalizeName(question.name) === normalizeName(name) &&
    question.type === type
  );
}

export function isTruncated(reply: Packet): boolean {
  return ((reply.flags ?? 0) & (1 << 9)) !== 0;
}

const RCODE_FAILURES: Record<string, FailureReason> = {
  SERVFAIL: "servfail",
  REFUSED: "refused",
  FORMERR: "malformed",
};

/** Turn a decoded reply into an outcome, keeping only records of the asked type (CNAME chains are followed by the server). */
export function outcomeOfReply(reply: Packet, type: RecordType): DnsOutcome {
  const rcode = (reply as Packet & { rcode?: string }).rcode ?? "NOERROR";
  if (rcode === "NXDOMAIN") return { kind: "none", reason: "nxdomain" };
  if (rcode !== "NOERROR") {
    return { kind: "failed", reason: RCODE_FAILURES[rcode] ?? "other", detail: `rcode ${rcode}` };
  }
  const records = (reply.answers ?? []).filter((answer) => answer.type === type).map(recordData);
  return records.length > 0 ? { kind: "answer", records } : { kind: "none", reason: "nodata" };
}

function recordData(answer: Answer): unknown {
  switch (answer.type) {
    case "TXT": {
      const data = Array.isArray(answer.data) ? answer.data : [answer.data];
      return data.map((part) => (typeof part === "string" ? part : part.toString("utf8")));
    }
    case "MX":
      return { exchange: normalizeName(answer.data.exchange), priority: answer.data.preference ?? 0 };
    case "A":
    case "AAAA":
      return answer.data;
    case "CNAME":
    case "NS":
    case "PTR":
      return normalizeName(answer.data);
    default:
      return null;
  }
}
