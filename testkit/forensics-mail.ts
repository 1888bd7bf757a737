import { generateKeyPairSync } from "node:crypto";
import { dkimSign } from "mailauth";

/** Build small RFC 5322 messages for inspect tests (CRLF line ends, 7-bit bodies). */
export interface MailSpec {
  headers?: [string, string][];
  text?: string;
  html?: string;
  attachments?: { filename: string; mimeType: string; content: string }[];
}

const DEFAULT_HEADERS: [string, string][] = [
  ["From", "News <news@example.test>"],
  ["To", "someone@icloud.com"],
  ["Subject", "Your July update"],
  ["Date", "Tue, 01 Jul 2025 10:00:00 +0000"],
  ["Message-ID", "<m1@example.test>"],
  ["MIME-Version", "1.0"],
];

/** A message with the default headers; `headers` entries replace same-named defaults (value "" drops it). */
export function buildMail(spec: MailSpec = {}): string {
  const overrides = spec.headers ?? [];
  const names = new Set(overrides.map(([name]) => name.toLowerCase()));
  const headers = [
    ...DEFAULT_HEADERS.filter(([name]) => !names.has(name.toLowerCase())),
    ...overrides,
  ].filter(([, value]) => value !== "");
  const parts: { type: string; body: string; extra?: string }[] = [];
  if (spec.text !== undefined) parts.push({ type: "text/plain; charset=utf-8", body: spec.text });
  if (spec.html !== undefined) parts.push({ type: "text/html; charset=utf-8", body: spec.html });
  if (parts.length === 0) parts.push({ type: "text/plain; charset=utf-8", body: "Hello.\r\n" });
  const head = headers.map(([name, value]) => `${name}: ${value}`).join("\r\n");
  const attachments = spec.attachments ?? [];
  if (parts.length === 1 && attachments.length === 0) {
    return `${head}\r\nContent-Type: ${parts[0].type}\r\n\r\n${crlf(parts[0].body)}\r\n`;
  }
  const boundary = "b-deliverlens-test";
  const sections = parts.map(
    (part) => `--${boundary}\r\nContent-Type: ${part.type}\r\n\r\n${crlf(part.body)}\r\n`,
  );
  for (const file of attachments) {
    sections.push(
      `--${boundary}\r\nContent-Type: ${file.mimeType}; name="${file.filename}"\r\nContent-Disposition: attachment; filename="${file.filename}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(file.content).toString("base64")}\r\n`,
    );
  }
  const type = attachments.length > 0 ? "multipart/mixed" : "multipart/alternative";
  return `${head}\r\nContent-Type: ${type}; boundary="${boundary}"\r\n\r\n${sections.join("")}--${boundary}--\r\n`;
}

function crlf(text: string): string {
  return text.replace(/\r?\n/g, "\r\n");
}

export interface DkimKey {
  privateKey: string;
  /** The TXT record to publish at <selector>._domainkey.<domain>. */
  record: string;
}

export function dkimKey(bits = 2048): DkimKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  return {
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    record: `v=DKIM1; k=rsa; p=${publicKey.export({ type: "spki", format: "der" }).toString("base64")}`,
  };
}

/** Prepend a DKIM-Signature (mailauth's signer) covering `headerList` (default: mailauth's set). */
export async function signMail(
  raw: string,
  domain: string,
  selector: string,
  key: DkimKey,
  headerList?: string[],
) {
  const result = await dkimSign(raw, {
    signingDomain: domain,
    selector,
    privateKey: key.privateKey,
    signatureData: [{ signingDomain: domain, selector, privateKey: key.privateKey, headerList }],
  } as Parameters<typeof dkimSign>[1]);
  if (result.errors.length > 0) throw new Error(`dkimSign: ${JSON.stringify(result.errors)}`);
  return result.signatures + raw;
}

/**
 * A modern marketing newsletter (multipart/alternative, ~35 KB of table-layout HTML with inline CSS,
 * 30 tracked links, images, a pre-header and one-click unsubscribe headers), varied by `seed`.
 */
export function newsletter(seed: number): string {
  const style =
    'style="font-family:Helvetica,Arial,sans-serif;font-size:16px;line-height:24px;color:#333333;padding:12px 24px"';
  const rows = Array.from({ length: 30 }, (_, i) => {
    const href = `https://click.example.test/ls/click?upn=${seed.toString(36)}-${i}-${"x".repeat(60)}`;
    return `<tr><td ${style}><img src="https://img.example.test/p/${seed}-${i}.jpg" width="560" height="280" alt="Product ${i}"><h2 ${style}>Spring collection item ${i}</h2><p ${style}>Our designers picked this piece for the season: soft cotton, recycled packaging and free returns within 30 days. Read the care guide before washing.</p><a href="${href}" ${style}>See the details</a></td></tr>`;
  }).join("\n");
  const html = `<!doctype html><html><head><style>td{padding:0}.x{color:#000}</style></head><body><div style="display:none">Spring picks and care tips inside</div><table width="600" cellpadding="0" cellspacing="0">${rows}<tr><td ${style}><a href="https://example.test/unsubscribe?u=${seed}">Unsubscribe</a></td></tr></table><img src="https://t.example.test/o/${seed}.gif" width="1" height="1"></body></html>`;
  const text = `Spring collection ${seed}\n\nSee https://example.test/spring\n\nUnsubscribe: https://example.test/unsubscribe?u=${seed}\n`;
  return buildMail({
    headers: [
      ["Message-ID", `<n${seed}@example.test>`],
      ["List-Unsubscribe", `<https://example.test/u/${seed}>`],
      ["List-Unsubscribe-Post", "List-Unsubscribe=One-Click"],
    ],
    text,
    html,
  });
}
