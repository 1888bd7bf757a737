import { verify } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { amazonIssuerFetcher, pemCertificates, type TrustAnchors, verifyChain } from "./cert-chain.ts";
import { DEFAULT_SIGNATURE_WINDOW_SECONDS, deny, freshTimestamp, OK, type Verdict } from "./signatures.ts";

/**
 * Amazon SNS message signatures (SES events arrive through SNS): the canonical string of the message's
 * fields, signed with SHA1withRSA (SignatureVersion 1, the topic default) or SHA256withRSA (2) by the
 * certificate at `SigningCertURL`.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 */
export interface SnsMessage {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  Subject?: string | null;
  SubscribeURL?: string;
  Token?: string;
}

const NOTIFICATION_KEYS = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"] as const;
const SUBSCRIPTION_KEYS = [
  "Message",
  "MessageId",
  "SubscribeURL",
  "Timestamp",
  "Token",
  "TopicArn",
  "Type",
] as const;

/** The message types SNS signs, and the ones serve acts on. */
export const SNS_TYPES = ["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"] as const;

/** An SNS envelope (JSON, often sent as text/plain), or null when the body is not one (raw delivery). */
export function snsMessage(value: unknown): SnsMessage | null {
  if (!value || typeof value !== "object" || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const text = ["Type", "MessageId", "TopicArn", "Message", "Timestamp", "Signature", "SigningCertURL"];
  if (!text.every((key) => typeof v[key] === "string")) return null;
  if (typeof v.SignatureVersion !== "string" && typeof v.SignatureVersion !== "number") return null;
  return { ...(v as unknown as SnsMessage), SignatureVersion: String(v.SignatureVersion) };
}

/** Name `\n` value `\n` for each signed key present, in the documented (byte) order. */
export function snsStringToSign(message: SnsMessage): string {
  const keys = message.Type === "Notification" ? NOTIFICATION_KEYS : SUBSCRIPTION_KEYS;
  let text = "";
  for (const key of keys) {
    const value = (message as unknown as Record<string, unknown>)[key];
    if (key === "Subject" && (value === undefined || value === null)) continue;
    text += `${key}\n${String(value ?? "")}\n`;
  }
  return text;
}

/**
 * Where SNS keeps its signing certificates: https, the regional SNS host, a .pem file. Anything else is
 * refused before any fetch (a forged message would otherwise bring its own certificate). The pattern is
 * the one of AWS's own validator (github.com/aws/aws-js-sns-message-validator, index.js).
 */
const SNS_HOST = /^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$/;

export function isSnsUrl(text: string, path: RegExp): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    url.protocol === "https:" &&
    SNS_HOST.test(url.hostname) &&
    url.port === "" &&
    url.username === "" &&
    url.password === "" &&
    path.test(url.pathname)
  );
}

export const isSigningCertUrl = (text: string) =>
  isSnsUrl(text, /^\/SimpleNotificationService-[A-Za-z0-9]+\.pem$/);

/** SubscribeURL: the SNS host's ConfirmSubscription action only (fetching anything else is SSRF). */
export const isSubscribeUrl = (text: string) =>
  isSnsUrl(text, /^\/$/) && new URL(text).searchParams.get("Action") === "ConfirmSubscription";

/** Loads a signing certificate (PEM) by URL, once its chain to a trusted CA is verified. */
export type CertLoader = (url: string) => Promise<string>;

/** A certificate whose chain was verified is trusted this long before it is loaded and checked again. */
const CERT_CACHE_MS = 86_400_000;

/**
 * Certificates from `certDir` (file named as the URL's last path segment: DELIVERLENS_SNS_CERT_DIR, for
 * offline use and tests), else fetched over https without redirects; each must chain to one of `anchors`
 * (intermediates: those sent with it, those of the trust bundle, and — when online — the issuer its
 * "CA Issuers" address names on Amazon's CA host). Kept in memory by URL.
 */
export function certLoader(
  certDir: string | null,
  anchors: TrustAnchors,
  fetcher: typeof fetch = fetch,
): CertLoader {
  const cache = new Map<string, { at: number; pem: Promise<string> }>();
  const fetchIssuer = certDir ? null : amazonIssuerFetcher(fetcher);
  return (url) => {
    const now = Date.now();
    let entry = cache.get(url);
    if (!entry || now - entry.at > CERT_CACHE_MS) {
      const name = new URL(url).pathname.split("/").pop() ?? "";
      const text = certDir
        ? readFile(join(certDir, name), "utf8")
        : fetcher(url, { redirect: "error", signal: AbortSignal.timeout(10_000) }).then((response) => {
            if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
            return response.text();
          });
      const pem = text.then(async (body) => {
        await verifyChain(body, anchors, now, fetchIssuer);
        return body;
      });
      entry = { at: now, pem };
      pem.catch(() => cache.delete(url));
      cache.set(url, entry);
      if (cache.size > 64) cache.delete(cache.keys().next().value as string);
    }
    return entry.pem;
  };
}

export interface SnsPolicy {
  /** Allowed TopicArns (DELIVERLENS_SNS_TOPIC_ARNS). */
  topics: ReadonlySet<string>;
  windowSeconds?: number;
}

/** Verifies an SNS message: topic allowed, cert URL on the SNS host, fresh, signature good. */
export async function verifySns(
  message: SnsMessage,
  policy: SnsPolicy,
  loadCert: CertLoader,
  nowMs: number,
): Promise<Verdict> {
  if (!(SNS_TYPES as readonly string[]).includes(message.Type))
    return deny(403, `unknown SNS message type ${JSON.stringify(message.Type)}`);
  if (!policy.topics.has(message.TopicArn)) return deny(403, "TopicArn not in DELIVERLENS_SNS_TOPIC_ARNS");
  if (!isSigningCertUrl(message.SigningCertURL))
    return deny(403, "SigningCertURL is not an SNS certificate URL");
  const algorithm =
    message.SignatureVersion === "1" ? "sha1" : message.SignatureVersion === "2" ? "sha256" : null;
  if (!algorithm) return deny(403, `unknown SignatureVersion ${JSON.stringify(message.SignatureVersion)}`);
  const fresh = freshTimestamp(
    Date.parse(message.Timestamp) / 1000,
    nowMs,
    policy.windowSeconds ?? DEFAULT_SIGNATURE_WINDOW_SECONDS,
  );
  if (!fresh.ok) return fresh;
  let pem: string;
  try {
    pem = await loadCert(message.SigningCertURL);
  } catch (error) {
    return deny(403, `signing certificate refused or unavailable: ${(error as Error).message}`);
  }
  try {
    const [cert] = pemCertificates(pem);
    if (!cert) return deny(403, "signing certificate: no PEM certificate");
    if (Date.parse(cert.validTo) < nowMs || Date.parse(cert.validFrom) > nowMs)
      return deny(403, "signing certificate is not valid now");
    const good = verify(
      algorithm,
      Buffer.from(snsStringToSign(message), "utf8"),
      cert.publicKey,
      Buffer.from(message.Signature, "base64"),
    );
    return good ? OK : deny(403, "SNS signature does not verify");
  } catch (error) {
    return deny(403, `SNS signature does not verify: ${(error as Error).message}`);
  }
}
