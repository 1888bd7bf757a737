import { isIP } from "node:net";
import { ReportError, type TlsFailure, type TlsPolicy, type TlsReport } from "./types.ts";

/**
 * An SMTP TLS report (RFC 8460 §4, https://www.rfc-editor.org/rfc/rfc8460#section-4) from its JSON,
 * validated whole: every required member present with the right type, counts whole numbers, dates RFC 3339.
 * Unknown members are ignored; result types outside §4.3's list are kept as written (lower-cased).
 */
export async function parseTlsJson(source: AsyncIterable<Buffer>, part = ""): Promise<TlsReport> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new ReportError("invalid-utf8", "invalid UTF-8 bytes in the JSON");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ReportError("invalid-json", `invalid JSON: ${(error as Error).message.slice(0, 160)}`);
  }
  return tlsReportOf(value, part);
}

type Json = Record<string, unknown>;

function invalid(message: string): ReportError {
  return new ReportError("invalid-report", message);
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(object: Json, key: string, where: string, required: true): string;
function text(object: Json, key: string, where: string, required: false): string | null;
function text(object: Json, key: string, where: string, required: boolean): string | null {
  const value = object[key];
  if (value === undefined || value === null) {
    if (required) throw invalid(`${where} has no "${key}"`);
    return null;
  }
  if (typeof value !== "string") throw invalid(`${where} "${key}" is not a string`);
  return value.slice(0, 1000);
}

function count(object: Json, key: string, where: string): number {
  const value = object[key];
  if (value === undefined) throw invalid(`${where} has no "${key}"`);
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw invalid(`${where} "${key}" is not a whole number`);
  return value;
}

function time(object: Json, key: string, where: string): number {
  const value = text(object, key, where, true);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/i.test(value))
    throw invalid(`${where} "${key}" is not an RFC 3339 date-time: ${value.slice(0, 40)}`);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalid(`${where} "${key}" is not a valid date: ${value.slice(0, 40)}`);
  return Math.floor(ms / 1000);
}

export function tlsReportOf(value: unknown, part = ""): TlsReport {
  if (!isObject(value)) throw new ReportError("not-a-report", "the JSON is not an object");
  if (!("policies" in value) || !("report-id" in value))
    throw new ReportError(
      "not-a-report",
      'a JSON object without "report-id" and "policies": not a TLS report',
    );
  const range = value["date-range"];
  if (!isObject(range)) throw invalid('no "date-range" object');
  const begin = time(range, "start-datetime", "date-range");
  const end = time(range, "end-datetime", "date-range");
  if (end < begin) throw invalid("date-range ends before it starts");
  const policies = value.policies;
  if (!Array.isArray(policies)) throw invalid('"policies" is not an array');
  return {
    kind: "tls-report",
    reporter: text(value, "organization-name", "the report", true).trim() || "unknown",
    contact: text(value, "contact-info", "the report", false),
    reportId: text(value, "report-id", "the report", true),
    begin,
    end,
    policies: policies.map((policy, index) => policyOf(policy, `policies[${index}]`)),
    part,
  };
}

function policyOf(value: unknown, where: string): TlsPolicy {
  if (!isObject(value)) throw invalid(`${where} is not an object`);
  const policy = value.policy;
  if (!isObject(policy)) throw invalid(`${where} has no "policy" object`);
  const type = text(policy, "policy-type", `${where}.policy`, true).toLowerCase();
  if (!["sts", "tlsa", "no-policy-found"].includes(type))
    throw invalid(`${where}.policy "policy-type" ${type.slice(0, 40)} is not sts, tlsa or no-policy-found`);
  const summary = value.summary;
  if (!isObject(summary)) throw invalid(`${where} has no "summary" object`);
  const details = value["failure-details"] ?? [];
  if (!Array.isArray(details)) throw invalid(`${where} "failure-details" is not an array`);
  return {
    type,
    domain: text(policy, "policy-domain", `${where}.policy`, true).toLowerCase(),
    mxHost: mxHostOf(policy, `${where}.policy`),
    successful: count(summary, "total-successful-session-count", `${where}.summary`),
    failed: count(summary, "total-failure-session-count", `${where}.summary`),
    failures: details.map((detail, index) => failureOf(detail, `${where}.failure-details[${index}]`)),
  };
}

/** RFC 8460 writes mx-host as a string; some reporters send a list of patterns. */
function mxHostOf(policy: Json, where: string): string | null {
  const value = policy["mx-host"];
  if (Array.isArray(value))
    return (
      value
        .filter((v) => typeof v === "string")
        .join(", ")
        .slice(0, 1000) || null
    );
  return text(policy, "mx-host", where, false);
}

function failureOf(value: unknown, where: string): TlsFailure {
  if (!isObject(value)) throw invalid(`${where} is not an object`);
  const sendingIp = text(value, "sending-mta-ip", where, false);
  const receivingIp = text(value, "receiving-ip", where, false);
  for (const [key, ip] of [
    ["sending-mta-ip", sendingIp],
    ["receiving-ip", receivingIp],
  ] as const)
    if (ip !== null && ip !== "" && !isIP(ip)) throw invalid(`${where} "${key}" is not an IP address`);
  return {
    resultType: text(value, "result-type", where, true).toLowerCase(),
    sendingIp: sendingIp || null,
    receivingMx: text(value, "receiving-mx-hostname", where, false)?.toLowerCase() || null,
    receivingHelo: text(value, "receiving-mx-helo", where, false),
    receivingIp: receivingIp || null,
    count: count(value, "failed-session-count", where),
    reasonCode: text(value, "failure-reason-code", where, false),
    info: text(value, "additional-information", where, false),
  };
}
