import type { Provider } from "../vocabulary.ts";
import { anyOf } from "./any-of.ts";

/**
 * Extracting a provider's own code from a reply (Apple CS01, Yahoo TSS04, Microsoft S3150/AS…,
 * Comcast RL000010 …). Ordered, first match wins; each pattern sees the lower-cased reply and the code
 * comes out upper-cased. Enhanced statuses (5.7.515) are not provider codes: they stay in `status`.
 */
export interface ProviderCodePattern {
  id: string;
  pattern: RegExp;
  source: string;
  example: string;
  /** The code `example` must yield. */
  code: string;
  /**
   * The provider whose servers write this code, where it is one of ours: its code alone names the provider
   * (src/bounce/provider.ts TEXT_MARKERS; a test holds the two together). Absent for codes of providers we do
   * not name (GoDaddy, Orange) or of several (Cox and Spectrum share AUP#).
   */
  provider?: Provider;
}

export const PROVIDER_CODE_PATTERNS: readonly ProviderCodePattern[] = [
  {
    id: "apple-bracket",
    pattern: /\[((?:cs|hm|hcm|hme|bs)[0-9]{1,2})\]/,
    source:
      "observed iCloud replies (support.apple.com/en-us/102322 publishes no code list; sisimai go rhost/for-apple.go)",
    example: "550 5.7.1 [CS01] Message rejected due to local policy",
    code: "CS01",
    provider: "apple",
  },
  {
    id: "yahoo-bracket",
    pattern: /\[((?:tss?|ipts|ph|bl)[0-9]{2})\]/,
    source:
      "senders.yahooinc.com/smtp-error-codes: TS01–TS03, TSS04/05/09/11, IPTS04/05, PH01, BL21/BL23 (sisimai go rhost/for-yahooinc.go quotes [BL21], [BL23], [PH01], [TSS04], [TSS09])",
    example: "421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred",
    code: "TSS04",
    provider: "yahoo",
  },
  {
    id: "microsoft-s-code",
    pattern: /\((s[0-9]{3,5})\)/,
    source:
      "Microsoft S-codes in Outlook.com NDRs (sisimai go rhost/for-microsoft.go; mail.live.com troubleshooting)",
    example: "550 5.7.1 … part of their network is on our block list (S3150).",
    code: "S3150",
    provider: "microsoft",
  },
  {
    id: "microsoft-as-rule",
    pattern: /\((as[0-9]{8})\)/,
    source:
      "Exchange Online Protection rule ids, AS + eight digits (learn.microsoft.com NDR docs: AS16012607 = 5.7.513); a shorter (AS14061) is a network's AS number, as blocklist replies name it",
    example: "550 5.7.513 … blocked using Customer Block list (AS16012607)",
    code: "AS16012607",
    provider: "microsoft",
  },
  {
    id: "microsoft-legacy",
    pattern: /(?<![\w.@-])((?:rp|sc|dy|ou)-00[0-9])(?![\w@-]|\.\w)/,
    source: "Outlook.com legacy error codes (mail.live.com/mail/troubleshooting.aspx)",
    example: "550 SC-001 (BAY004-MC5F21) Unfortunately, messages from 192.0.2.10 weren't sent.",
    code: "SC-001",
    provider: "microsoft",
  },
  {
    id: "comcast-bits",
    pattern: /\b((?:rl|bl|es)[0-9]{6})\b/,
    source: "postmaster.comcast.net/mail-error-codes",
    example: "421 … Domain Throttled. see http://postmaster.comcast.net/smtp-error-codes.php#RL000010",
    code: "RL000010",
    provider: "comcast",
  },
  {
    id: "cox-spectrum-aup",
    pattern: /\b(aup#[a-z0-9-]+)/,
    source: "Cox and Spectrum error-code pages (AUP#… codes); Sisimai corpus rhost-cox-01, rhost-spectrum-01",
    example: "550 5.1.0 <a@example.com> sender rejected. … AUP#In-1310",
    code: "AUP#IN-1310",
  },
  {
    id: "godaddy-ib-code",
    pattern: /\b(ib[0-9]{3})\b/,
    source:
      "GoDaddy bounce codes (ca.godaddy.com/help/fix-rejected-email-with-a-bounce-error-40685; sisimai go rhost/for-godaddy.go)",
    example: "550 jane@coolexample.com Invalid SPF record. Inspect your SPF settings, and try again. IB508",
    code: "IB508",
  },
  {
    id: "orange-code",
    // The label, letters or digits of its own (LPNAAA_101, OFR004_405), a separator or none (LPN416), the number.
    pattern: /\b((?:ofr|lpn|ouk)[a-z0-9]*[_-]?[0-9]{3})\b/,
    source: "Orange / La Poste error numbers (postmaster.orange.fr; sisimai go rhost/for-franceptt.go)",
    example: "550 5.5.0 Le compte du destinataire est bloque. The recipient account isblocked. LPN007_426",
    code: "LPN007_426",
  },
];

/** Whether any pattern can match: one pass over a reply (most carry no provider code). */
const ANY_CODE = anyOf(PROVIDER_CODE_PATTERNS.map((entry) => entry.pattern));

export function extractProviderCode(lowerText: string): string | null {
  if (ANY_CODE?.test(lowerText) === false) return null;
  for (const entry of PROVIDER_CODE_PATTERNS) {
    const match = entry.pattern.exec(lowerText);
    if (match) return match[1].toUpperCase();
  }
  return null;
}
