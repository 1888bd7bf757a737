import type { ProviderRule } from "./provider-rule.ts";

/**
 * Cox and Charter/Spectrum tag rejections with `AUP#…` codes and link their error-code pages
 * (cox.com/residential/support/email-error-codes.html; spectrum.net/support/internet/understanding-email-error-codes).
 * Only codes seen in the Sisimai corpus are listed.
 */
export const COX_SPECTRUM_RULES: readonly ProviderRule[] = [
  {
    id: "cox-aup-blocklist",
    writtenBy: "cox",
    pattern: /aup#[a-z]*bl\b/,
    reason: "blocked",
    category: "blocklist",
    providerCode: "AUP#CDRBL",
    action:
      "Cox blocks the sending IP on its blocklist: follow the delisting steps on cox.com's error-code page.",
    source: "cox.com/residential/support/email-error-codes.html; Sisimai corpus rhost-cox-01 (blocked)",
    example:
      "550 5.1.0 <bounce@mailer.example.com> sender rejected. Refer to Error Codes section at https://www.cox.com/residential/support/email-error-codes.html for more information. AUP#CDRBL",
  },
  {
    id: "spectrum-aup-rate-limit",
    writtenBy: "charter",
    pattern: /aup#in-13[0-9]{2}\b/,
    reason: "ratelimited",
    category: "rate-limit",
    providerCode: "AUP#IN-1310",
    action: "Spectrum limits your sending rate: slow down and retry later.",
    source:
      "spectrum.net/support/internet/understanding-email-error-codes; Sisimai corpus rhost-spectrum-01 (ratelimited)",
    example:
      "550 5.1.0 <bounce@example.com> sender rejected. Please see https://www.spectrum.net/support/internet/understanding-email-error-codes for more information. AUP#In-1310",
  },
];
