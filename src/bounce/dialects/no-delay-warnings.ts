import { type MarkedMta, markedIn, NULLMAILER } from "./marked-mta.ts";

/**
 * MTAs that send no delay warnings: every report one of them writes is a failure, whatever its Action field says.
 */

export const NO_DELAY_WARNINGS: readonly MarkedMta[] = [
  {
    // nullmailer-dsn still writes "Action: delayed" and the 4xx reply's Status when queuelifetime gave the
    // message up (nullmailer 2.2 on loopback: test/fixtures/mta-made/nullmailer n18, n36, n40; review R84).
    ...NULLMAILER,
    source:
      'nullmailer-send(8), https://manpages.debian.org/nullmailer/nullmailer-send.8.en.html: a message is bounced (nullmailer-dsn) only on a permanent failure or past queuelifetime, when it is "considered permanently failed" and moved to the failed queue',
  },
];

/** The report is one of an MTA that sends no delay warnings. */
export const sendsNoDelayWarnings = (reportText: string): boolean => markedIn(NO_DELAY_WARNINGS, reportText);
