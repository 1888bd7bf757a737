/**
 * Hand-written Postfix lines around the edges of the line scanner, for parity tests between ways of
 * reading one log (one reader, shards, byte-level skipping): non-ASCII text (before the status and in
 * the reply), CRLF line ends, ISO stamps, lines of other programs, garbage, queue ids of odd lengths,
 * a deferral that expires through qmgr, `removed`, and statuses nobody knows.
 */
export const POSTFIX_EDGE_LINES: readonly string[] = [
  "garbage",
  "",
  "Feb  2 12:00:00 h dovecot[1]: imap-login: Login",
  "Feb  2 12:00:00 h postfix/smtp[1]: short: x",
  "Feb  2 12:00:01 h postfix/qmgr[2]: AAAAAA0001: from=<news@send.example.com>, size=1, nrcpt=3 (queue active)",
  "Feb  2 12:00:01 h postfix/cleanup[3]: AAAAAA0001: message-id=<m1@send.example.com>",
  "Feb  2 12:00:02 h postfix/smtp[4]: AAAAAA0001: to=<a@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.27]:25, delay=1, delays=0/0/0/1, dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com[142.250.1.27] said: 421-4.7.28 rate limited 421 4.7.28 a1si2 - gsmtp (in reply to end of DATA command))",
  "Feb  2 12:00:02 h postfix/smtp[4]: AAAAAA0001: to=<b@icloud.com>, relay=mx01.mail.icloud.com[17.57.155.25]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 1234)\r",
  "Feb  2 12:00:03 h postfix/smtp[4]: AAAAAA0001: to=<zoë@example.de>, relay=mx.example.de[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.de[192.0.2.9] said: 550 5.1.1 Postfach für zoë unbekannt (in reply to RCPT TO command))",
  "Feb  2 12:00:04 h postfix/smtp[4]: BBBBBB0002: to=<c@example.com>, relay=none, delay=1, delays=0/0/0/1, dsn=4.4.1, status=deferred (connect to mx.example.com[192.0.2.1]:25: Connection timed out)",
  "Feb  2 12:00:05 h postfix/smtp[4]: BBBBBB0002: to=<c@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=9, delays=0/0/0/9, dsn=2.0.0, status=sent (250 ok)",
  "Feb  2 12:00:06 h postfix/smtp[4]: CCCC: to=<d@example.com>, relay=none, dsn=5.0.0, status=bounced (queue id too short)",
  "Feb  2 12:00:06 h postfix/smtp[4]: CCCCCCCCCCCCCCCCCCCCCCCCC: to=<d@example.com>, relay=none, dsn=5.0.0, status=bounced (queue id too long)",
  "Feb  2 12:00:06 h postfix/smtp[4]: CC CC CC: to=<d@example.com>, relay=none, dsn=5.0.0, status=bounced (queue id with spaces)",
  "Feb  2 12:00:07 h postfix/smtp[4]: DDDDDD0004: to=<e@example.com>, relay=none, dsn=5.0.0, status=weird (an unknown status)",
  "Feb  2 12:00:07 h postfix/smtp[4]: DDDDDD0004: to=<e@example.com>, relay=none, dsn=2.0.0, status=sent",
  "Feb  2 12:00:07 h postfix/smtp[4]: DDDDDD0004: to=<e@example.com, status=sent (no closing angle bracket)",
  "Feb  2 12:00:08 h postfix/smtp[4]: EEEEEE0005: to=<f@example.com>, relay=mx.example.com[192.0.2.1]:25, dsn=2.0.0, status=sent (250 ok, status=bounced in the text)",
  "2026-02-02T12:00:09.123456+01:00 h postfix/smtp[4]: FFFFFF0006: to=<g@yahoo.com>, relay=mta7.am0.yahoodns.net[67.195.204.72]:25, dsn=4.7.0, status=deferred (host mta7.am0.yahoodns.net[67.195.204.72] said: 421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred (in reply to MAIL FROM command))",
  "2026-02-02 12:00:10 h postfix/smtp[4]: FFFFFF0006: to=<h@yahoo.com>, relay=mta7.am0.yahoodns.net[67.195.204.72]:25, dsn=2.0.0, status=sent (250 ok dirdel)",
  "Feb  2 12:00:11 h postfix-out/smtp[4]: GGGGGG0007: to=<i@outlook.com>, relay=outlook-com.olc.protection.outlook.com[52.101.8.40]:25, dsn=5.7.1, status=bounced (host outlook-com.olc.protection.outlook.com[52.101.8.40] said: 550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent (S3150). (in reply to RCPT TO command))",
  "Feb  2 12:00:12 h postfix/smtp[4]: AAAAAA0001: to=<a@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.27]:25, delay=1, delays=0/0/0/1, dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com[142.250.1.27] said: 421-4.7.28 rate limited again 421 4.7.28 b2si3 - gsmtp (in reply to end of DATA command))",
  "Feb  7 13:00:00 h postfix/qmgr[2]: AAAAAA0001: from=<news@send.example.com>, status=expired, returned to sender",
  "Feb  7 13:00:01 h postfix/qmgr[2]: AAAAAA0001: removed",
  "Feb  7 13:00:02 h postfix/smtp[4]: HHHHHH0008: to=<j@example.com>, relay=mx.example.com[192.0.2.1]:25, dsn=2.0.0, status=sent (250 ok \u00e9t\u00e9)",
];
