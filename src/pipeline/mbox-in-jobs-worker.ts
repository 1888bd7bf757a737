import { closeSync, openSync, readSync } from "node:fs";
import { workerData } from "node:worker_threads";
import { classifySegmentOf } from "./classify-email.ts";
import { post, stopped, takeJob } from "./job-sharing.ts";
import type { MboxJobsShared, SegmentDone } from "./mbox-in-jobs.ts";
import { MboxSegmenter, type Segment } from "./mbox-segmenter.ts";

/**
 * The second classifying thread of mbox-in-jobs.ts: reads the mbox and cuts it into segments as the first
 * thread does; each segment no thread has taken yet it takes, classifies and posts back (with where it was,
 * so the first thread can tell it is its own segment). Ends at the end of the file or once stopped; a read
 * error ends it too (the first thread then does what it took).
 */
const shared = workerData as MboxJobsShared;
const { file, chunkBytes, segmentBytes, json, control } = shared;
const segmenter = new MboxSegmenter(file, { segmentBytes });
let job = 0;

/** False once no more jobs are wanted. */
function each(segments: Segment[]): boolean {
  for (const segment of segments) {
    if (stopped(control)) return false;
    const at = job++;
    if (!takeJob(control, at)) continue;
    const done: SegmentDone<unknown> = {
      offset: segment.offset,
      bytes: segment.raw.length,
      line: segment.line,
      batch: classifySegmentOf(segment, file, json),
    };
    post(shared, at, done);
  }
  return true;
}

const fd = openSync(file, "r");
try {
  let wanted = true;
  for (;;) {
    const chunk = Buffer.allocUnsafe(chunkBytes);
    const got = readSync(fd, chunk, 0, chunkBytes, null);
    if (got === 0) break;
    wanted = each(segmenter.push(got < chunkBytes ? chunk.subarray(0, got) : chunk));
    if (!wanted || segmenter.done) break;
  }
  if (wanted) each(segmenter.finish());
} finally {
  closeSync(fd);
  shared.port.close();
}
