import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { readEmail } from "../../src/bounce/email/index.ts";
import type { BounceRecord } from "../../src/bounce/record.ts";
import { REASONS } from "../../src/bounce/vocabulary.ts";

/**
 * Bounces owing nothing to the Sisimai corpus: a reply a provider documents, carried in an MTA's documented
 * bounce layout, both cited in the fixture (test/fixtures/independent-bounces/README.md), and the real emails of
 * baunsu's tests (test/fixtures/baunsu/README.md), and bounces real MTAs (Postfix, Exim, OpenSMTPD, Sendmail, Courier, dma) made for failures set up on
 * purpose (test/fixtures/mta-made/README.md). Each names its failed recipient (none: no bounce, or one
 * naming no address, so it gives no record; a delay warning's recipient is no failure) and the reason its documentation gives; an entry marked `open` is a
 * known miss (a review finding), counted by bench/independent-bounces.ts and not asserted here until it is fixed.
 */
const FIXTURES = join(import.meta.dirname, "../fixtures");
const DIR = join(FIXTURES, "independent-bounces");
const BAUNSU = join(FIXTURES, "baunsu");

interface Expected {
  recipients: string[];
  reason: string | null;
  open?: string;
}

interface Documented extends Expected {
  replySource: string;
  layoutSource: string;
}

const expectedIn = <T extends Expected>(dir: string) =>
  JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Record<string, T>;
const EXPECTED = expectedIn<Documented>(DIR);
const REAL = expectedIn<Expected & { why: string }>(BAUNSU);

test("every independent fixture has one entry citing its public sources, and every entry a fixture", () => {
  const files = readdirSync(DIR).filter((file) => file.endsWith(".eml"));
  assert.deepEqual(files.sort(), Object.keys(EXPECTED).sort());
  for (const [file, want] of Object.entries(EXPECTED)) {
    const fields = readFileSync(join(DIR, file), "latin1")
      .replaceAll("\r\n", "\n")
      .split("\n\n")[0]
      .split("\n");
    assert.ok(fields.includes(`X-Fixture-Reply-Source: ${want.replySource}`), file);
    assert.ok(fields.includes(`X-Fixture-Layout-Source: ${want.layoutSource}`), file);
    for (const url of [want.replySource, want.layoutSource])
      assert.match(url, /^https:\/\/[a-z0-9.-]+\.[a-z]+\//, file);
    if (want.reason !== null) assert.ok(Object.hasOwn(REASONS, want.reason), `${file}: ${want.reason}`);
  }
});

test("every baunsu email has one entry saying why, and every entry an email", () => {
  const files = readdirSync(BAUNSU).filter((file) => file.endsWith(".txt"));
  assert.equal(files.length, 15);
  assert.deepEqual(files.sort(), Object.keys(REAL).sort());
  for (const [file, want] of Object.entries(REAL)) {
    assert.ok(want.why.length > 0, file);
    if (want.reason !== null) assert.ok(Object.hasOwn(REASONS, want.reason), `${file}: ${want.reason}`);
  }
});

const cases: [string, string, Expected][] = [
  ...Object.entries(EXPECTED).map(([file, want]): [string, string, Expected] => [DIR, file, want]),
  ...Object.entries(REAL).map(([file, want]): [string, string, Expected] => [BAUNSU, file, want]),
];
/**
 * A file's failed recipients: its records but a delivery report's and a delay warning's (RFC 3464 §2.3.3 Action
 * delayed: the MTA "will continue to attempt" — a record, stored as a deferral, never a failure). A delayed record
 * is never a reason to drop the address and is worth retrying, whatever its words.
 */
function failuresIn(dir: string, file: string): BounceRecord[] {
  const { records, actions } = readEmail(readFileSync(join(dir, file)), file);
  for (const [index, record] of records.entries())
    if (actions[index] === "delayed")
      assert.deepEqual(
        [record.suppressRecipient, record.retryable],
        [false, true],
        `${file}: delayed ${record.recipient}`,
      );
  return records.filter((record, index) => record.reason !== "delivered" && actions[index] !== "delayed");
}

for (const [dir, file, want] of cases) {
  if (want.open) continue;
  test(`${file}: its failed recipient and documented reason`, () => {
    const records = failuresIn(dir, file);
    assert.deepEqual(
      records.map((record) => record.recipient?.toLowerCase()),
      want.recipients.map((address) => address.toLowerCase()),
    );
    if (want.reason !== null)
      assert.deepEqual(
        records.map((record) => record.reason),
        want.recipients.map(() => want.reason),
      );
  });
}

/** The MTA-made bounces: recipients null with `bounce: false` (a success report, a delay warning). */
interface MtaMade {
  recipients: string[] | null;
  reasons: string[] | null;
  bounce: boolean;
  why: string;
  open?: string;
  /** Per failed recipient (lower case): the provider its domain belongs to (set 8 on). */
  providers?: Record<string, string>;
  /**
   * Per failed recipient: a provider it must not be read as (set 12: a domain behind a shared filter's host, e.g. another
   * Cloudmark customer's behind *.mx.a.cloudfilter.net, is not Cox's).
   */
  notProviders?: Record<string, string>;
  /** Per failed recipient of a report naming several: the reasons right for that one (set 12 on; `reasons` is their union). */
  reasonsOf?: Record<string, string[]>;
  /** Per failed recipient: true for an address that is gone, false for a refusal that is not about it, null: no claim. */
  suppress?: Record<string, boolean | null>;
}

for (const mta of ["postfix", "exim", "opensmtpd", "sendmail", "courier", "dma", "nullmailer", "dovecot"]) {
  const dir = join(FIXTURES, "mta-made", mta);
  const made = expectedIn<MtaMade & Expected>(dir) as Record<string, MtaMade>;
  test(`every ${mta}-made bounce has one entry saying why, and every entry a file`, () => {
    const files = readdirSync(dir).filter((file) => file.endsWith(".eml"));
    assert.deepEqual(files.sort(), Object.keys(made).sort());
    for (const [file, want] of Object.entries(made)) {
      assert.ok(want.why.length > 0, file);
      assert.equal(want.bounce, want.recipients !== null, file);
      for (const reason of want.reasons ?? [])
        assert.ok(Object.hasOwn(REASONS, reason), `${file}: ${reason}`);
    }
  });
  for (const [file, want] of Object.entries(made)) {
    if (want.open) continue;
    test(`${mta} ${file}: its failed recipients and reason, or no failure`, () => {
      const failures = failuresIn(dir, file);
      if (want.recipients === null) {
        assert.deepEqual(failures, []);
        return;
      }
      assert.deepEqual(
        failures.map((record) => record.recipient?.toLowerCase()).sort(),
        want.recipients.map((address) => address.toLowerCase()).sort(),
      );
      const { reasons } = want;
      if (reasons !== null)
        for (const record of failures) assert.ok(reasons.includes(record.reason), record.reason);
      for (const record of failures) {
        const recipient = record.recipient?.toLowerCase() ?? "";
        const provider = want.providers?.[recipient];
        if (provider !== undefined) assert.equal(record.provider, provider, recipient);
        const own = want.reasonsOf?.[recipient];
        if (own !== undefined) assert.ok(own.includes(record.reason), `${recipient}: ${record.reason}`);
        const notProvider = want.notProviders?.[recipient];
        if (notProvider !== undefined) assert.notEqual(record.provider, notProvider, recipient);
        const suppress = want.suppress?.[recipient];
        if (suppress !== undefined && suppress !== null)
          assert.equal(record.suppressRecipient, suppress, `${recipient}: suppressRecipient`);
      }
    });
  }
}
