import risky from "../../../data/risky-attachments.json" with { type: "json" };
import { finding } from "../catalog.ts";
import type { Finding } from "../finding.ts";
import type { Message } from "../message.ts";
import { scanHtml } from "./html.ts";
import { type BodyUrl, displayedDomain, redirectorOf, shortenerOf, toBodyUrl, urlsInText } from "./urls.ts";
import { capsRatio, exclamations, promoPhrases, wordCount } from "./wording.ts";

export interface ContentSection {
  words: number;
  links: number;
  linksPer100Words: number;
  /** Unique registrable domains of every body URL (links, images, text). */
  linkDomains: string[];
  foreignLinkDomains: string[];
  shorteners: string[];
  redirectors: { url: string; kind: string }[];
  ipLiteralUrls: string[];
  anchorMismatches: { text: string; href: string }[];
  images: number;
  trackingPixels: string[];
  textPerImageWords: number | null;
  htmlBytes: number;
  hasTextPart: boolean;
  hasHtmlPart: boolean;
  promotionalPhrases: { phrase: string; count: number }[];
  promotionalPer100Words: number;
  subjectCapsRatio: number;
  subjectExclamations: number;
  hiddenTextWords: number;
  hidingStyles: string[];
  attachments: { filename: string; mimeType: string; risky: boolean }[];
}

/** Named thresholds; each finding's docs quote them. */
export const CONTENT_LIMITS = {
  manyLinksMin: 5,
  linksPer100Words: 8,
  manyLinksAbsolute: 50,
  manyLinkDomains: 6,
  imageHeavyMinWords: 100,
  imageHeavyWordsPerImage: 10,
  gmailClipBytes: 102 * 1024,
  promoMinHits: 3,
  promoPer100Words: 1,
  subjectCapsRatio: 0.7,
  subjectExclamations: 3,
  hiddenTextWords: 40,
} as const;

const RISKY_EXTENSIONS = new Set(risky.entries.map((entry) => entry.extension));

export function inspectContent(message: Message): { section: ContentSection; findings: Finding[] } {
  const email = message.email;
  const html = email.html ?? "";
  const scan = scanHtml(html);
  const text = email.text ?? "";
  const bodyText = html ? scan.text : text;
  const words = wordCount(bodyText);
  const urls: BodyUrl[] = [];
  const anchorUrls = scan.anchors.map((anchor) => toBodyUrl(anchor.href, "anchor"));
  for (const url of anchorUrls) push(urls, url);
  for (const image of scan.images) push(urls, toBodyUrl(image.src, "image"));
  // Visible URLs that repeat an anchor's own href (<a href="https://x.test/">https://x.test/</a>) are one link.
  const hrefs = new Set(urls.map((url) => url.url));
  for (const raw of urlsInText(html ? scan.text : text)) {
    const url = toBodyUrl(raw, "text");
    if (url && !hrefs.has(url.url)) push(urls, url);
  }
  const links = urls.filter((url) => url.from !== "image");
  const domains = unique(urls.map((url) => url.domain));
  const foreign = domains.filter((domain) => domain !== message.fromOrgDomain);
  const pixels = scan.images.filter(
    (image) => image.width !== null && image.height !== null && image.width <= 1 && image.height <= 1,
  );
  const realImages = scan.images.length - pixels.length;
  const subject = email.subject ?? "";
  const promo = promoPhrases(`${subject}\n${bodyText}`);
  const promoHits = promo.reduce((sum, entry) => sum + entry.count, 0);
  const attachments = email.attachments.map((attachment) => {
    const filename = attachment.filename ?? "";
    const extension = filename.includes(".")
      ? filename
          .slice(filename.lastIndexOf(".") + 1)
          .toLowerCase()
          .trim()
      : "";
    return { filename, mimeType: attachment.mimeType, risky: RISKY_EXTENSIONS.has(extension) };
  });
  const section: ContentSection = {
    words,
    links: links.length,
    linksPer100Words: round((links.length * 100) / Math.max(words, 1)),
    linkDomains: domains,
    foreignLinkDomains: message.fromOrgDomain ? foreign : [],
    shorteners: unique(links.map((url) => shortenerOf(url.host)).filter((s): s is string => s !== null)),
    redirectors: links.flatMap((url) => {
      const kind = redirectorOf(url.url);
      return kind ? [{ url: url.url, kind }] : [];
    }),
    ipLiteralUrls: unique(urls.filter((url) => url.ipLiteral).map((url) => url.url)),
    anchorMismatches: scan.anchors.flatMap((anchor, index) => {
      const shown = displayedDomain(anchor.text);
      const target = anchorUrls[index];
      return shown && target && !target.ipLiteral && shown !== target.domain
        ? [{ text: anchor.text, href: anchor.href }]
        : [];
    }),
    images: scan.images.length,
    trackingPixels: pixels.map((image) => image.src),
    textPerImageWords: realImages > 0 ? round(words / realImages) : null,
    htmlBytes: Buffer.byteLength(html),
    hasTextPart: email.text !== undefined,
    hasHtmlPart: email.html !== undefined,
    promotionalPhrases: promo,
    promotionalPer100Words: round((promoHits * 100) / Math.max(words, 1)),
    subjectCapsRatio: round(capsRatio(subject)),
    subjectExclamations: exclamations(subject).total,
    hiddenTextWords: wordCount(scan.hiddenText),
    hidingStyles: unique(scan.hidingStyles),
    attachments,
  };
  const findings = contentFindings(section, promoHits, subject);
  if (message.parseError) findings.unshift(finding("MIME_UNPARSEABLE", message.parseError));
  return { section, findings };
}

function contentFindings(s: ContentSection, promoHits: number, subject: string): Finding[] {
  const L = CONTENT_LIMITS;
  const f: Finding[] = [];
  if (
    (s.links >= L.manyLinksMin && s.linksPer100Words > L.linksPer100Words) ||
    s.links > L.manyLinksAbsolute
  ) {
    f.push(finding("MANY_LINKS", `${s.links} links, ${s.linksPer100Words} per 100 words (${s.words} words)`));
  }
  if (s.foreignLinkDomains.length >= L.manyLinkDomains) {
    f.push(
      finding(
        "MANY_LINK_DOMAINS",
        `${s.foreignLinkDomains.length} domains other than the From domain: ${list(s.foreignLinkDomains)}`,
      ),
    );
  }
  if (s.foreignLinkDomains.length > 0) f.push(finding("LINK_DOMAIN_MISMATCH", list(s.foreignLinkDomains)));
  if (s.shorteners.length > 0) f.push(finding("URL_SHORTENER", list(s.shorteners)));
  if (s.redirectors.length > 0)
    f.push(finding("OPEN_REDIRECT", list(s.redirectors.map((r) => `${r.kind}: ${r.url}`))));
  if (s.ipLiteralUrls.length > 0) f.push(finding("IP_LITERAL_URL", list(s.ipLiteralUrls)));
  if (s.anchorMismatches.length > 0) {
    f.push(finding("ANCHOR_DOMAIN_MISMATCH", list(s.anchorMismatches.map((m) => `"${m.text}" → ${m.href}`))));
  }
  if (s.trackingPixels.length > 0) f.push(finding("TRACKING_PIXEL", list(s.trackingPixels)));
  if (
    s.textPerImageWords !== null &&
    (s.words < L.imageHeavyMinWords || s.textPerImageWords < L.imageHeavyWordsPerImage)
  ) {
    f.push(finding("IMAGE_HEAVY", `${s.images - s.trackingPixels.length} image(s), ${s.words} words`));
  }
  if (s.htmlBytes > L.gmailClipBytes)
    f.push(finding("HTML_CLIPPED_BY_GMAIL", `HTML is ${Math.round(s.htmlBytes / 1024)} KB`));
  if (s.hasHtmlPart && !s.hasTextPart) f.push(finding("NO_TEXT_PART", "text/html only"));
  if (promoHits >= L.promoMinHits && s.promotionalPer100Words >= L.promoPer100Words) {
    const top = s.promotionalPhrases.slice(0, 8).map((p) => `"${p.phrase}"×${p.count}`);
    f.push(
      finding(
        "PROMOTIONAL_LANGUAGE",
        `${promoHits} phrases, ${s.promotionalPer100Words} per 100 words: ${top.join(", ")}`,
      ),
    );
  }
  if (s.subjectCapsRatio >= L.subjectCapsRatio) f.push(finding("SUBJECT_ALL_CAPS", `Subject: ${subject}`));
  if (s.subjectExclamations >= L.subjectExclamations || /!!/.test(subject)) {
    f.push(finding("SUBJECT_EXCLAMATIONS", `Subject: ${subject}`));
  }
  if (s.hiddenTextWords >= L.hiddenTextWords) {
    f.push(finding("HIDDEN_TEXT", `${s.hiddenTextWords} hidden words via ${s.hidingStyles.join(", ")}`));
  }
  const risky = s.attachments.filter((a) => a.risky);
  if (risky.length > 0) f.push(finding("RISKY_ATTACHMENT", list(risky.map((a) => a.filename))));
  return f;
}

function push(urls: BodyUrl[], url: BodyUrl | null): void {
  if (url) urls.push(url);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function list(values: string[], max = 10): string {
  const shown = values.slice(0, max).join(", ");
  return values.length > max ? `${shown} … (+${values.length - max})` : shown;
}
