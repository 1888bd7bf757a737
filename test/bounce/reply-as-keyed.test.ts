import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyDelivery, classifyReply } from "../../src/bounce/classify.ts";
import { classifyEvent } from "../../src/bounce/classify-event.ts";
import { maskReply } from "../../src/bounce/reply-key.ts";

/**
 * `classify`'s memo and the store's `reply_classes` give one reply key's verdict to every reply of the key, so the
 * classifier reads a reply as its key does (src/bounce/reply-key.ts): review R100–R103, each reply pair here one key.
 */
const verdict = (text: string, recipient = "someone@example.org") => {
  const { reason, category, providerCode, suppressRecipient, retryable } = classifyReply({
    text,
    recipient,
  });
  return { reason, category, providerCode, suppressRecipient, retryable };
};

const PAIRS: Array<[string, string, string]> = [
  [
    "R100: an address's local part is no word a rule reads",
    "550 5.1.1 <dmarc@example.org>: Recipient address rejected: User unknown in virtual mailbox table",
    "550 5.1.1 <jane@example.org>: Recipient address rejected: User unknown in virtual mailbox table",
  ],
  [
    "R100: overquota@",
    "550 5.1.1 <overquota@example.org>: Recipient address rejected: User unknown in virtual mailbox table",
    "550 5.1.1 <bkx@example.org>: Recipient address rejected: User unknown in virtual mailbox table",
  ],
  ["R101: a word an id's digit joins to the id", "550 : User unknown5sV", "550 : User FDB5000E297CF385"],
  [
    "R102: an id's length in a rule's bounded gap",
    "ehlo (aaa8aa) name invalid",
    "ehlo (a8aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa) name invalid",
  ],
  [
    "R102: an address's length in a rule's bounded gap",
    "ehlo <b@gmail.com> name invalid",
    "ehlo <bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb@gmail.com> name invalid",
  ],
  [
    "R103: no provider code read out of an id",
    "554 000000000000-oUkaaaaaaaa1si000.000 RBL Reject.",
    "554 000000000000-aaaaaaaa1si000.000 RBL Reject.",
  ],
];

for (const [what, one, other] of PAIRS) {
  test(`one key, one verdict: ${what}`, () => {
    assert.equal(maskReply(one).masked, maskReply(other).masked, "the pair is one key");
    assert.deepEqual(verdict(one), verdict(other));
  });
}

test("an unknown user whose address spells a reason is still an unknown user, suppressed (R100)", () => {
  const text =
    "550 5.1.1 <dmarc@example.org>: Recipient address rejected: User unknown in virtual mailbox table";
  assert.deepEqual(
    [verdict(text, "dmarc@example.org").reason, verdict(text, "dmarc@example.org").suppressRecipient],
    ["userunknown", true],
  );
  assert.equal(verdict("554 000000000000-oUkaaaaaaaa1si000.000 RBL Reject.").providerCode, null);
});

test("what a record shows is the reply's own: its one-line text, code and status", () => {
  const text = "550 5.1.1 <dmarc@example.org>: Recipient address rejected: User unknown";
  const classification = classifyReply({ text, recipient: "dmarc@example.org" });
  assert.equal(classification.diagnostic, text);
  assert.equal(classification.replyCode, 550);
  assert.equal(classification.status, "5.1.1");
});

test("a delivery's provider code is read as its key sees it too: never out of an id (R103)", () => {
  const delivered = (text: string) =>
    classifyDelivery({
      text,
      replyCode: 250,
      status: "2.0.0",
      action: "delivered",
      recipient: "a@example.org",
    })?.providerCode;
  const one = "250 2.0.0 OK 1700000000 000000000000-oUkaaaaaaaa1si000.000 - gsmtp";
  const other = "250 2.0.0 OK 1700000000 000000000000-aaaaaaaa1si000.000 - gsmtp";
  assert.equal(maskReply(one).masked, maskReply(other).masked, "the pair is one key");
  assert.equal(delivered(one), null);
  assert.equal(delivered(other), null);
  // Nor out of a host name: Outlook's accept names its mailbox server (review R111).
  const accepted = (host: string) =>
    `250 2.6.0 <V0S9NF65@mail.example-shop.com> [InternalId=9527482696767, Hostname=${host}.namprd02.prod.outlook.com] 56718 bytes`;
  assert.equal(delivered(accepted("LPN8PR01MB3882")), null);
  assert.equal(delivered(accepted("OFR8PR01MB3882")), null);
  // A code the reply itself carries stays.
  assert.equal(delivered("250 2.0.0 OK (S3150) queued"), "S3150");
});

test("one key, one verdict for a log line's SMTP phase too: no phase word is read out of an id (R127)", () => {
  // Sisimai's "batv" phrase inside an id (a log line's `(in reply to end of DATA command)`): the phase rules read the
  // reply as its key does, so no line of the key gets a hint the others lack (classify's bulk path shares one).
  const event = (reply: string) => {
    const { reason, category, suppressRecipient } = classifyEvent({
      type: "bounced",
      reply,
      replyCode: 550,
      status: "5.7.1",
      remoteMta: "mx.x.test[192.0.2.1]:25",
      recipient: "v0@x.test",
      hint: null,
      smtpCommand: "DATA",
    }) ?? { reason: null, category: null, suppressRecipient: null };
    return { reason, category, suppressRecipient };
  };
  for (const [one, other] of [
    ["550 5.7.1 rejected id batvujzde8gx7", "550 5.7.1 rejected id d6ncf10epf97"],
    [
      "550 5.7.1 rejected [bAtVj9vrwYEf4LnH_UopYt.eu630]",
      "550 5.7.1 rejected [aG0KnpLMA8KGKb3FgZ2Lo4.eu786]",
    ],
  ]) {
    assert.equal(maskReply(one).masked, maskReply(other).masked, "the pair is one key");
    assert.deepEqual(event(one), event(other), one);
  }
});
