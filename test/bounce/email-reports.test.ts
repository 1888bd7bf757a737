import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { recordsFromEmail } from "../../src/bounce/email/index.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures/bounce-email");

test("DMARC aggregate and TLS reports are no bounces: no record, a note naming the file", () => {
  for (const [name, note] of [
    ["dmarc-aggregate.eml", /^a DMARC aggregate report \(RFC 7489 §7\.2\), not a bounce: skipped$/],
    ["tls-report.eml", /^an SMTP TLS report \(RFC 8460\), not a bounce: skipped$/],
  ] as const) {
    const raw = readFileSync(join(FIXTURES, name));
    const { records, problems } = recordsFromEmail(raw, name);
    assert.deepEqual(records, [], name);
    assert.equal(problems.length, 1, name);
    assert.equal(problems[0].source.file, name);
    assert.match(problems[0].message, note);
  }
  // The same layout in a plain-text DMARC failure report sent without an ARF part.
  const failure = Buffer.from(
    "From: dmarc@receiver.example.org\nTo: ruf@example.com\nSubject: DMARC Forensic Report for example.com from IP 192.0.2.68\nDate: Wed, 04 Mar 2026 01:00:00 +0000\n\nA message claiming to be from you failed DMARC.\nSender Domain: example.com\nSender IP Address: 192.0.2.68\n",
  );
  assert.match(recordsFromEmail(failure, "ruf.eml").problems[0]?.message ?? "", /DMARC failure report/);
  // A bounce that quotes a report's subject is still a bounce.
  const bounce = readFileSync(join(FIXTURES, "dsn-two-recipients.eml"), "latin1").replace(
    "Subject: Hello",
    "Subject: Report Domain: example.com Submitter: example.org",
  );
  assert.equal(recordsFromEmail(Buffer.from(bounce, "latin1"), "dsn.eml").records.length, 2);
});
