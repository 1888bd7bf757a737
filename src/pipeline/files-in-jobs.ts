import { classifyWholeFiles, type FilesDone, receivedResults, type SentJob } from "./classify-files.ts";
import { threadsAllowed } from "./classify-parallel.ts";
import type { ClassifyOptions } from "./classify-source.ts";
import { AHEAD_HERE, BUDGETS, GIVEN, type JobsLayout, noCounts, turn } from "./job-sharing.ts";
import type { FilesJob } from "./jobs-process.ts";
import { SecondProcess } from "./second-process.ts";
import { type FileRange, UntakenFiles } from "./untaken-files.ts";

/** Files per job at most: the records of a job are handed to the output at once. */
export const JOB_FILES = 48;
/**
 * How jobs are cut when two processes share them (UntakenFiles): the first ones small — a process's first
 * files are its slowest (each runs code for the first time), and this one turns its event loop (where the
 * second's connection opens and its first jobs leave) only between jobs: with jobs of 48 the second started
 * ~100–200 files after this one, with 4 after ~14 — and the last ones too (an eighth of the files left at
 * most), so that neither process ends holding whole jobs while the other has none left to take.
 */
export const SHARED_JOBS = { first: 4, share: 8 };

const NO_STREAMS: ReadonlySet<string> = new Set();

/**
 * Every path's result, a job of files at a time (classifyWholeFiles), in order; `streamed` ones are left to
 * the caller. A job takes at most JOB_FILES files and ends early past its bytes (budgets.jobBytes: the files
 * it left are taken again, UntakenFiles). When a second core is allowed, a second process classifies jobs too
 * (second-process.ts): this one takes the next job, gives the second the ones after it (at most GIVEN at a
 * time), classifies its own, and hands the jobs to the output in order; none is taken ahead of the output
 * while AHEAD_HERE jobs are, or while the output of those done and waiting passes budgets.aheadBytes.
 */
export async function* classifyFilesInJobs(
  paths: readonly string[],
  options: ClassifyOptions,
  streams: ReadonlySet<string> = NO_STREAMS,
  { worker, counts = noCounts(), budgets = BUDGETS }: JobsLayout = {},
): AsyncGenerator<FilesDone> {
  const shared = threadsAllowed() && paths.length > JOB_FILES;
  const untaken = new UntakenFiles(paths.length, JOB_FILES, shared ? SHARED_JOBS : {});
  const files = (job: FileRange) => paths.slice(job.first, job.end);
  const here = (job: FileRange) => {
    counts.here++;
    return classifyWholeFiles(files(job), options, streams, budgets.jobBytes);
  };
  const finished = (job: FileRange, done: FilesDone) =>
    untaken.finished(job, done.files.length, done.bytes < budgets.jobBytes / 2);
  if (!shared) {
    while (!untaken.empty) {
      const job = untaken.take();
      const done = await here(job);
      finished(job, done);
      yield done;
    }
    return;
  }
  /** Jobs given to the second process, by number, until their result is taken or they are lost. */
  const theirs = new Map<number, FileRange>();
  const second = new SecondProcess<FilesDone>(
    { role: "files", options: { format: options.format, all: options.all }, jobBytes: budgets.jobBytes },
    ({ job, head, rest }) => {
      const { bytes, files: sent } = head as SentJob;
      const given = theirs.get(job);
      return { files: given === undefined ? [] : receivedResults(sent, files(given)), json: rest, bytes };
    },
    worker,
  );
  counts.posted = () => second.returned;
  counts.held = () => second.held;
  counts.ended = () => second.gone;
  /** Jobs done, by their first file, until the output takes them; the bytes of their output. */
  const ready = new Map<number, FilesDone>();
  let waiting = 0;
  /** Jobs taken (here or given) and not yet handed to the output. */
  let ahead = 0;
  const done = (job: FileRange, result: FilesDone) => {
    finished(job, result);
    ready.set(job.first, result);
    waiting += result.json.length;
    counts.mostWaiting = Math.max(counts.mostWaiting, waiting);
  };
  const received = new Map<number, FilesDone>();
  const receive = () => {
    second.receive(received, () => counts.there++);
    for (const [number, result] of received) {
      const job = theirs.get(number);
      // One it was given back from (lost below) and did after all: done again already.
      if (job === undefined) continue;
      theirs.delete(number);
      done(job, result);
    }
    received.clear();
    for (const [number, job] of theirs) {
      if (!second.lost(number)) continue;
      theirs.delete(number);
      untaken.putBack(job);
      ahead--;
    }
  };
  const mayTakeAhead = () => !untaken.empty && ahead < AHEAD_HERE && waiting < budgets.aheadBytes;
  let out = 0;
  let numbers = 1; // 0 numbers the second process's setup
  try {
    while (out < paths.length) {
      receive();
      const next = ready.get(out);
      if (next !== undefined) {
        ready.delete(out);
        waiting -= next.json.length;
        ahead--;
        out += next.files.length;
        yield next;
        continue;
      }
      // The job the output waits for is always taken; others only within the bounds.
      if (untaken.first === out || mayTakeAhead()) {
        const mine = untaken.take();
        ahead++;
        while (mayTakeAhead() && second.canTake(GIVEN)) {
          const job = untaken.take();
          ahead++;
          const given: FilesJob = {
            paths: files(job),
            streams: files(job).filter((path) => streams.has(path)),
          };
          theirs.set(numbers, job);
          second.give(numbers++, given);
        }
        // Nothing left to give: it ends once it has returned what it holds (files a job of its leaves over
        // budget, or one it loses, are this process's then).
        if (untaken.empty) second.noMoreJobs();
        done(mine, await here(mine));
        // Its results come in while this process waits for nothing else.
        await turn();
      } else await second.next();
    }
  } finally {
    await second.stop();
  }
}
