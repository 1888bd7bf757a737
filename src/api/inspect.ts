/**
 * `deliverlens/inspect`: one message as received (headers, filter verdicts, SPF/DKIM/DMARC/ARC, bulk-sender
 * requirements, content and links) into findings and scores. Functions and types only.
 */
export type { Area, Finding } from "../forensics/finding.ts";
export {
  type InspectDns,
  type InspectOptions,
  type InspectReport,
  inspectMessage,
} from "../forensics/inspect.ts";
export { inspectDns } from "../forensics/inspect-dns.ts";
export type { Severity } from "../util/severity.ts";
