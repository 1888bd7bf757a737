import type { ProviderRule } from "./provider-rule.ts";

/**
 * Orange (France Télécom, "FrancePTT" in Sisimai) numbers each rejection: `OFR_416 [416]`, `OFR006_102`,
 * `LPN001_108`. Only numbers seen in the Sisimai corpus are listed, with the reason Sisimai 5.6 gives them.
 * Mimecast names the filter that fired (`MCSpamSignature`).
 */
const ORANGE = "Orange postmaster error numbers (Sisimai lib/Sisimai/Rhost/FrancePTT.pm)";

export const ORANGE_MIMECAST_RULES: readonly ProviderRule[] = [
  {
    id: "orange-invalid-recipient",
    pattern: /\b(?:ofr|lpn)[0-9]*_416\b/,
    reason: "userunknown",
    category: "recipient",
    action: "Orange says the address does not exist: remove it.",
    source: `${ORANGE}; Sisimai corpus rhost-franceptt-01/02`,
    example: "550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. OFR_416 [416]",
  },
  {
    id: "orange-blocked-spam-source",
    // 101–103 only: Sisimai gives 104 to too many connections and no reason to 105–109 by number.
    pattern: /\b(?:ofr|lpn)[0-9]*_10[1-3]\b/,
    reason: "blocked",
    category: "blocklist",
    action:
      "Orange blocks the sending IP for spam (its reply links Cloudmark): request a reset at csi.cloudmark.com, then retry.",
    source: `${ORANGE}; Sisimai corpus rhost-franceptt-06/10`,
    example:
      "550 mwinf5c04 ME Adresse IP source bloquee pour incident de spam. Client host blocked for spamming issues. OFR006_102 Ref http://csi.cloudmark.com/reset-request/?ip=192.0.2.1 [102]",
  },
  {
    id: "orange-service-refused-999",
    pattern: /\b(?:ofr|lpn)[0-9]*_999\b/,
    reason: "blocked",
    category: "reputation",
    action: "Orange refuses the session from your IP for now: slow down and retry later.",
    source: `${ORANGE}; Sisimai corpus rhost-franceptt-07`,
    example:
      "421 mwinf5c77 ME Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR_999 [999]",
  },
  {
    id: "orange-system-error-505",
    pattern: /\b(?:ofr|lpn)[0-9]*_505\b/,
    reason: "systemerror",
    category: "transient",
    action: "A temporary error at Orange: retry later.",
    source: `${ORANGE}; Sisimai corpus rhost-franceptt-08`,
    example:
      "421 4.2.0 Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR005_505 [505]",
  },
  {
    id: "orange-spam-506",
    pattern: /\b(?:ofr|lpn)[0-9]*_506\b/,
    reason: "spamdetected",
    category: "content",
    action: "Orange's filter judged the message spam: review content and links.",
    source: `${ORANGE}; Sisimai corpus lhost-einsundeins-03`,
    example: "550 5.2.0 Mail rejete. Mail rejected. ofr_506 [506]",
  },
  {
    id: "mimecast-spam-signature",
    pattern: /mcspamsignature/,
    reason: "virusdetected",
    category: "content",
    action: "Mimecast's signature scan rejected the message: remove the attachment or link it flagged.",
    source:
      "Mimecast rejection codes (Sisimai lib/Sisimai/Rhost/Mimecast.pm); Sisimai corpus rhost-mimecast-02",
    example: "554 email rejected due to security policies - MCSpamSignature.sa.2.2",
  },
];
