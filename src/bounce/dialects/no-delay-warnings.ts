/**
 * MTAs that send no delay warnings: every report one of them writes is a failure, whatever its Action field says.
 * One MTA per entry, recognised by its report's own opening line, with the documentation that says so.
 */

export interface NoDelayWarnings {
  id: string;
  /** The report's own words (its human-readable part), read as written. */
  marker: RegExp;
  source: string;
  /** The marker as a real report writes it. */
  example: string;
}

export const NO_DELAY_WARNINGS: readonly NoDelayWarnings[] = [
  {
    // nullmailer-dsn still writes "Action: delayed" and the 4xx reply's Status when queuelifetime gave the
    // message up (nullmailer 2.2 on loopback: test/fixtures/mta-made/nullmailer n18, n36, n40; review R84).
    id: "nullmailer",
    marker: /^This is the nullmailer delivery system\./m,
    source:
      'nullmailer-send(8), https://manpages.debian.org/nullmailer/nullmailer-send.8.en.html: a message is bounced (nullmailer-dsn) only on a permanent failure or past queuelifetime, when it is "considered permanently failed" and moved to the failed queue',
    example: "This is the nullmailer delivery system.  The message attached below",
  },
];

/** The report is one of an MTA that sends no delay warnings. */
export const sendsNoDelayWarnings = (reportText: string): boolean =>
  NO_DELAY_WARNINGS.some((entry) => entry.marker.test(reportText));
