import { finding } from "../catalog.ts";
import type { Finding } from "../finding.ts";

/**
 * X-Proofpoint-Spam-Details: space-separated key=value tokens in any order (public samples: https://pastebin.com/8qfHnGPw, https://github.com/moohax/Proof-Pudding).
 * Each known field is interpreted; unknown fields are kept raw with no meaning invented.
 */
export interface ProofpointField {
  value: string;
  /** What the field means and how to read this value; null for a field Proofpoint has not documented. */
  meaning: string | null;
}

export interface ProofpointReport {
  fields: Record<string, ProofpointField>;
  /** true when X-Proofpoint-Spam-Details-Enc is present: opaque, salted, not decodable. */
  encodedDetailsPresent: boolean;
  virusVersion: string | null;
  guid: string | null;
}

type Reader = (value: string) => string;

const score0to100 =
  (what: string): Reader =>
  (value) => {
    const n = Number(value);
    if (!Number.isFinite(n)) return `${what}; not a number`;
    const band = n >= 100 ? "definite" : n >= 50 ? "suspect (≥50)" : "low";
    return `${what} (0–100, higher is worse): ${band}`;
  };

/** Ordered field table; each line's meaning comes from the §2.1 table (sources cited there). */
const FIELDS: readonly { key: string; read: Reader }[] = [
  {
    key: "rule",
    read: (v) => (/notspam$/.test(v) ? "winning rule: not spam" : `winning rule: ${v} (a verdict)`),
  },
  { key: "policy", read: (v) => `PPS policy route ${v} (context only)` },
  { key: "score", read: score0to100("overall score of the winning classifier") },
  { key: "spamscore", read: score0to100("spam classifier") },
  { key: "phishscore", read: score0to100("phishing classifier; any nonzero is serious") },
  { key: "malwarescore", read: score0to100("malware classifier; any nonzero is serious") },
  { key: "adultscore", read: score0to100("adult-content classifier") },
  { key: "impostorscore", read: score0to100("impostor (BEC) classifier; any nonzero is serious") },
  { key: "suspectscore", read: score0to100("suspect classifier") },
  { key: "bulkscore", read: score0to100("bulk/grey-mail classifier; high means bulk, not spam on its own") },
  { key: "lowpriorityscore", read: score0to100("low-priority (marketing) classifier; informational") },
  { key: "mlxscore", read: score0to100("machine-learning score") },
  {
    key: "mlxlogscore",
    read: (v) => `machine-learning log score (1–999, higher is safer)${Number(v) === 999 ? ": clean" : ""}`,
  },
  { key: "ipscore", read: score0to100("IP reputation (older PPS)") },
  { key: "clxscore", read: () => "undocumented (probably Cloudmark-derived); no threshold" },
  { key: "priorityscore", read: () => "undocumented; ignore" },
  { key: "classifier", read: (v) => `classifier that produced score: ${v}` },
  { key: "adjust", read: (v) => (v === "0" ? "no manual adjustment" : `admin/policy adjustment ${v}`) },
  {
    key: "reason",
    read: (v) => `why the verdict was reached: ${v}${v === "mlx" ? " (machine learning)" : ""}`,
  },
  { key: "scancount", read: (v) => `number of scans: ${v}` },
  { key: "engine", read: (v) => `PPS engine build ${v}` },
  { key: "definitions", read: (v) => `definitions set ${v}` },
];
const READERS = new Map(FIELDS.map((field) => [field.key, field.read]));

export function parseProofpointDetails(value: string): Record<string, ProofpointField> {
  const fields: Record<string, ProofpointField> = {};
  for (const token of value.split(/\s+/)) {
    const eq = token.indexOf("=");
    if (eq <= 0) continue;
    const key = token.slice(0, eq).toLowerCase();
    const raw = token.slice(eq + 1);
    const read = READERS.get(key);
    fields[key] = { value: raw, meaning: read ? read(raw) : null };
  }
  return fields;
}

export function proofpointReport(
  details: string | null,
  encoded: string | null,
  virusVersion: string | null,
  guid: string | null,
): ProofpointReport | null {
  if (details === null && encoded === null && virusVersion === null && guid === null) return null;
  return {
    fields: details === null ? {} : parseProofpointDetails(details),
    encodedDetailsPresent: encoded !== null,
    virusVersion,
    guid,
  };
}

const SPAM_SCORES = ["score", "spamscore"];
const THREAT_SCORES = ["phishscore", "malwarescore", "impostorscore"];

export function proofpointFindings(report: ProofpointReport | null): Finding[] {
  if (!report) return [];
  const fields = report.fields;
  const findings: Finding[] = [];
  const rule = fields.rule?.value;
  if (rule && !/notspam$/i.test(rule)) findings.push(finding("PROOFPOINT_SPAM_VERDICT", `rule=${rule}`));
  const high = SPAM_SCORES.filter((key) => Number(fields[key]?.value) >= 50);
  if (high.length > 0) {
    findings.push(
      finding("PROOFPOINT_HIGH_SPAMSCORE", high.map((key) => `${key}=${fields[key].value}`).join(" ")),
    );
  }
  const threats = THREAT_SCORES.filter((key) => Number(fields[key]?.value) > 0);
  if (threats.length > 0) {
    findings.push(
      finding("PROOFPOINT_PHISH_OR_MALWARE", threats.map((key) => `${key}=${fields[key].value}`).join(" ")),
    );
  }
  if (report.encodedDetailsPresent && Object.keys(fields).length === 0) {
    findings.push(
      finding("PROOFPOINT_DETAILS_ENCODED", "X-Proofpoint-Spam-Details-Enc present, no plaintext details"),
    );
  }
  return findings;
}
