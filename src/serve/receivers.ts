import type { KeyObject } from "node:crypto";
import type { FormatName } from "../events/formats.ts";
import { bigIntegerDigits } from "../events/values.ts";
import {
  DEFAULT_SIGNATURE_WINDOW_SECONDS,
  type Verdict,
  verifyBasicAuth,
  verifyMailgun,
  verifySendgrid,
} from "./signatures.ts";
import { type CertLoader, isSubscribeUrl, snsMessage, verifySns } from "./sns.ts";

/** The webhook endpoints, `POST /webhooks/<esp>`, and the `ingest` format each one's records are read as. */
export const ESPS = {
  sendgrid: "sendgrid",
  mailgun: "mailgun",
  ses: "ses",
  postmark: "postmark",
  sparkpost: "sparkpost",
} as const satisfies Record<string, FormatName>;
export type Esp = keyof typeof ESPS;

/** The secrets of each scheme; a null one makes its endpoint answer 401 to everything. */
export interface Secrets {
  /** DELIVERLENS_SENDGRID_VERIFICATION_KEY, loaded (signatures.ts sendgridKey). */
  sendgrid: KeyObject | null;
  /** DELIVERLENS_MAILGUN_SIGNING_KEY. */
  mailgun: string | null;
  /** DELIVERLENS_SNS_TOPIC_ARNS (comma-separated). */
  snsTopics: ReadonlySet<string> | null;
  /** DELIVERLENS_WEBHOOK_BASIC_AUTH `user:password` (Postmark, SparkPost). */
  basicAuth: string | null;
}

export const SECRET_NAMES: Record<Esp, string> = {
  sendgrid: "DELIVERLENS_SENDGRID_VERIFICATION_KEY",
  mailgun: "DELIVERLENS_MAILGUN_SIGNING_KEY",
  ses: "DELIVERLENS_SNS_TOPIC_ARNS",
  postmark: "DELIVERLENS_WEBHOOK_BASIC_AUTH",
  sparkpost: "DELIVERLENS_WEBHOOK_BASIC_AUTH",
};

/** Thrown by `accept` when the intake is full: answered 503 with Retry-After (ESPs retry it). */
export class Overloaded extends Error {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super("overloaded: the spool is full, retry later");
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface ReceiverContext {
  secrets: Secrets;
  windowSeconds?: number;
  now(): number;
  loadCert: CertLoader;
  /** GETs an SNS SubscribeURL (already checked to be the SNS host's ConfirmSubscription). */
  confirmSubscription(url: string): Promise<void>;
  /** Makes records durable (resolves once they are); throws Overloaded when full. */
  accept(format: FormatName, records: string[]): Promise<void>;
  /** Throws Overloaded before any work when the intake is already full. */
  admit(): void;
}

export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

const fail = (status: number, error: string): Answer => ({ status, body: { error } });
const refused = (verdict: Verdict & { ok: false }): Answer => fail(verdict.status, verdict.reason);

/** One webhook request: authenticated first, then parsed, then made durable, then answered 200. */
export async function receive(esp: Esp, request: WebhookRequest, context: ReceiverContext): Promise<Answer> {
  const { secrets } = context;
  const secret =
    esp === "sendgrid"
      ? secrets.sendgrid
      : esp === "mailgun"
        ? secrets.mailgun
        : esp === "ses"
          ? secrets.snsTopics
          : secrets.basicAuth;
  if (secret === null) return fail(401, `${SECRET_NAMES[esp]} is not set: this endpoint accepts nothing`);
  try {
    context.admit();
    const window = context.windowSeconds ?? DEFAULT_SIGNATURE_WINDOW_SECONDS;
    const records = await authenticate(esp, request, context, window);
    if ("status" in records) return records;
    if (records.length > 0) await context.accept(ESPS[esp], records);
    return { status: 200, body: { accepted: records.length } };
  } catch (error) {
    if (error instanceof Overloaded)
      return {
        status: 503,
        body: { error: error.message },
        headers: { "retry-after": String(error.retryAfterSeconds) },
      };
    throw error;
  }
}

async function authenticate(
  esp: Esp,
  request: WebhookRequest,
  context: ReceiverContext,
  window: number,
): Promise<string[] | Answer> {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const { secrets } = context;
  if (esp === "sendgrid" && secrets.sendgrid) {
    const verdict = verifySendgrid(
      secrets.sendgrid,
      header("x-twilio-email-event-webhook-signature"),
      header("x-twilio-email-event-webhook-timestamp"),
      request.body,
      context.now(),
      window,
    );
    if (!verdict.ok) return refused(verdict);
    return objectsOf(request.body, "a JSON array of SendGrid events");
  }
  if ((esp === "postmark" || esp === "sparkpost") && secrets.basicAuth) {
    const verdict = verifyBasicAuth(secrets.basicAuth, header("authorization"));
    if (!verdict.ok) return refused(verdict);
    return objectsOf(
      request.body,
      esp === "postmark" ? "a Postmark webhook record" : "a JSON array of SparkPost events",
    );
  }
  const parsed = parseJson(request.body);
  if (!parsed.ok) return fail(400, parsed.error);
  if (esp === "mailgun" && secrets.mailgun) {
    const body = parsed.value as Record<string, unknown> | null;
    if (!body || typeof body !== "object" || Array.isArray(body))
      return fail(400, "expected a JSON object {signature, event-data}");
    const verdict = verifyMailgun(secrets.mailgun, body.signature, context.now(), window);
    if (!verdict.ok) return refused(verdict);
    const event = body["event-data"];
    if (!event || typeof event !== "object" || Array.isArray(event)) return fail(400, "no event-data object");
    return [JSON.stringify(event)];
  }
  if (esp === "ses" && secrets.snsTopics)
    return sns(parsed.value, request, context, secrets.snsTopics, window);
  return fail(401, `${SECRET_NAMES[esp]} is not set: this endpoint accepts nothing`);
}

async function sns(
  value: unknown,
  request: WebhookRequest,
  context: ReceiverContext,
  topics: ReadonlySet<string>,
  window: number,
): Promise<string[] | Answer> {
  const message = snsMessage(value);
  if (!message || request.headers["x-amz-sns-rawdelivery"] === "true")
    return fail(403, "not a signed SNS message: raw message delivery carries no signature and is refused");
  const verdict = await verifySns(
    message,
    { topics, windowSeconds: window },
    context.loadCert,
    context.now(),
  );
  if (!verdict.ok) return refused(verdict);
  if (message.Type === "SubscriptionConfirmation") {
    if (!message.SubscribeURL || !isSubscribeUrl(message.SubscribeURL))
      return fail(403, "SubscribeURL is not an https ConfirmSubscription URL on the SNS host: not fetched");
    try {
      await context.confirmSubscription(message.SubscribeURL);
    } catch (error) {
      return fail(502, `could not confirm the subscription: ${(error as Error).message}`);
    }
    return [];
  }
  if (message.Type !== "Notification") return [];
  return [JSON.stringify(value)];
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * JSON.parse reviver: an integer beyond 2^53 written as digits stays those digits when the record is written
 * again (JSON.rawJSON); the test is the file readers' (src/events/values.ts bigIntegerDigits). Postmark's `ID` is an
 * int64: re-serialised as the rounded double, ids differing only in their last digits made one event (ci s49).
 */
const keepDigits = (_key: string, value: unknown, context?: { source?: string }): unknown => {
  const digits = bigIntegerDigits(value, context);
  return digits !== null && rawJson !== undefined ? rawJson(digits) : value;
};

/** JSON.rawJSON (ES2026; Node ≥ 21), which TypeScript's library does not declare yet. */
const rawJson = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;

function parseJson(body: Buffer): Parsed {
  if (body.length === 0) return { ok: false, error: "empty body: expected JSON" };
  try {
    return { ok: true, value: JSON.parse(body.toString("utf8"), keepDigits) };
  } catch (error) {
    return { ok: false, error: `malformed JSON: ${(error as Error).message}` };
  }
}

/** The JSON objects of a body holding one object or an array of them, each as one line of text. */
function objectsOf(body: Buffer, expected: string): string[] | Answer {
  const parsed = parseJson(body);
  if (!parsed.ok) return fail(400, parsed.error);
  const list = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
  const isObject = (item: unknown) => item !== null && typeof item === "object" && !Array.isArray(item);
  if (list.length === 0 || !list.every(isObject)) return fail(400, `expected ${expected}`);
  return list.map((item) => JSON.stringify(item));
}
