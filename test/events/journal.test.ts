import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { decompressedChunks, isEncoded } from "../../src/events/input.ts";
import { journalLines } from "../../src/events/journal.ts";
import { classifyFile } from "../../src/pipeline/library.ts";
import { Store } from "../../src/store/index.ts";
import { scratchDir } from "../../testkit/scratch.ts";

const dir = scratchDir("deliverlens-journal-");

/** A Postfix exchange as journald keeps it: [µs since the epoch, identifier, pid, MESSAGE]. */
const ENTRIES: [string, string, string, string][] = [
  [
    "1772409602381705",
    "postfix/qmgr",
    "777",
    "4F2A1B3C: from=<news@example.org>, size=2048, nrcpt=2 (queue active)",
  ],
  [
    "1772409603000001",
    "postfix/smtp",
    "1201",
    "4F2A1B3C: to=<ann@icloud.com>, relay=mx01.mail.icloud.com[17.57.154.6]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.154.6] said: 554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137 (in reply to end of DATA command))",
  ],
  [
    "1772409604250000",
    "postfix/smtp",
    "1201",
    "4F2A1B3C: to=<bob@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.27.26]:25, delay=2, delays=0.1/0/0.9/1, dsn=2.0.0, status=sent (250 2.0.0 OK  1772409604 a1b2c3d4e5si123.45 - gsmtp)",
  ],
  ["1772409604300000", "postfix/qmgr", "777", "4F2A1B3C: removed"],
];

function entry([micros, ident, pid, message]: (typeof ENTRIES)[number]): Record<string, string> {
  return {
    __CURSOR: `s=0123456789abcdef0123456789abcdef;i=${micros.slice(-4)};b=fedcba98765432100123456789abcdef`,
    __REALTIME_TIMESTAMP: micros,
    __MONOTONIC_TIMESTAMP: "784228426640",
    PRIORITY: "6",
    SYSLOG_FACILITY: "2",
    SYSLOG_IDENTIFIER: ident,
    _PID: pid,
    _HOSTNAME: "mx-out1",
    _TRANSPORT: "syslog",
    MESSAGE: message,
  };
}

/** The same entries as rsyslog writes them (RFC 3339 stamps): what a journal export must read as. */
const SYSLOG = ENTRIES.map(
  ([micros, ident, pid, message]) =>
    `${new Date(Number(micros) / 1000).toISOString().slice(0, 19)}.${micros.slice(-6)}+00:00 mx-out1 ${ident}[${pid}]: ${message}\n`,
).join("");

const FORMS: Record<string, string | Buffer> = {
  "json.json": ENTRIES.map((e) => `${JSON.stringify(entry(e))}\n`).join(""),
  "json-seq.json": ENTRIES.map((e) => `\x1e${JSON.stringify(entry(e))}\n`).join(""),
  "json-pretty.json": ENTRIES.map((e) => `${JSON.stringify(entry(e), null, "\t")}\n`).join(""),
  "json.json.gz": gzipSync(ENTRIES.map((e) => `${JSON.stringify(entry(e))}\n`).join("")),
  // Older journalctl: `{ "__CURSOR" : "…", … }`, CRLF line ends.
  "spaced.json": ENTRIES.map(
    (e) => `${JSON.stringify(entry(e)).replaceAll('":"', '" : "').replace("{", "{ ")}\r\n`,
  ).join(""),
};

async function records(path: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const item of classifyFile(path, { all: true })) {
    const { source: _, ...rest } = item as { source: unknown };
    out.push(rest);
  }
  return out;
}

test("journalctl -o json, json-seq, json-pretty (and gzip'd): read as the syslog lines of its entries, format detected", async () => {
  const syslog = join(dir, "mail.log");
  writeFileSync(syslog, SYSLOG);
  const want = await records(syslog);
  assert.equal(want.length, 2);
  for (const [name, bytes] of Object.entries(FORMS)) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    assert.deepEqual(await records(path), want, name);
  }
});

test("ingest of a journal export stores the events of its syslog lines", async () => {
  const syslog = join(dir, "ingest-mail.log");
  writeFileSync(syslog, SYSLOG);
  const journal = join(dir, "ingest-journal.json");
  writeFileSync(journal, FORMS["json.json"]);
  const rows: unknown[][] = [];
  for (const path of [syslog, journal]) {
    const store = await Store.open(":memory:");
    try {
      const summary = await ingestFile(store, path);
      assert.equal(summary.format, "postfix", path);
      rows.push(
        await store.all(
          "SELECT type::VARCHAR AS type, recipient, time::VARCHAR AS time, reason::VARCHAR AS reason, remote_mta FROM events ORDER BY time",
        ),
      );
    } finally {
      store.close();
    }
  }
  assert.equal(rows[0].length, 2);
  assert.deepEqual(rows[1], rows[0]);
});

test("a journal export is never read by byte ranges or as plain bytes (isEncoded), hostile entries give no crash", async () => {
  assert.ok(isEncoded(Buffer.from(FORMS["json.json"] as string)));
  assert.ok(isEncoded(Buffer.from(FORMS["json-pretty.json"] as string)));
  assert.ok(!isEncoded(Buffer.from(SYSLOG)));
  assert.ok(!isEncoded(Buffer.from('{"email":"a@b.example","event":"bounce"}\n')));
  const hostile = [
    JSON.stringify(entry(ENTRIES[1])),
    // A message that is not UTF-8: journalctl writes its bytes as a list.
    JSON.stringify({ ...entry(ENTRIES[2]), MESSAGE: [...Buffer.from(ENTRIES[2][3])] }),
    JSON.stringify({ __CURSOR: "s=1", __REALTIME_TIMESTAMP: "x" }),
    JSON.stringify({ ...entry(ENTRIES[0]), MESSAGE: { a: 1 }, SYSLOG_IDENTIFIER: ["x"] }),
    '{"__CURSOR": "s=2", "MESSAGE": "broken',
    `{"__CURSOR":"s=3","MESSAGE":"${"x".repeat(2 * 1024 * 1024)}"}`,
    "not json at all",
    "\x1e",
  ].join("\n");
  const path = join(dir, "hostile.json");
  writeFileSync(path, `${hostile}\n`);
  const got = (await records(path)) as { recipient?: string; message?: string }[];
  assert.deepEqual(
    got.filter((r) => r.recipient !== undefined).map((r) => r.recipient),
    ["ann@icloud.com", "bob@gmail.com"],
  );
  // The over-long entry is the log reader's over-long line: a problem, not a crash or a silent loss.
  assert.deepEqual(
    got.filter((r) => r.recipient === undefined).map((r) => r.message),
    ["line longer than 1048576 bytes"],
  );
});

/** The text journalLines gives for these chunks of an export. */
async function whole(chunks: Buffer[]): Promise<string> {
  const out: Buffer[] = [];
  for await (const chunk of journalLines(
    (async function* () {
      yield* chunks;
    })(),
  ))
    out.push(chunk);
  return Buffer.concat(out).toString("utf8");
}

/** `bytes` in chunks of `size`, as a file is read. */
function chunked(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

test("a UTF-8 character whose bytes straddle two read chunks is decoded whole (review R153)", async () => {
  const text = `${JSON.stringify({ ...entry(ENTRIES[1]), MESSAGE: ENTRIES[1][3].replace("ann@", "jürgen.müller@") })}\n`;
  const bytes = Buffer.from(text);
  const want = await whole([bytes]);
  assert.match(want, /jürgen\.müller@icloud\.com/);
  for (let at = 1; at < bytes.length; at++)
    assert.equal(await whole([bytes.subarray(0, at), bytes.subarray(at)]), want, `split at byte ${at}`);
});

test("text past the most an entry may take is dropped whole: no part of it is read as a line of its own", async () => {
  const forged = `postfix/smtp[9]: 9F9F9F9F: to=<forged@icloud.com>, relay=none, delay=1, dsn=5.1.1, status=bounced (forged)`;
  const normal = `${JSON.stringify(entry(ENTRIES[1]))}\n`;
  const want = SYSLOG.split("\n")[1];
  // One line (json, json-seq) over 1 MiB whose end looks like a log line, read in 64 KiB chunks.
  const long = `{"__CURSOR":"s=1","__REALTIME_TIMESTAMP":"1772409603000001","X":"${"x".repeat(2 * 1024 * 1024)}","MESSAGE":"${forged}"}\n`;
  assert.equal(await whole(chunked(Buffer.from(long + normal), 64 * 1024)), `${want}\n`);
  // A json-pretty entry over 1 MiB: its later lines (one a forged MESSAGE) are dropped to its closing brace.
  const pretty = `{\n\t"__CURSOR" : "s=1",\n\t"X" : "${"x".repeat(2 * 1024 * 1024)}",\n\t"MESSAGE" : "${forged}"\n}\n`;
  const prettyNormal = `${JSON.stringify(entry(ENTRIES[1]), null, "\t")}\n`;
  assert.equal(await whole(chunked(Buffer.from(pretty + prettyNormal), 64 * 1024)), `${want}\n`);
});

test("an entry that gives no syslog line (MESSAGE null, as journalctl writes a field over 4096 bytes) is passed on as one line, in every form", async () => {
  const { MESSAGE: _, ...rest } = entry(ENTRIES[1]);
  const empty = { ...rest, MESSAGE: null };
  const oneLine = await whole([Buffer.from(`${JSON.stringify(empty)}\n`)]);
  const pretty = await whole([Buffer.from(`${JSON.stringify(empty, null, "\t")}\n`)]);
  assert.equal(oneLine.split("\n").length, 2);
  assert.equal(pretty.split("\n").length, 2);
  assert.match(pretty, /^\{ "__CURSOR": .*"MESSAGE": null \}\n$/);
});

test("a stream whose first chunks are shorter than a journal export's telling head is still read as one (input.ts)", async () => {
  const bytes = Buffer.from(FORMS["json.json"] as string);
  for (const size of [1, 7, 63]) {
    const out: Buffer[] = [];
    for await (const chunk of decompressedChunks(
      (async function* () {
        yield* chunked(bytes, size);
      })(),
    ))
      out.push(chunk);
    assert.equal(Buffer.concat(out).toString("utf8"), SYSLOG, `chunks of ${size} bytes`);
  }
});

test("an entry whose __REALTIME_TIMESTAMP cannot be read takes _SOURCE_REALTIME_TIMESTAMP (review R154)", async () => {
  const [micros] = ENTRIES[1];
  const { __REALTIME_TIMESTAMP: _, ...rest } = entry(ENTRIES[1]);
  const want = `${SYSLOG.split("\n")[1]}\n`;
  for (const realtime of [undefined, "abc", "-5", 1772409603000001]) {
    const text = JSON.stringify({
      ...rest,
      __REALTIME_TIMESTAMP: realtime,
      _SOURCE_REALTIME_TIMESTAMP: micros,
    });
    assert.equal(await whole([Buffer.from(`${text}\n`)]), want, String(realtime));
  }
  // Neither readable: the line keeps `-` for its stamp (the log reader's line it cannot read).
  assert.match(
    await whole([Buffer.from(`${JSON.stringify({ ...rest, __REALTIME_TIMESTAMP: "x" })}\n`)]),
    /^- mx-out1 /,
  );
});
