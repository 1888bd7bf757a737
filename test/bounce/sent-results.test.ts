import assert from "node:assert/strict";
import { test } from "node:test";
import { type FileResult, receivedResults, sentResults } from "../../src/pipeline/classify-files.ts";

const plain = (path: string, records: number, jsonBytes: number): FileResult => ({
  path,
  records,
  jsonBytes,
  problems: [],
  unreadable: null,
  streamed: false,
  failed: false,
});

test("a job's outcomes cross to the first process as they were, plain ones without their path", () => {
  const files: FileResult[] = [
    plain("/in/a.eml", 1, 400),
    { ...plain("/in/b.eml", 0, 0), problems: [{ source: { file: "/in/b.eml", line: 1 }, message: "x" }] },
    { ...plain("/in/c.eml", 0, 0), unreadable: "EACCES" },
    { ...plain("/in/d.gz", 0, 0), streamed: true },
    { ...plain("/in/e.eml", 2, 0), failed: true },
    plain("/in/f.eml", 3, 1200),
  ];
  const sent = sentResults(files);
  // Sent as a frame's head: JSON.
  const crossed = JSON.parse(JSON.stringify(sent));
  assert.deepEqual(crossed[0], [1, 400]);
  assert.deepEqual(crossed[5], [3, 1200]);
  assert.deepEqual(
    receivedResults(
      crossed,
      files.map((file) => file.path),
    ),
    files,
  );
});
