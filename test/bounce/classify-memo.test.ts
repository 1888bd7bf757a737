import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

const classify = new URL("../../src/bounce/classify.ts", import.meta.url).href;

/**
 * Bytes still on the heap after a full GC once `work` ran (classifyReply and KEPT_AT_FIRST_SIGHT in scope), in a
 * child with --expose-gc; `setup` runs before the heap is first measured.
 */
function retainedAfter(work: string, setup = ""): number {
  const script = `
    const { classifyReply, KEPT_AT_FIRST_SIGHT } = await import(${JSON.stringify(classify)});
    ${setup}
    globalThis.gc();
    const before = process.memoryUsage().heapUsed;
    ${work}
    globalThis.gc();
    process.stdout.write(String(process.memoryUsage().heapUsed - before));
  `;
  const run = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], {
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  return Number(run.stdout);
}

/**
 * The reply memo must not keep the messages its replies were cut from: a reply, its remote host and its
 * status are slices of the whole message (a latin1 string), and a slice keeps its parent alive. With
 * replies that never repeat (recipients named in them), every message read would otherwise stay in memory
 * up to the memo's 50,000 entries. Run in a child with --expose-gc, so the heap is measured after a full GC.
 */
test("the reply memo keeps copies, not the messages the replies are slices of", () => {
  const retained = retainedAfter(`
    for (let i = 0; i < 60; i++) {
      // One message of 1 MB: headers, the reply, a large attached original.
      const message = "Reporting-MTA: dns; mx" + i + ".example.net\\n" + "Status: 5.1.1\\n" +
        "Diagnostic-Code: smtp; 550 5.1.1 <user" + i + "@example.com>: Recipient address rejected\\n" + "x".repeat(1 << 20);
      const at = message.indexOf("550 5.1.1");
      const host = message.indexOf("mx" + i);
      // Twice: a reply is kept from its second sighting on.
      for (let sighting = 0; sighting < 2; sighting++) classifyReply({
        text: message.slice(at, message.indexOf("\\n", at)),
        replyCode: 550,
        status: message.slice(message.indexOf("5.1.1"), message.indexOf("5.1.1") + 5),
        remoteMta: message.slice(host, message.indexOf("\\n", host)),
        reportingMta: message.slice(host, message.indexOf("\\n", host)),
        recipient: message.slice(message.indexOf("user" + i), message.indexOf(">", at)),
        action: "failed",
        hintReason: null,
      });
    }
  `);
  // 60 messages of 1 MB: kept, they would be 60 MB; the memo's own entries are a few KB each.
  assert.ok(retained < 10 * 1024 * 1024, `retained ${retained} bytes`);
});

test("past the memo's first replies, a reply seen once is not kept; one seen again is, and every sighting gets the same answer", () => {
  // The memo's first KEPT_AT_FIRST_SIGHT classifications are kept at once (a process's first, cold ones).
  const warm = `
    for (let i = 0; i < KEPT_AT_FIRST_SIGHT; i++)
      classifyReply({ text: "550 5.1.1 unknown user " + i, replyCode: 550, status: "5.1.1", recipient: "a@example.com" });
  `;
  const retained = retainedAfter(
    `
    const reply = (i) => ({
      text: "550 5.1.1 <user" + i + "@example.com>: Recipient address rejected: " + "no such user here ".repeat(40) + i,
      replyCode: 550, status: "5.1.1", remoteMta: "mx.example.net", reportingMta: null,
      recipient: "user" + i + "@example.com", action: "failed", hintReason: null,
    });
    const same = JSON.stringify(classifyReply(reply(-1)));
    for (let sighting = 0; sighting < 3; sighting++)
      if (JSON.stringify(classifyReply(reply(-1))) !== same) throw new Error("sighting " + sighting + " differs");
    for (let i = 0; i < 20000; i++) classifyReply(reply(i));
  `,
    warm,
  );
  // Kept, 20,000 replies of 750 characters would be 15 MB and more; seen once, none is.
  assert.ok(retained < 4 * 1024 * 1024, `retained ${retained} bytes`);
});

test("a memoized reply answers only its own context: each field the result depends on tells contexts apart", async () => {
  const base = {
    text: "Message could not be delivered",
    replyCode: 550 as number | null,
    status: "5.1.1",
    remoteMta: "mx.example.net",
    reportingMta: null as string | null,
    recipient: "a@example.com",
    action: "failed",
    hintReason: null as string | null,
  };
  const localPolicy = "550 5.7.1 Message rejected due to local policy";
  // Per field: the context in which it is changed (the text and the rest as given), and its changed value.
  const cases: Array<[keyof typeof base, unknown, Partial<typeof base>]> = [
    ["replyCode", 452, {}],
    ["status", "5.2.2", {}],
    ["remoteMta", "mx01.mail.icloud.com", { text: localPolicy, status: "5.7.1" }],
    ["recipient", "a@gmail.com", { remoteMta: "" }],
    ["action", "delivered", { text: "ok", status: null as unknown as string, replyCode: null }],
    ["hintReason", "feedback", {}],
    ["reportingMta", "mx01.mail.icloud.com", { text: localPolicy, status: "5.7.1", remoteMta: "" }],
  ];
  for (const [field, value, context] of cases) {
    const before = { ...base, ...context };
    const after = { ...before, [field]: value };
    // A module instance of its own (its own memo): the changed context's answer with nothing memoized.
    const fresh = await import(`${classify}?fresh=${field}`);
    const expected = JSON.stringify(fresh.classifyReply(after));
    const { classifyReply } = await import(`${classify}?memoized=${field}`);
    // The same text in the other context, seen three times (kept from the second sighting on).
    for (let sighting = 0; sighting < 3; sighting++) classifyReply(before);
    assert.notEqual(
      JSON.stringify(classifyReply(before)),
      expected,
      `${field}: the two contexts must differ`,
    );
    assert.equal(JSON.stringify(classifyReply(after)), expected, field);
  }
});

test("replies decided by the same rule share one rule reference; unbounded ids (statuses from the input) still get theirs", async () => {
  const { classifyReply } = await import(`${classify}?rules`);
  const reply = (text: string, status: string | null = null) =>
    classifyReply({ text, replyCode: 550, status, remoteMta: null, recipient: "a@example.org" });
  // Different texts (never memoized together), same deciding rule.
  const first = reply("550 5.2.2 <a@example.org>: mailbox is full (ref 1)");
  const second = reply("550 5.2.2 <b@example.org>: mailbox is full (ref 2)");
  assert.equal(first.rule.id, second.rule.id);
  assert.equal(first.rule, second.rule);
  // Past the kept ids (6,000 statuses X.3–6.Z, each classified by its class and subject, RFC 3463 §3),
  // each status still gets a reference with its own id and source.
  for (let n = 0; n < 6000; n++) {
    const status = `${4 + (n % 2)}.${3 + (Math.floor(n / 2) % 4)}.${Math.floor(n / 8)}`;
    const { rule } = reply(`no words a rule knows ${n}`, status);
    assert.equal(rule.id, `status:${status}`);
    assert.match(rule.source, /RFC 3463/);
  }
});

test("a repeated reply's classification is shared frozen by classifyReplyShared; classifyReply hands out a copy", async () => {
  const { classifyReply, classifyReplyShared } = await import("../../src/bounce/classify.ts");
  const input = {
    text: "550 5.1.1 <shared@example.org>: Recipient address rejected: no such user (memo sharing test)",
    recipient: "shared@example.org",
  };
  const fresh = classifyReplyShared(input);
  classifyReplyShared(input); // kept (at the first sighting in a fresh memo, else the second)
  const shared = classifyReplyShared(input);
  assert.ok(Object.isFrozen(shared));
  assert.equal(classifyReplyShared(input), shared);
  assert.deepEqual(shared, fresh);
  const copy = classifyReply(input);
  assert.notEqual(copy, shared);
  copy.reason = "delivered";
  assert.equal(classifyReply(input).reason, fresh.reason);
});

test("while the memo is young, a reply is kept at its first sighting: its second is answered from the memo", async () => {
  const { classifyReplyShared } = await import(`${classify}?young`);
  const input = {
    text: "550 5.1.1 <young@example.org>: no such user (young memo test)",
    recipient: "young@example.org",
  };
  const first = classifyReplyShared(input);
  assert.ok(!Object.isFrozen(first)); // classified: the caller's own object
  const second = classifyReplyShared(input);
  assert.ok(Object.isFrozen(second), "the second sighting must come from the memo");
  assert.equal(classifyReplyShared(input), second);
  assert.deepEqual({ ...second }, { ...first });
});

test("classifications another process shares (through JSON) are answered from its memo as it classified them, and are not shared again", async () => {
  const sender = await import(`${classify}?sender`);
  const receiver = await import(`${classify}?receiver`);
  const replies = [
    {
      text: "550 5.1.1 <a@example.org>: Recipient address rejected: User unknown",
      recipient: "a@example.org",
    },
    {
      text: "552 5.2.2 mailbox full",
      replyCode: 552,
      status: "5.2.2",
      remoteMta: "mx.example.net",
      reportingMta: null,
      recipient: "b@example.com",
      action: "failed",
      hintReason: null,
    },
    { text: "Message rejected due to local policy", status: "5.7.1", remoteMta: "mx01.mail.icloud.com" },
    { text: "I am away until Monday", hintReason: "vacation" as const, action: "failed" },
  ];
  sender.shareKept();
  const expected = replies.map((input) => JSON.stringify(sender.classifyReplyShared(input)));
  const shared = JSON.parse(JSON.stringify(sender.keptToShare()));
  assert.equal(shared.length, replies.length);
  assert.deepEqual(sender.keptToShare(), [], "taken once");
  receiver.shareKept();
  receiver.adoptShared(shared);
  receiver.adoptShared(shared); // twice: kept once
  replies.forEach((input, at) => {
    const answer = receiver.classifyReplyShared(input);
    assert.ok(Object.isFrozen(answer), `reply ${at} must be answered from the memo`);
    assert.equal(JSON.stringify(answer), expected[at], `reply ${at}`);
  });
  assert.deepEqual(receiver.keptToShare(), [], "adopted classifications are not shared back");
  // Only in its own context: the same text for another recipient domain is classified there (and shared).
  const other = receiver.classifyReplyShared({ ...replies[0], recipient: "a@other.example" });
  assert.ok(!Object.isFrozen(other));
  assert.equal(receiver.keptToShare().length, 1);
});

test("classifications waiting to be shared are bounded (SHARED_AT_MOST); none wait in a process that does not share", async () => {
  const sharing = await import(`${classify}?sharing-bound`);
  const reply = (i: number) => ({ text: `550 5.1.1 unknown user ${i}`, replyCode: 550, status: "5.1.1" });
  sharing.shareKept();
  for (let i = 0; i < sharing.SHARED_AT_MOST + 10; i++) {
    sharing.classifyReplyShared(reply(i));
    // Past the memo's first replies, one is kept at its second sighting.
    if (i >= sharing.KEPT_AT_FIRST_SIGHT) sharing.classifyReplyShared(reply(i));
  }
  assert.equal(sharing.keptToShare().length, sharing.SHARED_AT_MOST);
  const alone = await import(`${classify}?not-sharing`);
  for (let i = 0; i < 10; i++) alone.classifyReplyShared(reply(i));
  assert.deepEqual(alone.keptToShare(), []);
});
