import { createPublicKey } from "node:crypto";
import {
  type AuditContext,
  describeFailure,
  parseTags,
  raise,
  type SectionResult,
  tagValue,
  txtStrings,
} from "./context.ts";
import { COMMON_SELECTORS } from "./dkim-selectors.ts";
import type { AuditFinding } from "./findings.ts";

export const RSA_MIN_BITS = 1024;
export const RSA_GOOD_BITS = 2048;

export interface DkimKey {
  selector: string;
  name: string;
  given: boolean;
  status: "found" | "missing" | "failed";
  record?: string;
  keyType?: string;
  bits?: number | null;
  testing?: boolean;
  revoked?: boolean;
  error?: string;
}

export interface DkimSection {
  /** Selectors given on the command line plus the probed common ones that answered. */
  keys: DkimKey[];
  probed: string[];
}

export async function auditDkim(ctx: AuditContext): Promise<SectionResult<DkimSection>> {
  const given = [...new Set(ctx.selectors.map((s) => s.toLowerCase()))];
  const probed = COMMON_SELECTORS.map((s) => s.selector).filter((s) => !given.includes(s));
  const all = await Promise.all([
    ...given.map((selector) => fetchKey(ctx, selector, true)),
    ...probed.map((selector) => fetchKey(ctx, selector, false)),
  ]);
  const keys = all.filter((key) => key.given || key.status === "found");
  const findings: AuditFinding[] = keys.flatMap(keyFindings);
  const failedProbes = all.filter((key) => !key.given && key.status === "failed");
  if (!keys.some((key) => key.status === "found")) {
    if (failedProbes.length > 0) {
      findings.push(raise("DKIM_LOOKUP_FAILED", failedProbes.map((k) => `${k.name}: ${k.error}`).join("; ")));
    } else if (given.length === 0) {
      findings.push(
        raise("DKIM_NO_KEY_FOUND", `probed ${probed.length} common selectors (${probed.join(", ")})`),
      );
    }
  }
  return { section: { keys, probed }, findings };
}

async function fetchKey(ctx: AuditContext, selector: string, given: boolean): Promise<DkimKey> {
  const name = `${selector}._domainkey.${ctx.domain}`;
  const outcome = await txtStrings(ctx.resolver, name);
  if (outcome.kind === "failed")
    return { selector, name, given, status: "failed", error: describeFailure(outcome) };
  const record =
    outcome.kind === "answer" ? outcome.records.find((r) => /(^|;)\s*p\s*=/i.test(r)) : undefined;
  if (!record) return { selector, name, given, status: "missing" };
  return { selector, name, given, status: "found", record, ...describeKey(record) };
}

/** Key type, RSA size (parsed with node:crypto), testing flag and revocation from a DKIM key record. */
export function describeKey(
  record: string,
): Pick<DkimKey, "keyType" | "bits" | "testing" | "revoked" | "error"> {
  const tags = parseTags(record);
  const keyType = (tagValue(tags, "k") ?? "rsa").toLowerCase();
  const flags = (tagValue(tags, "t") ?? "")
    .toLowerCase()
    .split(":")
    .map((f) => f.trim());
  const p = (tagValue(tags, "p") ?? "").replace(/\s+/g, "");
  const base = { keyType, testing: flags.includes("y") };
  if (p === "") return { ...base, revoked: true, bits: null };
  if (keyType !== "rsa") return { ...base, revoked: false, bits: keyType === "ed25519" ? 256 : null };
  const der = Buffer.from(p, "base64");
  for (const type of ["spki", "pkcs1"] as const) {
    try {
      const key = createPublicKey({ key: der, format: "der", type });
      return { ...base, revoked: false, bits: key.asymmetricKeyDetails?.modulusLength ?? null };
    } catch {
      // try the next encoding: some publish a PKCS#1 RSAPublicKey instead of SubjectPublicKeyInfo
    }
  }
  return { ...base, revoked: false, bits: null, error: "p= is not a valid RSA public key" };
}

function keyFindings(key: DkimKey): AuditFinding[] {
  if (key.status === "failed") return [raise("DKIM_LOOKUP_FAILED", `${key.name}: ${key.error}`)];
  if (key.status === "missing") return [raise("DKIM_SELECTOR_MISSING", `${key.name}: no DKIM key record`)];
  const findings: AuditFinding[] = [];
  if (key.revoked) findings.push(raise("DKIM_KEY_REVOKED", `${key.name}: p= is empty`));
  if (key.error) findings.push(raise("DKIM_KEY_INVALID", `${key.name}: ${key.error}`));
  if (key.keyType === "rsa" && typeof key.bits === "number") {
    if (key.bits < RSA_MIN_BITS)
      findings.push(raise("DKIM_KEY_TOO_SHORT", `${key.name}: RSA ${key.bits} bits`));
    else if (key.bits < RSA_GOOD_BITS)
      findings.push(raise("DKIM_KEY_WEAK", `${key.name}: RSA ${key.bits} bits`));
  }
  if (key.testing) findings.push(raise("DKIM_TESTING_MODE", `${key.name}: t=y`));
  return findings;
}
