import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { reportRoute } from "../../src/dmarc/read.ts";
import { containerOf, gunzipBounded, gunzipSmall, zipEntries } from "../../src/dmarc/unpack.ts";
import { zip } from "../../testkit/dmarc-reports.ts";

/**
 * Small reports held in memory are inflated in one call (gunzipSmall, and zip entries of a zip buffer);
 * the same bytes read as a stream give exactly the same result: the same bytes, or the same refusal.
 */

const dir = mkdtempSync(join(tmpdir(), "deliverlens-dmarc-unpack-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function collect(source: Buffer | AsyncIterable<Buffer>): Promise<Buffer> {
  if (Buffer.isBuffer(source)) return source;
  const parts: Buffer[] = [];
  for await (const chunk of source) parts.push(chunk);
  return Buffer.concat(parts);
}

async function outcome(read: () => Promise<unknown>): Promise<unknown> {
  try {
    return await read();
  } catch (error) {
    return { refused: error instanceof Error ? error.message : String(error) };
  }
}

async function* single(buffer: Buffer): AsyncGenerator<Buffer> {
  yield buffer;
}

let files = 0;
/** Every entry of a zip read from its file (streamed by yauzl) and from memory: name and bytes, or the refusal. */
async function bothWays(data: Buffer) {
  const path = join(dir, `z${files++}.zip`);
  writeFileSync(path, data);
  const read = (input: string | Buffer) => async () => {
    const out: Array<{ name: string; bytes: unknown }> = [];
    for await (const entry of zipEntries(input, "the zip"))
      out.push({ name: entry.name, bytes: await outcome(() => collect(entry.source)) });
    return out;
  };
  return { streamed: await outcome(read(path)), inMemory: await outcome(read(readFileSync(path))) };
}

const xml = (n: number) => Buffer.from(`<?xml version="1.0"?><feedback>${"<x>é</x>".repeat(n)}</feedback>`);

test("a zip's entries read from memory are the bytes yauzl streams: deflated, stored, and lying headers", async () => {
  const cases = [
    [{ name: "a.xml", data: xml(100) }],
    [{ name: "a.xml", data: xml(100), stored: true }],
    [
      { name: "a.xml", data: xml(3) },
      { name: "b.xml", data: xml(5000) },
    ],
    [{ name: "short.xml", data: xml(100), declaredSize: 20 }],
    [{ name: "long.xml", data: xml(100), declaredSize: 5000 }],
    [{ name: "stored-short.xml", data: xml(100), stored: true, declaredSize: 20 }],
    [{ name: "empty.xml", data: Buffer.alloc(0) }],
  ];
  for (const entries of cases) {
    const { streamed, inMemory } = await bothWays(zip(entries));
    assert.deepEqual(inMemory, streamed, entries[0].name);
  }
  const lying = await bothWays(zip([{ name: "short.xml", data: xml(100), declaredSize: 20 }]));
  assert.match(JSON.stringify(lying.inMemory), /more than the size its zip header declares/);
});

test("random zip entries and damaged zips read the same from memory as streamed", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 3000 }),
      fc.boolean(),
      fc.option(fc.nat(4000)),
      fc.option(fc.tuple(fc.nat(), fc.nat(255))),
      async (bytes, stored, declaredSize, damage) => {
        const data = zip([
          { name: "r.xml", data: Buffer.from(bytes), stored, declaredSize: declaredSize ?? undefined },
        ]);
        if (damage) data[damage[0] % data.length] = damage[1];
        const { streamed, inMemory } = await bothWays(data);
        assert.deepEqual(inMemory, streamed);
      },
    ),
    { numRuns: 150 },
  );
});

test("a small gzip is inflated in one call to the bytes its stream gives; anything odd is left to the stream", async () => {
  const report = xml(200);
  const streamed = async (gz: Buffer) => collect(gunzipBounded(single(gz), "the report"));
  for (const gz of [
    gzipSync(report),
    Buffer.concat([gzipSync(report.subarray(0, 50)), gzipSync(report.subarray(50))]),
  ])
    assert.deepEqual(gunzipSmall(gz), await streamed(gz));
  // Mimecast's trailing line break, a truncated member, a damaged one: the stream decides.
  const gz = gzipSync(report);
  assert.equal(gunzipSmall(Buffer.concat([gz, Buffer.from("\r\n")])), null);
  assert.equal(gunzipSmall(gz.subarray(0, gz.length - 10)), null);
  const damaged = Buffer.from(gz);
  damaged[20] ^= 0xff;
  assert.equal(gunzipSmall(damaged), null);
  // Past the ratio floor (4 MiB out) nothing is inflated in one call: the ratio limit applies there.
  assert.equal(gunzipSmall(gzipSync(Buffer.alloc(5 * 1024 * 1024, 0x20))), null);
});

test("a small gzip is inflated into one buffer of the size its trailer states; a false size is left to the stream", () => {
  const report = xml(6000);
  assert.ok(report.length > 3 * 16 * 1024, `${report.length} bytes: more than zlib's default chunks`);
  const out = gunzipSmall(gzipSync(report));
  assert.deepEqual(out, report);
  // zlib's one output buffer (its size and a byte), not pieces joined into a new one.
  assert.equal(out?.buffer.byteLength, report.length + 1);
  // A trailer that understates or overstates the size: zlib checks it against the output (damage).
  for (const stated of [0, 100, report.length + 5000]) {
    const gz = gzipSync(report);
    gz.writeUInt32LE(stated, gz.length - 4);
    assert.equal(gunzipSmall(gz), null);
  }
});

test("a syslog file with PRI parts (`<22>Feb  2 …`) is no XML: not routed to the reports reader", async () => {
  const syslog =
    "<22>Feb  2 12:34:56 mail postfix/smtp[1]: ABC123DEF: to=<a@b.example>, status=sent (250 ok)\n";
  assert.equal(containerOf(Buffer.from(syslog)), "other");
  assert.equal(containerOf(Buffer.from(' <?xml version="1.0"?><feedback/>')), "xml");
  assert.equal(containerOf(Buffer.from("<feedback><version>1.0</version></feedback>")), "xml");
  const path = join(dir, "maillog");
  writeFileSync(path, syslog);
  assert.equal(await reportRoute(path), null);
});
