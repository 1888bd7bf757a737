import parseHeader from "mailauth/lib/parse-dkim-headers.js";
import { finding } from "../catalog.ts";
import type { Finding } from "../finding.ts";

/** One method result inside an Authentication-Results header (RFC 8601 §2.2). */
export interface MethodResult {
  method: string;
  result: string;
  comment: string | null;
  /** ptype.property → value, e.g. "header.d" → "example.com". */
  properties: Record<string, string>;
}

export interface AuthResultsHeader {
  authservId: string;
  results: MethodResult[];
  /** Set for ARC-Authentication-Results: the instance number. */
  instance?: number;
}

/** One ARC set (RFC 8617): the three headers sharing an i= value. */
export interface ArcSet {
  instance: number;
  cv: string | null;
  sealDomain: string | null;
  signatureDomain: string | null;
  authResults: AuthResultsHeader | null;
}

/** Methods whose failure in a receiver's header is worth a finding (bimi/arc "fail" is not an auth failure). */
const FAILURE_METHODS = ["dmarc", "dkim", "spf"];
const FAILURE_RESULTS = new Set(["fail", "softfail", "permerror"]);

export function parseAuthResults(value: string, arc = false): AuthResultsHeader | null {
  let parsed: ReturnType<typeof parseHeader>["parsed"];
  try {
    parsed = parseHeader(`${arc ? "ARC-" : ""}Authentication-Results: ${value}`).parsed;
  } catch {
    return null;
  }
  const results: MethodResult[] = [];
  let instance: number | undefined;
  for (const [method, entry] of Object.entries(parsed)) {
    if (method === "header" || method === "value") continue;
    if (method === "i" && arc) {
      instance = Number((entry as { value?: unknown }).value);
      continue;
    }
    for (const item of Array.isArray(entry) ? entry : [entry]) {
      if (!item || typeof item !== "object") continue;
      const { value: result, comment, ...ptypes } = item as Record<string, unknown>;
      if (typeof result !== "string") continue;
      const properties: Record<string, string> = {};
      for (const [ptype, props] of Object.entries(ptypes)) {
        if (!props || typeof props !== "object") continue;
        for (const [property, propValue] of Object.entries(props))
          properties[`${ptype}.${property}`] = String(propValue);
      }
      results.push({
        method,
        result: result.toLowerCase(),
        comment: typeof comment === "string" ? comment : null,
        properties,
      });
    }
  }
  let authservId = typeof parsed.value === "string" ? parsed.value : "";
  if (arc && /^i=\d+$/.test(authservId)) authservId = "";
  return { authservId, results, instance };
}

export function parseArcSets(seals: string[], signatures: string[], authResults: string[]): ArcSet[] {
  const sets = new Map<number, ArcSet>();
  const at = (instance: number): ArcSet => {
    let set = sets.get(instance);
    if (!set) {
      set = { instance, cv: null, sealDomain: null, signatureDomain: null, authResults: null };
      sets.set(instance, set);
    }
    return set;
  };
  for (const seal of seals) {
    const tags = tagList(seal);
    const instance = Number(tags.i);
    if (!Number.isInteger(instance)) continue;
    at(instance).cv = tags.cv ?? null;
    at(instance).sealDomain = tags.d ?? null;
  }
  for (const signature of signatures) {
    const tags = tagList(signature);
    const instance = Number(tags.i);
    if (Number.isInteger(instance)) at(instance).signatureDomain = tags.d ?? null;
  }
  for (const value of authResults) {
    const parsed = parseAuthResults(value, true);
    if (parsed?.instance !== undefined && Number.isInteger(parsed.instance))
      at(parsed.instance).authResults = parsed;
  }
  return [...sets.values()].sort((a, b) => a.instance - b.instance);
}

/** RFC 6376 §3.2 tag=value list as a plain map (later duplicates ignored). */
export function tagList(value: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of value.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    if (name && !(name in tags))
      tags[name] = part
        .slice(eq + 1)
        .replace(/\s+/g, "")
        .trim();
  }
  return tags;
}

/** A finding when the topmost (receiver's own) Authentication-Results report a DMARC/DKIM/SPF failure. */
export function receiverAuthFindings(headers: AuthResultsHeader[]): Finding[] {
  const failures: string[] = [];
  for (const header of headers) {
    for (const result of header.results) {
      if (FAILURE_METHODS.includes(result.method) && FAILURE_RESULTS.has(result.result)) {
        failures.push(`${header.authservId || "?"}: ${result.method}=${result.result}`);
      }
    }
  }
  return failures.length > 0 ? [finding("RECEIVER_AUTH_FAILED", failures.join("; "))] : [];
}
