import {
  createHash,
  createHmac,
  createPublicKey,
  type KeyObject,
  timingSafeEqual,
  verify,
} from "node:crypto";

/**
 * Webhook authenticity, on the raw bytes received (never re-serialized JSON), with node:crypto.
 * Each check returns a verdict; nothing is written for a request whose verdict is not `ok`.
 */
export type Verdict = { ok: true } | { ok: false; status: 401 | 403; reason: string };

export const OK: Verdict = { ok: true };
export const deny = (status: 401 | 403, reason: string): Verdict => ({ ok: false, status, reason });

/** Signature timestamps older or newer than this are refused (replays); the events' own times are not checked. */
export const DEFAULT_SIGNATURE_WINDOW_SECONDS = 300;

/** A signature timestamp (Unix seconds) within `windowSeconds` of `nowMs`. */
export function freshTimestamp(seconds: number, nowMs: number, windowSeconds: number): Verdict {
  if (!Number.isFinite(seconds)) return deny(403, "signature timestamp is not a number");
  const skew = Math.abs(nowMs / 1000 - seconds);
  return skew <= windowSeconds
    ? OK
    : deny(403, `stale signature timestamp (${Math.round(skew)} s from now; window ${windowSeconds} s)`);
}

/**
 * SendGrid's verification key as its Mail Settings page shows it: the base64 of a DER SubjectPublicKeyInfo
 * (ECDSA P-256). Throws a clear error for anything else.
 * https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features
 */
export function sendgridKey(base64: string): KeyObject {
  const text = base64.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  try {
    const key = createPublicKey({ key: Buffer.from(text, "base64"), format: "der", type: "spki" });
    if (key.asymmetricKeyType !== "ec") throw new Error(`a ${key.asymmetricKeyType} key, not ECDSA`);
    return key;
  } catch (error) {
    throw new Error(
      `DELIVERLENS_SENDGRID_VERIFICATION_KEY is not SendGrid's base64 public key: ${(error as Error).message}`,
    );
  }
}

/**
 * SendGrid Signed Event Webhook: ECDSA/SHA-256 over the `X-Twilio-Email-Event-Webhook-Timestamp` value
 * followed by the raw body; the signature (base64 DER) is in `X-Twilio-Email-Event-Webhook-Signature`.
 */
export function verifySendgrid(
  key: KeyObject,
  signature: string | undefined,
  timestamp: string | undefined,
  body: Buffer,
  nowMs: number,
  windowSeconds = DEFAULT_SIGNATURE_WINDOW_SECONDS,
): Verdict {
  if (!signature || !timestamp) return deny(401, "missing X-Twilio-Email-Event-Webhook-Signature/-Timestamp");
  const fresh = freshTimestamp(Number(timestamp), nowMs, windowSeconds);
  if (!fresh.ok) return fresh;
  let good = false;
  try {
    good = verify("sha256", Buffer.concat([Buffer.from(timestamp, "utf8"), body]), key, b64(signature));
  } catch {
    good = false;
  }
  return good ? OK : deny(403, "SendGrid signature does not verify");
}

export interface MailgunSignature {
  timestamp: string;
  token: string;
  signature: string;
}

/**
 * Mailgun: hex HMAC-SHA256 of `timestamp` ‖ `token` with the HTTP webhook signing key (it covers only those
 * two values, not the event data: the event id dedupes replays).
 * https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks
 */
export function verifyMailgun(
  signingKey: string,
  signature: unknown,
  nowMs: number,
  windowSeconds = DEFAULT_SIGNATURE_WINDOW_SECONDS,
): Verdict {
  const parts = mailgunSignature(signature);
  if (!parts) return deny(401, "missing signature {timestamp, token, signature}");
  const fresh = freshTimestamp(Number(parts.timestamp), nowMs, windowSeconds);
  if (!fresh.ok) return fresh;
  const expected = createHmac("sha256", signingKey)
    .update(parts.timestamp + parts.token)
    .digest();
  const given = /^[0-9a-f]+$/i.test(parts.signature) ? Buffer.from(parts.signature, "hex") : Buffer.alloc(0);
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? OK
    : deny(403, "Mailgun signature does not verify");
}

function mailgunSignature(value: unknown): MailgunSignature | null {
  if (!value || typeof value !== "object") return null;
  const v = value as Record<string, unknown>;
  const timestamp = typeof v.timestamp === "number" ? String(v.timestamp) : v.timestamp;
  if (typeof timestamp !== "string" || typeof v.token !== "string" || typeof v.signature !== "string")
    return null;
  return { timestamp, token: v.token, signature: v.signature };
}

/** HTTP basic auth (Postmark, SparkPost sign nothing): `user:password`, compared in constant time. */
export function verifyBasicAuth(expected: string, header: string | undefined): Verdict {
  const match = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!match) return deny(401, "missing HTTP basic authentication");
  const given = Buffer.from(match[1], "base64").toString("utf8");
  return sameSecret(given, expected) ? OK : deny(403, "wrong basic-auth credentials");
}

/** A bearer token (the dashboard and API off loopback), compared in constant time. */
export function verifyBearer(expected: string, header: string | undefined): Verdict {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) return deny(401, "missing bearer token (DELIVERLENS_TOKEN)");
  return sameSecret(match[1], expected) ? OK : deny(403, "wrong bearer token");
}

/** Constant-time comparison of two secrets of any length (their digests are compared). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function b64(text: string): Buffer {
  return Buffer.from(text.trim(), "base64");
}
