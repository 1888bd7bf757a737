import { decodeWords } from "postal-mime";
import type { Finding } from "../finding.ts";
import { firstHeader, headerValues, type Message } from "../message.ts";
import { APPLE_CONTEXT_HEADERS, type AppleReport, appleFindings, appleReport } from "./apple.ts";
import {
  type ArcSet,
  type AuthResultsHeader,
  parseArcSets,
  parseAuthResults,
  receiverAuthFindings,
} from "./authentication-results.ts";
import { type HygieneReport, hygieneFindings, hygieneReport } from "./hygiene.ts";
import { type MicrosoftReport, microsoftFindings, microsoftReport } from "./microsoft.ts";
import { type ProofpointReport, proofpointFindings, proofpointReport } from "./proofpoint.ts";
import { type Hop, hopFindings, parseHops } from "./received.ts";
import { type SpamAssassinReport, spamAssassinFindings, spamAssassinReport } from "./spamassassin.ts";

export interface HeadersSection {
  /** "received" when a receiver's trace/verdict headers are present, else "sent". */
  copy: "sent" | "received";
  received: Hop[];
  authenticationResults: AuthResultsHeader[];
  arc: ArcSet[];
  proofpoint: ProofpointReport | null;
  apple: AppleReport | null;
  microsoft: MicrosoftReport | null;
  spamassassin: SpamAssassinReport | null;
  hygiene: HygieneReport;
}

export function inspectHeaders(message: Message): { section: HeadersSection; findings: Finding[] } {
  const email = message.email;
  const one = (key: string) => {
    const value = firstHeader(email, key);
    return value === null ? null : decodeWords(value);
  };
  const authenticationResults = headerValues(email, "authentication-results")
    .map((value) => parseAuthResults(value))
    .filter((header): header is AuthResultsHeader => header !== null);
  const section: HeadersSection = {
    copy: "sent",
    received: parseHops(headerValues(email, "received")),
    authenticationResults,
    arc: parseArcSets(
      headerValues(email, "arc-seal"),
      headerValues(email, "arc-message-signature"),
      headerValues(email, "arc-authentication-results"),
    ),
    proofpoint: proofpointReport(
      one("x-proofpoint-spam-details"),
      one("x-proofpoint-spam-details-enc"),
      one("x-proofpoint-virus-version"),
      one("x-proofpoint-guid"),
    ),
    apple: appleReport(
      one("x-apple-action"),
      one("x-apple-movetofolder"),
      one("x-icl-score"),
      appleContext(one),
    ),
    microsoft: microsoftReport(one("x-forefront-antispam-report"), one("x-ms-exchange-organization-scl")),
    spamassassin: spamAssassinReport(one("x-spam-status"), one("x-spam-score")),
    hygiene: hygieneReport(email),
  };
  const receiverVerdicts = [section.proofpoint, section.apple, section.microsoft, section.spamassassin];
  if (section.received.length > 0 || authenticationResults.length > 0 || receiverVerdicts.some(Boolean)) {
    section.copy = "received";
  }
  const findings = [
    ...hygieneFindings(section.hygiene, email),
    ...hopFindings(section.received),
    ...receiverAuthFindings(authenticationResults),
    ...proofpointFindings(section.proofpoint),
    ...appleFindings(section.apple),
    ...microsoftFindings(section.microsoft),
    ...spamAssassinFindings(section.spamassassin),
  ];
  return { section, findings };
}

function appleContext(one: (key: string) => string | null): Record<string, string> {
  const context: Record<string, string> = {};
  for (const key of APPLE_CONTEXT_HEADERS) {
    const value = one(key);
    if (value !== null) context[key] = value;
  }
  return context;
}
