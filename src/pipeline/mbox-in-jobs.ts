import { CHUNK_BYTES } from "../events/input.ts";
import { AHEAD_HERE, type JobsLayout, type JobsShared, noCounts } from "./job-sharing.ts";
import { MboxSegmenter, SEGMENT_BYTES, type Segment, segmentsOf } from "./mbox-segmenter.ts";
import { SecondIsolate } from "./second-isolate.ts";

/** What the second thread (mbox-in-jobs-worker.ts) is given. */
export interface MboxJobsShared extends JobsShared {
  file: string;
  /** The size of each read, as this thread's chunks (the segments depend on it). */
  chunkBytes: number;
  segmentBytes: number;
  /** Batches of records as their JSON (else as records). */
  json: boolean;
}

/** A segment as the second thread classified it: where it was, and its batch. */
export interface SegmentDone<Batch> {
  offset: number | undefined;
  bytes: number;
  line: number;
  batch: Batch;
}

/**
 * A big mbox file (`chunks`: its bytes, read synchronously, `file` its path) classified on two threads: each
 * cuts the file into the same segments (MboxSegmenter), and each segment is a job, classified (`classify`,
 * with `json` as the second thread's classifySegmentOf) by the thread that takes it first (the second thread,
 * mbox-in-jobs-worker.ts, reads the file itself); the batches come out in order. A segment the other thread
 * classified is taken only if it is this thread's own (same place, same size), else classified here, as is
 * every segment it took when it ends early. Records cross as structured clones (plain data) or JSON strings.
 */
export async function* classifyMboxInJobs<Batch>(
  chunks: () => Iterable<Buffer>,
  file: string,
  json: boolean,
  classify: (segment: Segment) => Batch,
  { worker = "mbox-in-jobs-worker", counts = noCounts() }: JobsLayout = {},
): AsyncGenerator<Batch> {
  const data: Omit<MboxJobsShared, keyof JobsShared> = {
    file,
    chunkBytes: CHUNK_BYTES,
    segmentBytes: SEGMENT_BYTES,
    json,
  };
  const second = new SecondIsolate<SegmentDone<Batch>>(worker, data);
  counts.posted = () => second.posted;
  /** Segments the other thread took, kept until their batch has come. */
  const theirs = new Map<number, Segment>();
  const received = new Map<number, SegmentDone<Batch>>();
  const batches = new Map<number, Batch>();
  let out = 0;
  let job = 0;
  const here = (segment: Segment) => {
    counts.here++;
    return classify(segment);
  };
  /** Batches the other thread has sent, checked against this thread's segments. */
  const settle = () => {
    second.receive(received);
    for (const [at, done] of received) {
      // The other thread may be ahead: its batch waits for this thread to cut the segment.
      const segment = theirs.get(at);
      if (segment === undefined) continue;
      const same =
        done.offset === segment.offset && done.bytes === segment.raw.length && done.line === segment.line;
      if (same) counts.there++;
      batches.set(at, same ? done.batch : here(segment));
      theirs.delete(at);
      received.delete(at);
    }
  };
  /** Waits for the other thread's next batch; when it has ended, its segments are classified here. */
  const waitForTheirs = async () => {
    if (await second.sent()) return;
    for (const [at, segment] of theirs) batches.set(at, here(segment));
    theirs.clear();
  };
  function* ready(): Generator<Batch> {
    for (let batch = batches.get(out); batch !== undefined; batch = batches.get(out)) {
      batches.delete(out);
      second.output(++out);
      yield batch;
    }
  }
  try {
    // A read error (or any) ends the segments; those taken before it still come out, then it is thrown.
    let failure: { error: unknown } | null = null;
    try {
      const segmenter = new MboxSegmenter(file, { segmentBytes: SEGMENT_BYTES });
      for (const segment of segmentsOf(chunks(), segmenter)) {
        // No job AHEAD_HERE or more past the output (what waits in memory stays bounded).
        while (job >= out + AHEAD_HERE) {
          settle();
          yield* ready();
          if (job >= out + AHEAD_HERE) await waitForTheirs();
        }
        if (second.take(job)) batches.set(job, here(segment));
        else theirs.set(job, segment);
        job++;
        settle();
        yield* ready();
      }
    } catch (error) {
      failure = { error };
    }
    while (out < job) {
      settle();
      yield* ready();
      if (out < job) await waitForTheirs();
    }
    if (failure !== null) throw failure.error;
  } finally {
    second.stop();
  }
}
