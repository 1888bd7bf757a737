import { sfvMeaning } from "../forensics/headers/microsoft.ts";
import type { HeadersSection } from "../forensics/headers/section.ts";
import { inspectMessage } from "../forensics/inspect.ts";
import type { SeedVerdicts } from "./check.ts";

/**
 * The received copy through the `inspect` analysis (offline: no DNS question), reduced to what explains a
 * placement: the receiver's Authentication-Results, Apple's X-Apple-Action/X-Apple-MoveToFolder, the
 * Proofpoint scores and rule, Microsoft's SCL/BCL/SFV and a SpamAssassin score. Header values are kept
 * raw: every renderer escapes them.
 */
export async function analyseReceivedCopy(
  raw: Buffer,
): Promise<{ reasons: string[]; verdicts: SeedVerdicts; subject: string | null }> {
  const report = await inspectMessage(raw, { dns: null });
  return { ...verdictReasons(report.headers), subject: report.message.subject };
}

export function verdictReasons(headers: HeadersSection): { reasons: string[]; verdicts: SeedVerdicts } {
  const reasons: string[] = [];
  const num = (value: string | undefined) =>
    value !== undefined && Number.isFinite(Number(value)) ? Number(value) : null;
  const verdicts: SeedVerdicts = {
    apple: null,
    proofpoint: null,
    microsoft: null,
    spamassassin: null,
    auth: null,
  };
  const apple = headers.apple;
  if (apple) {
    verdicts.apple = { verdict: apple.verdict, action: apple.action, moveToFolder: apple.moveToFolder };
    const said = [
      apple.action !== null ? `X-Apple-Action: ${apple.action}` : null,
      apple.moveToFolder !== null ? `X-Apple-MoveToFolder: ${apple.moveToFolder}` : null,
    ].filter(Boolean);
    if (said.length > 0) reasons.push(`Apple's verdict ${apple.verdict}: ${said.join(", ")}`);
  }
  const proofpoint = headers.proofpoint;
  if (proofpoint) {
    const f = proofpoint.fields;
    verdicts.proofpoint = {
      score: num(f.score?.value),
      spamscore: num(f.spamscore?.value),
      bulkscore: num(f.bulkscore?.value),
      rule: f.rule?.value ?? null,
    };
    const parts = ["rule", "score", "spamscore", "bulkscore", "phishscore"]
      .filter((key) => f[key] !== undefined)
      .map((key) => `${key}=${f[key].value}`);
    if (parts.length > 0) reasons.push(`Proofpoint ${parts.join(" ")}`);
  }
  const microsoft = headers.microsoft;
  if (microsoft) {
    const scl = microsoft.scl ?? microsoft.organizationScl;
    verdicts.microsoft = { scl, bcl: microsoft.bcl, sfv: microsoft.sfv };
    const parts = [
      scl !== null ? `SCL ${scl}${scl >= 5 ? " (spam)" : scl <= 1 ? " (not spam)" : ""}` : null,
      microsoft.bcl !== null ? `BCL ${microsoft.bcl}` : null,
      microsoft.sfv
        ? `SFV ${microsoft.sfv}${sfvMeaning(microsoft.sfv) ? ` (${sfvMeaning(microsoft.sfv)})` : ""}`
        : null,
    ].filter(Boolean);
    if (parts.length > 0) reasons.push(`Microsoft ${parts.join(", ")}`);
  }
  const sa = headers.spamassassin;
  if (sa) {
    verdicts.spamassassin = { score: sa.score, required: sa.required, flagged: sa.flagged };
    const tests = sa.tests.slice(0, 6).join(",");
    reasons.push(
      `SpamAssassin ${sa.flagged ? "spam" : "not spam"}${sa.score !== null ? ` score ${sa.score}` : ""}${sa.required !== null ? ` (required ${sa.required})` : ""}${tests ? ` tests ${tests}` : ""}`,
    );
  }
  const ar = headers.authenticationResults[0];
  if (ar) {
    const result = (method: string) =>
      ar.results.find((r) => r.method.toLowerCase() === method)?.result ?? null;
    verdicts.auth = {
      authservId: ar.authservId,
      dkim: result("dkim"),
      spf: result("spf"),
      dmarc: result("dmarc"),
    };
    const parts = (["dkim", "spf", "dmarc"] as const)
      .map((method) => [method, verdicts.auth?.[method]] as const)
      .filter(([, value]) => value !== null)
      .map(([method, value]) => `${method}=${value}`);
    if (parts.length > 0) reasons.push(`authentication at ${ar.authservId}: ${parts.join(" ")}`);
  }
  return { reasons, verdicts };
}
