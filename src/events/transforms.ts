import { cleanStatus, leadingReplyCode, leadingStatus, stripDiagnosticType } from "../bounce/reply.ts";
import { EVENT_TYPES, type EventType } from "./event.ts";
import type { TransformName } from "./field-table.ts";
import { zonedIso } from "./syslog-time.ts";
import { bool, domainOf, int, isObject, isoTime, own, str, stripAngles } from "./values.ts";

/** The JavaScript side of the field tables' transforms (their SQL twins: src/store/field-sql.ts). */
export type Transform = (args: unknown[], tz: string) => unknown;

const text = (value: unknown): string | null => str(value);

/** deliverlens generic type names beyond the event types themselves (docs/FORMATS.md). */
export const GENERIC_TYPE_ALIASES: Readonly<Record<string, EventType>> = {
  processed: "sent",
  accepted: "sent",
  injection: "sent",
  delivery: "delivered",
  deferral: "deferred",
  delay: "deferred",
  bounce: "bounced",
  failed: "bounced",
  opened: "open",
  clicked: "click",
  unsubscribed: "unsubscribe",
  spamreport: "complaint",
  complained: "complaint",
};

export function genericEventType(value: string | null): EventType | null {
  if (!value) return null;
  const key = value.trim().toLowerCase();
  if (Object.hasOwn(EVENT_TYPES, key)) return key as EventType;
  return own(GENERIC_TYPE_ALIASES, key) ?? null;
}

export const TRANSFORM_JS: Readonly<Record<TransformName, Transform>> = {
  isoTime: ([value]) => isoTime(value),
  zonedTime: ([value], tz) => {
    const stamp = text(value);
    return stamp ? zonedIso(stamp, tz) : null;
  },
  genericTime: ([value], tz) => {
    if (value === undefined || value === null || value === "") return null;
    if (typeof value === "string" && /^\d{4}-/.test(value)) {
      const stamp = value.trim();
      return zonedIso(/^\d{4}-\d\d-\d\d$/.test(stamp) ? `${stamp} 00:00:00` : stamp, tz);
    }
    return isoTime(value);
  },
  lower: ([value]) => text(value)?.toLowerCase() ?? null,
  stripAngles: ([value]) => stripAngles(text(value)),
  stripDiagnosticType: ([value]) => {
    const reply = text(value);
    return reply ? stripDiagnosticType(reply) : null;
  },
  domainOf: ([value]) => domainOf(text(value)),
  leadingReplyCode: ([value]) => {
    const reply = text(value);
    return reply ? leadingReplyCode(reply) : null;
  },
  leadingStatus: ([value]) => {
    const reply = text(value);
    return reply ? leadingStatus(reply) : null;
  },
  cleanStatus: ([value]) => cleanStatus(text(value)),
  mtaName: ([value]) => mtaName(text(value)),
  int: ([value]) => int32(value),
  bool: ([value]) => bool(value),
  replyWithCode: ([content, code, status]) => replyWithCode(text(content), int(code), text(status)),
  enhancedCode: (parts) => {
    const numbers = parts.map(int32);
    return numbers.every((n) => n !== null) ? numbers.join(".") : null;
  },
  queueCampaign: ([value]) => {
    const queue = text(value);
    const colon = queue ? queue.indexOf(":") : -1;
    return queue && colon > 0 ? queue.slice(0, colon) : null;
  },
  hostAddress: ([value]) => hostAddress(text(isObject(value) ? value.address : value)),
  eventType: ([value]) => genericEventType(text(value)),
};

/** `mx.gmail.com (142.250.1.1)`, `dns;mx.gmail.com`, `mx.gmail.com` → `mx.gmail.com`. */
function mtaName(value: string | null): string | null {
  if (!value) return null;
  // RE2's \s (the SQL twin's) is ASCII whitespace only: JavaScript's would also split at NBSP and U+2028.
  const name = stripDiagnosticType(value.replace(/^dns;\s*/i, "")).split(/[\t\n\f\r (]/, 1)[0];
  return name ? name.toLowerCase() : null;
}

/** Reply and status codes: 32-bit integers, like the store's column and the SQL twin (src/store/field-sql.ts INT). */
function int32(value: unknown): number | null {
  const n = value === "" ? null : int(value);
  return n !== null && Math.abs(n) < 2 ** 31 ? n : null;
}

/** A reply whose code (and enhanced status) the source keeps apart from the text, made whole again. */
function replyWithCode(content: string | null, code: number | null, status: string | null): string | null {
  if (!content) return content;
  const prefix = [code, status].filter((part) => part !== null).join(" ");
  return prefix && leadingReplyCode(content) === null && !(status !== null && content.startsWith(status))
    ? `${prefix} ${content}`
    : content;
}

/** `10.0.0.1:4321` / `[2001:db8::1]:25` → the address part. */
function hostAddress(value: string | null): string | null {
  if (!value) return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) return bracketed[1];
  const colon = value.lastIndexOf(":");
  return colon > 0 && value.indexOf(":") === colon ? value.slice(0, colon) : value;
}
