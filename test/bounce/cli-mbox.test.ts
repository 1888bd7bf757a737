import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { classifyEmailBuffer, classifyEmailStream } from "../../src/pipeline/classify-email.ts";

const corpus = fileURLToPath(new URL("../fixtures/sisimai/eml/", import.meta.url));

/** An mbox (mboxrd escaping) of the corpus repeated until it passes the streaming segment size. */
function bigMbox(): Buffer {
  const messages = readdirSync(corpus)
    .sort()
    .map((name) => {
      const body = readFileSync(`${corpus}${name}`, "latin1").replace(/^(>*From )/gm, ">$1");
      return `From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n${body}${body.endsWith("\n") ? "" : "\n"}\n`;
    })
    .join("");
  return Buffer.from(messages.repeat(Math.ceil((5 * 1024 * 1024) / messages.length)), "latin1");
}

test("a streamed mbox gives the same records, in the same order and lines, as the whole buffer", async () => {
  const mbox = bigMbox();
  const whole = [...classifyEmailBuffer(mbox, "big.mbox")];
  const chunks = Readable.from(
    Array.from({ length: Math.ceil(mbox.length / 65536) }, (_, i) =>
      mbox.subarray(i * 65536, (i + 1) * 65536),
    ),
    { objectMode: false },
  );
  const streamed: unknown[] = [];
  let batches = 0;
  for await (const batch of classifyEmailStream(chunks, "big.mbox")) {
    batches++;
    streamed.push(...batch);
  }
  assert.ok(batches > 1, "the mbox was not cut into segments");
  assert.equal(streamed.length, whole.length);
  assert.deepEqual(streamed, whole);
});
