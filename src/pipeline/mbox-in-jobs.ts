import { crc32 } from "node:zlib";
import { AHEAD_HERE, GIVEN, type JobsLayout, noCounts, turn } from "./job-sharing.ts";
import type { MboxJob } from "./jobs-process.ts";
import { MboxSegmenter, SEGMENT_BYTES, type Segment, segmentsOf } from "./mbox-segmenter.ts";
import { SecondProcess } from "./second-process.ts";

/**
 * A big mbox file (`chunks`: its bytes, read synchronously from the regular file `file`) classified by two
 * processes: this one cuts it into segments of whole messages (MboxSegmenter), gives segments to the second
 * process (second-process.ts; at most GIVEN at a time, where each is in the file) and classifies the others itself
 * (`classify`, as the second does with `json`: classifySegmentOf); the batches come out in order. What the
 * second process was given and did not return when it ends is classified here.
 */
export async function* classifyMboxInJobs<Batch>(
  chunks: () => Iterable<Buffer>,
  file: string,
  json: boolean,
  classify: (segment: Segment) => Batch,
  { worker, counts = noCounts() }: JobsLayout = {},
): AsyncGenerator<Batch> {
  const second = new SecondProcess<Batch>({ role: "mbox", file, json }, ({ head }) => head as Batch, worker);
  counts.posted = () => second.returned;
  counts.held = () => second.held;
  counts.ended = () => second.gone;
  /** Segments given to the second process, kept until their batch has come (else done here). */
  const theirs = new Map<number, Segment>();
  const batches = new Map<number, Batch>();
  let out = 0;
  let job = 0;
  const here = (segment: Segment) => {
    counts.here++;
    return classify(segment);
  };
  function* ready(): Generator<Batch> {
    second.receive(batches, () => counts.there++);
    for (const [at, segment] of theirs) {
      if (batches.has(at)) theirs.delete(at);
      else if (second.lost(at)) {
        batches.set(at, here(segment));
        theirs.delete(at);
      }
    }
    for (let batch = batches.get(out); batch !== undefined; batch = batches.get(out)) {
      batches.delete(out++);
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
          yield* ready();
          if (job >= out + AHEAD_HERE) await second.next();
        }
        // Its first segments too: it starts while this process classifies the next ones.
        if (second.canTake(GIVEN)) {
          // Where the segment is, not its bytes: the second process reads them from the file itself. Sent
          // over its stdin, a 1 MB segment moved only as this process's event loop turned (once a segment
          // of its own): the second waited for its input and did 8 of 57 segments of a 58 MB mbox.
          const { raw, ...where } = segment;
          const head: MboxJob = { ...where, length: raw.length, crc: crc32(raw) };
          second.give(job, head);
          theirs.set(job, segment);
        } else {
          batches.set(job, here(segment));
          // The second process's batches come in while this one waits for nothing else.
          await turn();
        }
        job++;
        yield* ready();
      }
    } catch (error) {
      failure = { error };
    }
    // No segment left to give: it ends once it has returned the ones it holds, while this one drains.
    second.noMoreJobs();
    while (out < job) {
      yield* ready();
      if (out < job) await second.next();
    }
    if (failure !== null) throw failure.error;
  } finally {
    await second.stop();
  }
}
