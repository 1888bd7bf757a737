import { type MarkedMta, markedIn, NULLMAILER } from "./marked-mta.ts";

/**
 * MTAs that give up a whole message at one refused recipient and write that one reply into every recipient's
 * report: the reply is a verdict only on a recipient it names.
 */

export const ONE_REFUSAL_FOR_ALL: readonly MarkedMta[] = [
  {
    // nullmailer 2.2 on loopback: one message to several recipients, one refused at RCPT TO, is reported failed for
    // every recipient with that refusal, the accepted ones too (test/fixtures/mta-made/nullmailer n197, n339, n340;
    // review R85, R126).
    ...NULLMAILER,
    source:
      "nullmailer's SMTP protocol module, https://github.com/bruceg/nullmailer/blob/master/protocols/smtp.cc: the envelope's MAIL FROM and every RCPT TO go through one command step that fails the whole delivery on a refusal; nullmailer-send(8), https://manpages.debian.org/nullmailer/nullmailer-send.8.en.html: the message is then bounced by nullmailer-dsn",
  },
];

/** The report is one of an MTA that gives every recipient the one refusal that failed the message. */
export const givesEveryRecipientOneRefusal = (reportText: string): boolean =>
  markedIn(ONE_REFUSAL_FOR_ALL, reportText);
