/** Words by which the receiving MTA says the address it refused is the envelope sender, not the recipient. */
export interface SenderRefusal {
  id: string;
  /** Lower-case text the reply contains. */
  phrase: string;
  source: string;
  /** A real reply with the phrase, quoted from where it was seen; null where none was found yet. */
  example: string | null;
  exampleSource?: string;
}

/**
 * A refusal in these words judges the sender's address, whatever else the reply says: the words of an unknown user
 * in it are about the sender (Exim quotes the sender's own server after "Response:" when its callout to the sender
 * fails: "550-Response: 550 5.1.1 <bounce@…>: Recipient address rejected: User unknown …" above "550 Sender verify
 * failed"). The label stays Sisimai's (its Go edition reads such a reply's 5.1.1 as userunknown too,
 * reason/why-userunknown.go), but the recipient is not suppressed: src/bounce/classify.ts `sendersRefusal`.
 */
export const SENDER_REFUSALS: readonly SenderRefusal[] = [
  {
    id: "postfix-sender-address-rejected",
    phrase: "sender address rejected",
    source:
      "Postfix smtpd(8) sender restrictions (check_sender_access, reject_unknown_sender_domain, reject_unlisted_sender, reject_unverified_sender): https://www.postfix.org/postconf.5.html#smtpd_sender_restrictions",
    example: "554 5.7.1 <spammer@sender.test>: Sender address rejected: Access denied",
    exampleSource:
      "written by Postfix 3.7.11 as the receiving server: test/fixtures/mta-made/postfix/p07-sender-rejected.eml",
  },
  {
    id: "exim-sender-verify-failed",
    phrase: "sender verify failed",
    source:
      'Exim ACL `verify = sender` and its callouts: https://www.exim.org/exim-html-current/doc/html/spec_html/ch-access_control_lists.html; sisimai go reason/why-rejected.go ("sender verify failed", Exim callout)',
    example: [
      "550-Verification failed for <bounce@cb.test>",
      "550-Called:   127.0.0.1",
      "550-Sent:     RCPT TO:<bounce@cb.test>",
      "550-Response: 550 5.1.1 <bounce@cb.test>: Recipient address rejected: User unknown in virtual mailbox table",
      "550 Sender verify failed",
    ].join("\n"),
    exampleSource:
      "written by Exim 4.96 (Debian 12, exim4-daemon-light 4.96-15+deb12u11) as the receiving server with `require verify = sender/callout`, the sender domain's MX (Postfix) refusing the callout to the sender: the review lane's loopback setup, session 39",
  },
];

/** Does the reply (lower case) say the refused address is the sender's? */
export function refusesSender(lowerText: string): boolean {
  return SENDER_REFUSALS.some((refusal) => lowerText.includes(refusal.phrase));
}
