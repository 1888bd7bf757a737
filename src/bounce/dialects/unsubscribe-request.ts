import { headerValue } from "../email/headers.ts";
import { addressesIn } from "../email/text.ts";
import type { Dialect } from "./types.ts";

/**
 * An unsubscribe request sent by the recipient's mail client (Apple Mail's "Unsubscribe" button mails the
 * List-Unsubscribe mailto: address with X-Apple-Unsubscribe: true): an opt-out complaint from the sender of
 * the request, reason `feedback` with feedback type `opt-out` (as Sisimai reports it).
 */
export const unsubscribeRequest: Dialect = {
  id: "unsubscribe-request",
  source: "Apple Mail List-Unsubscribe mailto requests (X-Apple-Unsubscribe header); RFC 2369 §3.2",
  detect: (mail) => (headerValue(mail.headers, "x-apple-unsubscribe") ?? "").toLowerCase() === "true",
  parse(mail) {
    return [
      {
        recipient: addressesIn(mail.from)[0] ?? null,
        diagnostic: mail.reportText.replace(/\s+/g, " ").trim().slice(0, 500),
        time: headerValue(mail.headers, "date"),
        hintReason: "feedback",
        feedbackType: "opt-out",
      },
    ];
  },
};
