import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { EventClassifier } from "../../src/pipeline/classify-events.ts";
import { MEMO_BOUNDS, memoBoundOf } from "../../src/util/limits.ts";
import { shardRecords } from "../../testkit/shard-records.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-memo-bound-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Words of a reply nobody wrote before (a hostile log: every reply another). */
function words(n: number, count: number): string {
  const letters = "abcdefghijklmnopqrstuvwxyz";
  const out: string[] = [];
  for (let w = 0; w < count; w++) {
    let word = "";
    for (let x = (n + 1) * 7919 + w * 104729; word.length < 3 + (w % 5); x = Math.floor(x / 26)) {
      word += letters[x % 26];
      if (x < 26) x += 1_000_003 * (w + 1);
    }
    out.push(word);
  }
  return out.join(" ");
}

/**
 * A log of replies that are each another (some long), among replies of a few shapes seen again and again
 * (ids, a Gmail-like suffix), deliveries and deferrals, to many domains and relays.
 */
function hostileLog(lines: number): string {
  const out: string[] = [];
  for (let n = 0; n < lines; n++) {
    const domain = `ex${n % 37}.example`;
    const relay = `mx${n % 5}.${domain}`;
    const second = String(n % 60).padStart(2, "0");
    const qid = `${(0x10000 + n).toString(16).toUpperCase()}A`;
    let reply: string;
    let tail = "status=bounced";
    let dsn = "5.0.0";
    switch (n % 6) {
      case 0:
        reply = `550 ${words(n, 12)}`;
        break;
      case 1:
        reply = `550 5.7.1 ${words(n, 300)}`;
        break;
      case 2:
        reply = `250 2.0.0 OK  17676${String(n).padStart(5, "0")} da104b4d${n}ee5997.${n % 40} - gsmtp`;
        tail = "status=sent";
        dsn = "2.0.0";
        break;
      case 3:
        reply = `451 4.7.1 Try again later, closing connection. (id ${n}-${n % 9}) ${words(n % 11, 3)}`;
        tail = "status=deferred";
        dsn = "4.7.1";
        break;
      case 4:
        reply = `550 5.1.1 <u${n}@${domain}>: Recipient address rejected: User unknown in virtual mailbox table`;
        break;
      default:
        reply = `550 ${words(n % 13, 12)}`;
    }
    out.push(
      `Mar  1 10:00:${second} mta postfix/smtp[1]: ${qid}: to=<u${n}@${domain}>, relay=${relay}[192.0.2.${n % 250}]:25, delay=1, delays=0/0/0/1, dsn=${dsn}, ${tail} (host ${relay}[192.0.2.${n % 250}] said: ${reply} (in reply to RCPT TO command))`,
    );
  }
  return `${out.join("\n")}\n`;
}

for (const all of [false, true]) {
  test(`a classifier of a few entries writes the records an unbounded one writes, keeping no more (all: ${all})`, () => {
    const path = join(dir, `hostile-${all}.log`);
    writeFileSync(path, hostileLog(1500));
    const unbounded = new EventClassifier(Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY);
    const expected = shardRecords(path, unbounded, all);
    const byCount = new EventClassifier(8);
    assert.deepEqual(shardRecords(path, byCount, all), expected);
    assert.ok(byCount.kept <= 8, `kept ${byCount.kept}`);
    assert.ok(byCount.misses > unbounded.misses, "the bound made it classify replies again");
    // 4 KiB: half of it holds one long reply's entry at most.
    const byBytes = new EventClassifier(50_000, 4096);
    assert.deepEqual(shardRecords(path, byBytes, all), expected);
    assert.ok(byBytes.kept <= 4, `kept ${byBytes.kept}`);
    // Replies seen once that a stand-in writes are not kept: the rest still fill the memo.
    assert.ok(unbounded.kept > 300, `unbounded kept ${unbounded.kept}`);
  });
}

test("the memo's bounds come from the environment, else their defaults", () => {
  const { env } = MEMO_BOUNDS.replies;
  const before = process.env[env];
  try {
    process.env[env] = "12";
    assert.equal(memoBoundOf("replies"), 12);
    const classifier = new EventClassifier();
    const path = join(dir, "env.log");
    writeFileSync(path, hostileLog(200));
    shardRecords(path, classifier, false);
    assert.ok(classifier.kept <= 12, `kept ${classifier.kept}`);
    process.env[env] = "zero";
    assert.equal(memoBoundOf("replies"), MEMO_BOUNDS.replies.default);
  } finally {
    if (before === undefined) delete process.env[env];
    else process.env[env] = before;
  }
});
