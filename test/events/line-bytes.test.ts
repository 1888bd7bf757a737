import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { lineBytesModuleSource } from "../../scripts/build-wasm.ts";
import {
  chunkBuffer,
  chunkMemory,
  inChunkMemory,
  LineBytes,
  lineEndOf,
  MARK_BITS,
  ReplyBytes,
} from "../../src/bounce/line-bytes.ts";
import { LineTemplates } from "../../src/events/line-template.ts";

test("the committed module is the assembly of line-bytes.wat", async () => {
  const committed = readFileSync(join(import.meta.dirname, "../../src/bounce/line-bytes-wasm.ts"), "utf8");
  assert.equal(committed, await lineBytesModuleSource());
});

/** The `lookup` bound last (a call: what an assertion narrowed before a bind is not kept). */
const lookupOf = (lineBytes: LineBytes) => lineBytes.lookup;

test("lines are compared in WebAssembly only where their bytes lie in a chunk memory", () => {
  const memory = Buffer.from(chunkBuffer(chunkMemory(1000)));
  assert.ok(memory.length >= 1000);
  const lineBytes = LineBytes.of(4, new Uint8Array(256));
  assert.ok(lineBytes !== null);
  const own = Buffer.from("to=<a@example.org>, relay=x");
  assert.equal(inChunkMemory(own), false);
  lineBytes.bind(own);
  assert.equal(lookupOf(lineBytes), null);
  const line = memory.subarray(5, 5 + own.copy(memory, 5));
  assert.equal(inChunkMemory(line), true);
  lineBytes.bind(line);
  assert.equal(lineBytes.base, 5);
  const lookup = lookupOf(lineBytes);
  assert.ok(lookup !== null);
  const [rcptStart, rcptEnd, end] = [5 + 4, 5 + line.indexOf(">"), 5 + line.length];
  // No template in the line's slot yet; then one piece `@example.org>, ` and the rest as tail.
  assert.equal(lookup(rcptStart, rcptEnd, end, 7), -1);
  const slot = lineBytes.lastSlot();
  const address = lineBytes.place(1, Buffer.from("@example.org>, "), [15], [], Buffer.from("x"), 11);
  assert.ok(address >= 0);
  lineBytes.setSlot(slot, address, -1);
  assert.equal(lookup(rcptStart, rcptEnd, end, 7), rcptEnd - 12 + 15);
  assert.equal(lineBytes.lastSlot(), slot);
  // Another kind is another slot.
  assert.equal(lookup(rcptStart, rcptEnd, end, 8), -1);
  // The second template of the slot matches: the two change places.
  lineBytes.setSlot(
    slot,
    lineBytes.place(2, Buffer.from("@example.org>;"), [14], [], Buffer.from("x"), 11),
    address,
  );
  assert.equal(lookup(rcptStart, rcptEnd, end, 7), rcptEnd - 12 + 15);
  assert.equal(lineBytes.tableAddress(slot), address);
  line[rcptEnd - 5 - 3] = "X".charCodeAt(0);
  assert.equal(lookup(rcptStart, rcptEnd, end, 7), -1);
  // A template too big for its place is not placed (its line template compares in JavaScript).
  assert.equal(lineBytes.place(3, new Uint8Array(4096), [4096], [], new Uint8Array(0), 0), -1);
});

test("evaluated where there is no WebAssembly (a startup snapshot's build), it uses WebAssembly where there is", async () => {
  const global = globalThis as { WebAssembly?: unknown };
  const api = Object.getOwnPropertyDescriptor(global, "WebAssembly");
  assert.ok(api !== undefined);
  delete global.WebAssembly;
  let fresh: typeof import("../../src/bounce/line-bytes.ts");
  try {
    // A module instance of its own, evaluated now (the query makes it another module).
    fresh = await import(new URL("../../src/bounce/line-bytes.ts?without", import.meta.url).href);
  } finally {
    Object.defineProperty(global, "WebAssembly", api);
  }
  const memory = fresh.chunkMemory(1000);
  assert.ok(!(memory instanceof SharedArrayBuffer), "a WebAssembly.Memory, not the fallback");
  assert.ok(fresh.inChunkMemory(Buffer.from(fresh.chunkBuffer(memory))));
  assert.ok(fresh.LineBytes.of(4, new Uint8Array(256)) !== null);
});

test("line templates learned from a chunk memory read its lines in WebAssembly, others' in JavaScript", () => {
  const line =
    "Jan  5 08:00:00 mta1 postfix/smtp[3001]: 4A1B2C3D4E: to=<a@example.org>, relay=mx.example.org[198.51.100.7]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (host mx.example.org[198.51.100.7] said: 250 ok (in reply to end of DATA command))";
  const own = Buffer.from(line, "latin1");
  const memory = Buffer.from(chunkBuffer(chunkMemory(1000)));
  const chunk = memory.subarray(1, 1 + own.copy(memory, 1));
  const [rcptStart, rcptEnd] = [line.indexOf("<") + 1, line.indexOf(">")];
  const [replyStart, replyEnd] = [line.indexOf("said: ") + 6, line.lastIndexOf(" (in reply")];
  const templates = new LineTemplates<string>();
  const learned = templates.learn(chunk, rcptStart, rcptEnd, line.length, replyStart, replyEnd, "fields");
  assert.equal(learned?.fields, "fields");
  assert.equal(templates.inWebAssembly(chunk), true);
  assert.equal(templates.inWebAssembly(own), false);
  for (const bytes of [chunk, own]) {
    const read = templates.read(bytes, rcptStart, rcptEnd, line.length);
    assert.deepEqual([read?.replyStart, read?.replyEnd, read?.fields], [replyStart, replyEnd, "fields"]);
  }
});

test("a slot's two templates read their own lines, in WebAssembly and in JavaScript", () => {
  const line = (dsn: string) =>
    `Jan  5 08:00:00 mta1 postfix/smtp[3001]: 4A1B2C3D4E: to=<a@example.org>, relay=mx.example.org[198.51.100.7]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=${dsn}, status=sent (host mx.example.org[198.51.100.7] said: 250 ok (in reply to end of DATA command))`;
  const lines = [line("2.0.0"), line("2.6.0")];
  const memory = Buffer.from(chunkBuffer(chunkMemory(1000)));
  const text = `${lines.join("\n")}\n`;
  const chunk = memory.subarray(3, 3 + memory.write(text, 3, "latin1"));
  const own = Buffer.from(text, "latin1");
  const templates = new LineTemplates<string>();
  const at = (n: number) => {
    const start = n === 0 ? 0 : lines[0].length + 1;
    const l = lines[n];
    return {
      rcptStart: start + l.indexOf("<") + 1,
      rcptEnd: start + l.indexOf(">"),
      end: start + l.length,
      replyStart: start + l.indexOf("said: ") + 6,
      replyEnd: start + l.lastIndexOf(" (in reply"),
    };
  };
  for (const n of [0, 1]) {
    const { rcptStart, rcptEnd, end, replyStart, replyEnd } = at(n);
    templates.learn(chunk, rcptStart, rcptEnd, end, replyStart, replyEnd, `dsn ${n}`);
  }
  assert.equal(templates.inWebAssembly(chunk), true);
  // The second template of the slot reads its line (and goes first), then the other, in turn.
  for (const n of [0, 1, 1, 0, 0, 1]) {
    for (const bytes of [chunk, own]) {
      const { rcptStart, rcptEnd, end, replyStart, replyEnd } = at(n);
      const read = templates.read(bytes, rcptStart, rcptEnd, end);
      assert.deepEqual([read?.fields, read?.replyStart, read?.replyEnd], [`dsn ${n}`, replyStart, replyEnd]);
    }
  }
});

test("a LineTemplates whose input ended (release) reads as a new one, and the next one made takes its memory with nothing of its templates", () => {
  // Two recipient domains: two slots of the table.
  const line = (domain: string) =>
    `Jan  5 08:00:00 mta1 postfix/smtp[3001]: 4A1B2C3D4E: to=<a@${domain}>, relay=mx.example.org[198.51.100.7]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (host mx.example.org[198.51.100.7] said: 250 ok (in reply to end of DATA command))`;
  const lines = [line("example.org"), line("example.net")];
  const memory = Buffer.from(chunkBuffer(chunkMemory(1000)));
  const chunk = memory.subarray(3, 3 + memory.write(`${lines.join("\n")}\n`, 3, "latin1"));
  const at = (n: number) => {
    const start = n === 0 ? 0 : lines[0].length + 1;
    const l = lines[n];
    return [start + l.indexOf("<") + 1, start + l.indexOf(">"), start + l.length] as const;
  };
  const learn = (templates: LineTemplates<string>, n: number) => {
    const start = n === 0 ? 0 : lines[0].length + 1;
    const reply = [
      start + lines[n].indexOf("said: ") + 6,
      start + lines[n].lastIndexOf(" (in reply"),
    ] as const;
    templates.learn(chunk, ...at(n), ...reply, `line ${n}`);
  };
  const read = (templates: LineTemplates<string>, n: number) =>
    templates.read(chunk, ...at(n))?.fields ?? null;
  for (let round = 0; round < 3; round++) {
    // Line 1's template in the first place, line 0's in the second.
    const first = new LineTemplates<string>();
    learn(first, 1);
    learn(first, 0);
    assert.deepEqual([read(first, 0), read(first, 1)], ["line 0", "line 1"]);
    first.release();
    assert.equal(first.inWebAssembly(chunk), false);
    assert.deepEqual([read(first, 0), read(first, 1)], [null, null]);
    // The next one made places in the memory the first released (its first place again): the first's table,
    // which led line 0's slot to the second place, is not there.
    const next = new LineTemplates<string>();
    learn(next, 1);
    assert.equal(next.inWebAssembly(chunk), true);
    assert.deepEqual([read(next, 0), read(next, 1)], [null, "line 1"]);
    next.release();
    // The first, learning again, reads as a new one.
    learn(first, 0);
    assert.deepEqual([read(first, 0), read(first, 1)], ["line 0", null]);
    first.release();
  }
});

test("a line's end is found in WebAssembly where Buffer's indexOf finds it, at any alignment and range (line-index.ts indexLines)", () => {
  const memory = chunkMemory(1 << 16);
  // An odd offset: the eight-byte loads are unaligned.
  const bytes = Buffer.from(chunkBuffer(memory), 3, 3000);
  // LF among its near ones (0x0b, 0x8a and 0x0a ^ 0x80 meet the zero-byte test's borrow and high bit).
  const alphabet = [10, 11, 9, 0x8a, 0x80, 0x0a ^ 0xff, 0, 1, 97, 10];
  let seed = 20261206;
  for (let i = 0; i < bytes.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    // Runs without an LF longer than a word too.
    bytes[i] = (seed >>> 16) % 7 === 0 ? alphabet[(seed >>> 8) % alphabet.length] : 97 + ((seed >>> 4) % 20);
  }
  const lineEnd = lineEndOf(bytes);
  assert.ok(lineEnd !== null);
  const offset = bytes.byteOffset;
  for (const to of [bytes.length, 2999, 2000, 17, 9, 8, 1, 0]) {
    for (let from = 0; from <= to; from++) {
      const found: number = lineEnd(offset + from, offset + to);
      assert.equal(found < 0 ? -1 : found - offset, bytes.subarray(0, to).indexOf(10, from), `${from} ${to}`);
    }
  }
  assert.equal(lineEndOf(Buffer.from("a\nb")), null, "bytes in no chunk memory: Buffer's indexOf");
});

test("reply templates are placed in a bounded area, from its start again in a new round once it is used up", () => {
  const replies = ReplyBytes.of(new Uint8Array(256));
  assert.ok(replies !== null);
  const literal = new Uint8Array(4000).fill(120);
  const first = replies.round;
  const addresses = new Set<number>();
  let rounds = 0;
  for (let i = 0; i < 600; i++) {
    const round = replies.round;
    const at = replies.place(literal, Int32Array.of(4000), new Uint8Array(0), new Uint8Array(0));
    if (replies.round !== round) rounds++;
    // The area starts after the classes' versions (4096 ints from 4096) and the marks (65,536 bits).
    assert.ok(at >= 28672 && at + 4 + 4 + 4000 <= 28672 + (1 << 20), `${at}`);
    addresses.add(at);
  }
  // 600 templates of 4 kB in 1 MB: two new rounds, each from the area's start (the same addresses).
  assert.equal(rounds, 2);
  assert.ok(replies.round > first);
  assert.ok(addresses.size < 300, `${addresses.size}`);
  // A template placed there is matched by it: a reply in a chunk memory.
  const [match, at] = placedOk(replies);
  assert.equal(match(replies.base, replies.base + 6, at), 1);
  // One byte short: it parts from the template in its first literal piece (3 + 2 × token 0).
  assert.equal(match(replies.base, replies.base + 5, at), 3);
});

test("probe keys' marks are cleared all at once when an eighth of them are set (marks made again after a clear not counted), and the epoch moves on (the lanes that read them are void)", () => {
  const replies = ReplyBytes.of(new Uint8Array(256));
  assert.ok(replies !== null);
  const cleared = replies.marksCleared;
  const epoch = replies.epoch;
  // Set again, a mark counts once.
  for (let i = 0; i < 3; i++) replies.mark(7);
  for (let bit = 8; bit < MARK_BITS; bit += 8) replies.mark(bit + 1);
  assert.equal(replies.marksCleared, cleared);
  assert.equal(replies.epoch, epoch);
  replies.mark(2);
  assert.equal(replies.marksCleared, cleared + 1);
  assert.notEqual(replies.epoch, epoch);
  // Marks made again after the clear (each probe table's keys, ProbeTable.attach) do not count, however many: the
  // tables together may hold more keys with a record than an eighth, and each table's marking cleared them all.
  for (let bit = 3; bit < MARK_BITS; bit += 4) replies.mark(bit, true);
  assert.equal(replies.marksCleared, cleared + 1);
  for (let bit = 8; bit < MARK_BITS; bit += 8) replies.mark(bit);
  assert.equal(replies.marksCleared, cleared + 1);
  replies.mark(5);
  assert.equal(replies.marksCleared, cleared + 2);
});

test("record templates have an area and rounds of their own: placing them moves no reply template", () => {
  const replies = ReplyBytes.of(new Uint8Array(256));
  assert.ok(replies !== null);
  const [match, at] = placedOk(replies);
  const [round, recordRound] = [replies.round, replies.recordRound];
  const part = new Uint8Array(4000).fill(120);
  for (let i = 0; i < 1200; i++) {
    const placed = replies.placeRecord(new Int32Array(9), [part]);
    assert.ok(placed >= 28672 + (1 << 20), `${placed}`);
  }
  // 1,200 record templates of 4 kB (4 MiB their area): new rounds of their area, none of the reply templates'.
  assert.ok(replies.recordRound > recordRound);
  assert.equal(replies.round, round);
  assert.equal(match(replies.base, replies.base + 6, at), 1);
});

/** A template of the reply `250 ok` placed in `replies`, bound to that reply in a chunk memory: its `reply` and the address. */
function placedOk(replies: ReplyBytes): [NonNullable<ReplyBytes["reply"]>, number] {
  const memory = Buffer.from(chunkBuffer(chunkMemory(1000)));
  replies.bind(memory.subarray(16, 16 + memory.write("250 ok", 16, "latin1")));
  const match = replies.reply;
  assert.ok(match !== null);
  return [
    match,
    replies.place(Buffer.from("250 ok"), Int32Array.of(6), new Uint8Array(0), new Uint8Array(0)),
  ];
}

test("a variable span ends in WebAssembly where it ends in JavaScript, for every byte value after a run of any length", () => {
  // A delivery's line: its spans are the relay's address (ADDRESS), `delay=` and `delays=` (DELAY) and the
  // address again; each is replaced by a run of its alphabet of 0 to 40 bytes with one byte of every value at
  // its start, middle or end (line-bytes.wat $spanEnd reads sixteen bytes at a time by the alphabets' ranges).
  const parts = [
    "Jan  5 08:00:00 mta1 postfix/smtp[3001]: 4A1B2C3D4E: to=<a@example.org>, relay=mx.example.org[",
    "198.51.100.7",
    "]:25, delay=",
    "1.2",
    ", delays=",
    "0.1/0/0.5/0.6",
    ", dsn=2.0.0, status=sent (host mx.example.org[",
    "198.51.100.7",
    "] said: 250 ok (in reply to end of DATA command))",
  ];
  const lineOf = (spans: string[]) =>
    parts.map((part, i) => (i % 2 === 1 ? spans[(i - 1) / 2] : part)).join("");
  const base = [parts[1], parts[3], parts[5], parts[7]];
  const memory = Buffer.from(chunkBuffer(chunkMemory(1 << 12)));
  const templates = new LineTemplates<string>();
  const first = lineOf(base);
  const chunk = memory.subarray(7, 7 + memory.write(first, 7, "latin1"));
  const [rcptStart, rcptEnd] = [first.indexOf("<") + 1, first.indexOf(">")];
  const replyAt = (line: string) => [line.indexOf("said: ") + 6, line.lastIndexOf(" (in reply")];
  templates.learn(chunk, rcptStart, rcptEnd, first.length, ...(replyAt(first) as [number, number]), "t");
  assert.equal(templates.inWebAssembly(chunk), true);
  const runs = ["0123456789abcdefABCDEF.:0123456789abcdef", "0123456789./0123456789./0123456789./01234"];
  let read = 0;
  for (let span = 0; span < 4; span++) {
    const alphabet = runs[span === 1 || span === 2 ? 1 : 0];
    for (const length of [0, 1, 7, 15, 16, 17, 31, 32, 40]) {
      for (const where of [0, length >> 1, length]) {
        for (let byte = 0; byte < 256; byte++) {
          const run = alphabet.slice(0, length);
          const spans = [...base];
          spans[span] = run.slice(0, where) + String.fromCharCode(byte) + run.slice(where);
          const line = lineOf(spans);
          const own = Buffer.from(line, "latin1");
          const there = memory.subarray(7, 7 + own.copy(memory, 7));
          const inWasm = templates.read(there, rcptStart, rcptEnd, line.length);
          const wasm = inWasm === null ? null : [inWasm.replyStart, inWasm.replyEnd];
          const inJs = templates.read(own, rcptStart, rcptEnd, line.length);
          assert.deepEqual(
            wasm,
            inJs === null ? null : [inJs.replyStart, inJs.replyEnd],
            JSON.stringify(line),
          );
          if (wasm !== null) read++;
        }
      }
    }
  }
  // Each alphabet byte keeps the line its template's (with the other bytes it does not).
  assert.ok(read > 1000, `${read}`);
});

test("LineBytes that place no template (heads alone) share one memory: read in turns over two chunk memories, each head is its line's", () => {
  const alphabet = new Uint8Array(256);
  const [first, second] = [LineBytes.of(0, alphabet), LineBytes.of(0, alphabet)];
  assert.ok(first !== null && second !== null);
  const lineIn = (at: number, line: string) => {
    const memory = Buffer.from(chunkBuffer(chunkMemory(1000)));
    return memory.subarray(at, at + memory.write(line, at, "latin1"));
  };
  const a = lineIn(
    3,
    "Jan  5 08:00:00 mta1 postfix/smtp[3001]: 4A1B2C3D4E: to=<a@example.org>, status=sent (ok)",
  );
  const b = lineIn(7, "2026-01-05T08:00:00.123+00:00 mx postfix/qmgr[9]: 9F8E7D6C5B4A: removed");
  const headOf = (lineBytes: LineBytes, bytes: Uint8Array) => {
    lineBytes.bind(bytes);
    assert.ok(lineBytes.heads);
    const into = new Int32Array(8);
    assert.ok(lineBytes.head(0, bytes.length, into, 0));
    return [...into];
  };
  const [alone, otherAlone] = [headOf(first, a), headOf(second, b)];
  // Each keeps its bound bytes (and base) while the other reads: the answers are each line's.
  for (let turn = 0; turn < 3; turn++) {
    first.bind(a);
    second.bind(b);
    const into = new Int32Array(16);
    assert.ok(first.head(0, a.length, into, 0));
    assert.ok(second.head(0, b.length, into, 8));
    assert.deepEqual([...into.subarray(0, 8)], alone);
    assert.deepEqual([...into.subarray(8)], otherAlone);
  }
  assert.notDeepEqual(alone, otherAlone);
  assert.equal(alone[1], "Jan  5 08:00:00".length, "the stamp's end, from the line's start");
  // Nothing is placed in a memory others share.
  assert.equal(first.place(0, Buffer.from("x"), [1], [], Buffer.from(""), 0), -1);
});
