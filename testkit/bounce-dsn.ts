/**
 * A bounce email as tests write one: a multipart/report with a human-readable part and a delivery-status part
 * (RFC 3464), `fields` being the per-recipient block, `headers` extra header lines.
 */
export function dsnEmail(human: string, fields: string, headers = ""): string {
  return [
    "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>",
    "To: sender@example.org",
    "Subject: Returned mail: see transcript for details",
    headers,
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    "",
    "--B",
    "",
    human,
    "",
    "--B",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.example.org",
    "",
    fields,
    "",
    "--B--",
    "",
  ]
    .filter((line, index) => index !== 3 || line !== "")
    .join("\n");
}

/** The opening of Exim's bounce notice (exim's default bounce text), down to the line before the first address. */
export const EXIM_NOTICE_HEAD: readonly string[] = [
  "This message was created automatically by mail delivery software.",
  "",
  "A message that you sent could not be delivered to one or more of its",
  "recipients. This is a permanent error. The following address(es) failed:",
  "",
];
