import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { FORMATS, type FormatName } from "../../src/events/formats.ts";
import { compressionOf } from "../../src/events/input.ts";
import type { ClassifyItem } from "../../src/pipeline/classify-source.ts";
import { classifyStream } from "../../src/pipeline/library.ts";
import { withCpuMs } from "../../testkit/cpu-time.ts";

/**
 * Hostile inputs through the whole classify path (open, detect or force a format, parse, classify):
 * each must end, within a bound far above its normal time, with records and/or problems, never a throw.
 */
const BOUND_MS = 15_000;

async function drain(bytes: Buffer, format: FormatName | null): Promise<ClassifyItem[]> {
  const items: ClassifyItem[] = [];
  const chunks = Array.from({ length: Math.ceil(bytes.length / 65536) || 1 }, (_, i) =>
    bytes.subarray(i * 65536, (i + 1) * 65536),
  );
  for await (const item of classifyStream(Readable.from(chunks, { objectMode: false }), {
    format,
    file: "hostile",
  })) {
    items.push(item);
  }
  return items;
}

const random = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 7919 + 13) % 256));

const ALL: Array<FormatName | null> = [null, ...(Object.keys(FORMATS) as FormatName[])];
const MAIL: Array<FormatName | null> = [null, "email", "smtp"];

/** [name, input, the formats to force it through (null: auto-detect)] */
const HOSTILE: Array<[string, () => Buffer, Array<FormatName | null>]> = [
  ["binary junk", () => random(300_000), ALL],
  ["one 3 MB line", () => Buffer.from(`550 5.7.1 ${"x".repeat(3_000_000)}`), ALL],
  [
    "truncated gzip",
    () => gzipSync(Buffer.from("550 5.1.1 unknown\n".repeat(10_000))).subarray(0, 2_000),
    ALL,
  ],
  [
    "10 MB header block",
    () =>
      Buffer.from(
        `Subject: x\n${"X-Junk: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n".repeat(170_000)}\nbody\n`,
      ),
    MAIL,
  ],
  [
    "deep MIME nesting",
    () => {
      let body = "Content-Type: text/plain\n\n550 5.1.1 unknown user\n";
      for (let depth = 0; depth < 2_000; depth++) {
        body = `Content-Type: multipart/mixed; boundary="b${depth}"\n\n--b${depth}\n${body}\n--b${depth}--\n`;
      }
      return Buffer.from(`From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\n${body}`);
    },
    MAIL,
  ],
  [
    "unterminated JSON array",
    () => Buffer.from(`[${'{"event":"bounce","email":"a@b.c",'.repeat(20_000)}`),
    ALL,
  ],
  ["CSV with a 1 MB field", () => Buffer.from(`type,timeLogged,rcpt\nb,"${"q".repeat(1_000_000)}\n`), ALL],
];

for (const [name, make, formats] of HOSTILE) {
  test(`hostile input ends in time under every format: ${name}`, { timeout: BOUND_MS * 16 }, async () => {
    const bytes = make();
    for (const format of formats) {
      const { value: items, ms } = await withCpuMs(() => drain(bytes, format));
      assert.ok(ms < BOUND_MS, `${name} as ${format ?? "auto"} took ${Math.round(ms)} ms of CPU`);
      assert.ok(Array.isArray(items));
    }
  });
}

// An input that cannot be read at all — a gzip/zstd stream that decodes to nothing — throws, as a missing file
// does (the CLI: "cannot read FILE: …", exit 1); one that decodes anything yields it, then a ParseProblem.
const compressed = (bytes: Uint8Array) => compressionOf(bytes) !== null;

test("random bytes under auto-detection never throw, unless they are a compressed stream that decodes to nothing", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 3_000 }), async (bytes) => {
      try {
        await drain(Buffer.from(bytes), null);
      } catch (error) {
        assert.ok(compressed(bytes), `threw on bytes that are not a compressed stream: ${error}`);
      }
    }),
    { numRuns: 150 },
  );
});

test("a gzip stream cut before its first decoded byte is unreadable (throws); cut later, it keeps what it decoded", async () => {
  const log = Buffer.from(
    "Feb  2 12:34:56 mail postfix/smtp[1]: ABC123: to=<a@icloud.com>, relay=mx01.mail.icloud.com[17.57.155.25]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.155.25] said: 550 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command))\n".repeat(
      50,
    ),
  );
  await assert.rejects(drain(Buffer.from([0x1f, 0x8b]), null), /unexpected end of file/);
  const zipped = gzipSync(log);
  const items = await drain(zipped.subarray(0, zipped.length - 8), null);
  assert.ok(items.length > 1, "a stream cut in its trailer still yields its records");
});
