import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { classifyDelivery, classifyReply, type ReplyInput } from "../../src/bounce/classify.ts";
import { classifyEvent } from "../../src/bounce/classify-event.ts";
import { PHRASE_TABLES } from "../../src/bounce/rules/knowledge.ts";
import { testedText } from "../../src/bounce/rules/phrase-rule.ts";
import { PROVIDER_CODE_PATTERNS } from "../../src/bounce/rules/provider-codes.ts";
import { PROVIDER_RULES } from "../../src/bounce/rules/provider-rules.ts";

/** A reply with the host and recipient it came with (its rule's, where the rule names them). */
interface Sample {
  text: string;
  remoteMta: string | null;
  recipient: string | null;
}

const FIXTURES = new URL("../fixtures/events/", import.meta.url);

/** Every rule's example, every provider code's, every line of the event fixtures, and accepts' own forms. */
function samples(): Sample[] {
  const found: Sample[] = [];
  for (const rule of PROVIDER_RULES)
    found.push({ text: rule.example, remoteMta: null, recipient: rule.exampleRecipient ?? null });
  for (const table of PHRASE_TABLES)
    for (const rule of table.rules)
      found.push({ text: testedText(rule), remoteMta: table.hosts?.[0] ?? null, recipient: null });
  for (const entry of PROVIDER_CODE_PATTERNS)
    found.push({ text: entry.example, remoteMta: null, recipient: null });
  for (const name of readdirSync(FIXTURES).filter((n) => n !== "README.md"))
    for (const line of readFileSync(new URL(name, FIXTURES), "utf8").split("\n"))
      found.push({ text: line, remoteMta: null, recipient: null });
  for (const text of [
    "",
    "250 2.6.0 <a1b2@mail.example.net> [InternalId=71883653249945, Hostname=MW0PR10CA9619.eurprd04.prod.outlook.com] 92125 bytes in 0.253, 355.286 KB/sec Queued mail for delivery",
    "250 2.0.0 Ok: queued as EA425B02395",
    "250 2.0.0 OK  1767600000 98e67ed59e1d1-2c2d0e28189si6418580a91.13 - gsmtp",
    "smtp; 250 2.0.0 Ok: queued as 4F2A1B3C9D",
    "250-mx.example.org accepted 250 2.0.0 message queued",
    "host mx.example.org[192.0.2.1] said: 250 2.0.0 Ok (in reply to end of DATA command)",
    "250 2.0.0 [HM08] accepted \u2019quoted\u2019 \t tab",
    "550 5.1.1 <a@b.example>: Recipient address rejected: User unknown in virtual mailbox table",
  ])
    found.push({ text, remoteMta: null, recipient: null });
  return found;
}

/** The contexts around a reply: every delivered action's spelling, codes and statuses valid or not, hosts or none. */
const ACTIONS = ["delivered", "relayed", "expanded", " Delivered "];
const CODES = [null, 250, 550, 99];
const STATUSES = [null, "2.0.0", "5.0.0", "bogus"];
const HOSTS = [null, "mx01.mail.icloud.com", "alt1.gmail-smtp-in.l.google.com", "192.0.2.7"];
const RECIPIENTS = [null, "someone@outlook.com", "a@docomo.ne.jp"];

function inputsOf(sample: Sample, i: number): ReplyInput[] {
  const own: ReplyInput = { ...sample, action: "delivered" };
  const varied = (k: number): ReplyInput => ({
    text: sample.text,
    action: ACTIONS[k % ACTIONS.length],
    replyCode: CODES[(k >> 1) % CODES.length],
    status: STATUSES[(k >> 2) % STATUSES.length],
    remoteMta: sample.remoteMta ?? HOSTS[(k >> 3) % HOSTS.length],
    recipient: sample.recipient ?? RECIPIENTS[k % RECIPIENTS.length],
  });
  return [own, varied(i), varied(i * 7 + 3)];
}

test("classifyDelivery gives classifyReply's classification of every rule's example and fixture, for delivered actions", () => {
  let compared = 0;
  samples().forEach((sample, i) => {
    for (const input of inputsOf(sample, i)) {
      const cheap = classifyDelivery(input);
      assert.notEqual(cheap, null, JSON.stringify(input));
      assert.deepEqual(cheap, classifyReply(input), JSON.stringify(input));
      compared++;
    }
  });
  assert.ok(compared > 1000, `${compared} compared`);
});

test("classifyDelivery reads the text where the verdict does: its provider code, provider, code, status and host", () => {
  const got = classifyDelivery({
    text: "host mx.example.org[192.0.2.1] said: 250 2.0.0 [HM08] accepted",
    action: "delivered",
  });
  assert.equal(got?.providerCode, "HM08");
  assert.equal(got?.replyCode, 250);
  assert.equal(got?.status, "2.0.0");
  assert.equal(got?.remoteMta, "mx.example.org");
  assert.equal(got?.reason, "delivered");
  const unfolded = classifyDelivery({ text: "250  2.0.0\t[HM08]   accepted ", action: "relayed" });
  assert.equal(unfolded?.diagnostic, "250 2.0.0 [HM08] accepted");
});

test("classifyDelivery answers only deliveries without a hint (null: classifyReply decides)", () => {
  const text = "250 2.0.0 Ok: queued as EA425B02395";
  for (const action of ["failed", "delayed", null, undefined, ""])
    assert.equal(classifyDelivery({ text, action }), null, String(action));
  assert.equal(classifyDelivery({ text, action: "delivered", hintReason: "expired" }), null);
  assert.equal(classifyDelivery({ text, action: "delivered", hintReason: "feedback" }), null);
});

test("a delivery's SMTP phase still applies after the cheap path (Docomo's 5.0.0 after DATA is rejected)", () => {
  const facts = {
    type: "delivered",
    reply: "250 5.0.0 accepted",
    replyCode: 250,
    status: "5.0.0",
    remoteMta: "mfsmax.docomo.ne.jp",
    recipient: "a@docomo.ne.jp",
    hint: null,
  };
  assert.equal(classifyEvent({ ...facts, smtpCommand: "DATA" })?.reason, "rejected");
  assert.equal(classifyEvent({ ...facts, smtpCommand: null })?.reason, "delivered");
  assert.deepEqual(
    classifyEvent({ ...facts, smtpCommand: null }),
    classifyReply({ ...facts, text: facts.reply, action: "delivered" }),
  );
});
