import assert from "node:assert/strict";
import { test } from "node:test";
import { FrameReader, frame } from "../../src/pipeline/job-frames.ts";

const frames = [
  frame(0, { role: "files", options: {} }),
  frame(7, { paths: ["a.eml", "b\\nc.eml", "é"] }, Buffer.from("x".repeat(100_000))),
  frame(8, [{ message: "\ud800 lone" }], Buffer.from([0, 1, 2])),
];
const bytes = Buffer.concat(frames);
const expected = [
  { job: 0, head: { role: "files", options: {} }, rest: "" },
  { job: 7, head: { paths: ["a.eml", "b\\nc.eml", "é"] }, rest: "x".repeat(100_000) },
  { job: 8, head: [{ message: "\ud800 lone" }], rest: "\u0000\u0001\u0002" },
];

test("frames come out whole and in order however the stream is cut", () => {
  for (const size of [1, 3, 4, 5, 12, 13, 4096, 65536, bytes.length]) {
    const reader = new FrameReader();
    const got = [];
    for (let at = 0; at < bytes.length; at += size) got.push(...reader.push(bytes.subarray(at, at + size)));
    assert.deepEqual(
      got.map(({ job, head, rest }) => ({ job, head, rest: rest.toString("latin1") })),
      expected,
      `chunks of ${size}`,
    );
  }
});
