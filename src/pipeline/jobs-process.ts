import { once } from "node:events";
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import type { Socket } from "node:net";
import { crc32 } from "node:zlib";
import { classifySegmentOf } from "./classify-email.ts";
import { classifyWholeFiles, type SentJob, sentResults } from "./classify-files.ts";
import type { ClassifyOptions } from "./classify-source.ts";
import { withoutTopTier } from "./compiler-tier.ts";
import { type Frame, FrameReader, frame, RESULTS } from "./job-frames.ts";
import type { Segment } from "./mbox-segmenter.ts";

/**
 * classify's second process (second-process.ts starts it, from classify's startup snapshot when the first
 * runs from it): reads jobs from its stdin and writes each job's result to its fd RESULTS (3), as frames
 * (job-frames.ts), in the order it got them, until its stdin ends. The first frame says what the jobs are:
 * - files: each job a list of whole files, classified as classifyWholeFiles does, within `jobBytes` (the
 *   result: the files done — the first ones — and their outcomes, as sentResults writes them, and their
 *   records' JSON lines);
 * - mbox: each job a segment of one mbox (where it is in the file, its line), read from the file here and
 *   classified as classifySegmentOf does;
 * and whether to go without V8's top tier, as the first process does (compiler-tier.ts).
 */
export type JobsSetup =
  | { role: "files"; options: Pick<ClassifyOptions, "format" | "all">; jobBytes: number }
  | { role: "mbox"; file: string; json: boolean };
/** The setup as sent: also whether the first process uses V8's top tier (compiler-tier.ts). */
export type FirstFrame = JobsSetup & { topTier: boolean };

/** The setup as sent to a process bin/ started (serveJobsOnSocket): with the token it was given. */
export type SocketFirstFrame = FirstFrame & { token: string };

/** A job of files: their paths, and which of them are streams (never opened: left to the first process). */
export interface FilesJob {
  paths: string[];
  streams: string[];
}
/**
 * A job of an mbox: the segment less its bytes, which the second process reads from the file itself (a big
 * mbox is a regular file: mbox-in-jobs.ts) — `length` bytes at `offset`; `crc`, the CRC-32 of all of them,
 * tells it that the file still holds them (a mail store may rewrite a message in place, same length).
 */
export type MboxJob = Omit<Segment, "raw"> & { length: number; crc: number };

/**
 * Serves jobs until stdin ends or the first process is gone; the caller then ends the process (at once: what
 * it holds is garbage).
 */
export async function serveJobs(): Promise<void> {
  let handle: ((job: Frame) => Promise<Buffer | null> | Buffer | null) | null = null;
  for (const job of framesOfStdin()) {
    if (handle === null) {
      const first = job.head as FirstFrame;
      if (!first.topTier) withoutTopTier();
      handle = handler(first);
    } else {
      const result = await handle(job);
      // A job it cannot do: it ends, and what it held is done by the first process (second-process.ts lost()).
      if (result === null || !write(result)) return;
    }
  }
}

/**
 * Serves jobs as serveJobs does, to the one process that connects to the Unix socket `name` of Linux's abstract
 * namespace and opens with `token` (`listen`: "name token pid"): classify's second process when bin/ started it,
 * before classify itself (bin/deliverlens.js startJobsAhead). Resolves when that connection ends, or when the
 * process that should make it (`pid`, this one's parent) has ended before its first frame came, or when that
 * frame is not what classify sends (without the token, or past FIRST_FRAME_BYTES: any process of the host may
 * connect to such a socket, so until then its bytes are hostile input).
 */
export async function serveJobsOnSocket(listen: string): Promise<void> {
  const [name, token, parent] = listen.split(" ");
  if (String(process.ppid) !== parent) return;
  const { createServer } = process.getBuiltinModule("node:net");
  let connected: Socket | null = null;
  let orphaned = () => {};
  const watch = setInterval(() => {
    if (String(process.ppid) !== parent) orphaned();
  }, PARENT_CHECK_MS);
  connected = await new Promise<Socket | null>((resolve) => {
    const server = createServer((socket) => {
      server.close();
      resolve(socket);
    });
    orphaned = () => {
      server.close();
      resolve(null);
    };
    server.on("error", orphaned);
    server.listen(`\0${name}`);
  });
  const socket = connected;
  if (socket === null) {
    clearInterval(watch);
    return;
  }
  socket.on("error", () => {});
  orphaned = () => socket.destroy();
  const reader = new FrameReader();
  let handle: ((job: Frame) => Promise<Buffer | null> | Buffer | null) | null = null;
  let beforeFirst = 0;
  try {
    for await (const chunk of socket) {
      if (handle === null) beforeFirst += (chunk as Buffer).length;
      if (beforeFirst > FIRST_FRAME_BYTES) return;
      for (const job of reader.push(chunk as Buffer)) {
        if (handle === null) {
          const first = job.head as SocketFirstFrame | null;
          if (first?.token !== token) return;
          clearInterval(watch);
          if (!first.topTier) withoutTopTier();
          handle = handler(first);
          continue;
        }
        const result = await handle(job);
        if (result === null) return;
        if (!socket.write(result)) await once(socket, "drain");
      }
    }
  } catch {
    // The connection failed: classify is gone, and what this one held is garbage.
  } finally {
    clearInterval(watch);
    socket.destroy();
  }
}

/** How often a process bin/ started checks, until classify has connected and opened, that classify still runs. */
const PARENT_CHECK_MS = 20;

/**
 * The most bytes a connection to a process bin/ started may send before its first frame is whole: that frame
 * (the jobs' setup, the token: an mbox's path at most PATH_MAX) takes a few hundred.
 */
export const FIRST_FRAME_BYTES = 64 * 1024;

function handler(setup: JobsSetup): (job: Frame) => Promise<Buffer | null> | Buffer | null {
  if (setup.role === "files")
    return async ({ job, head }) => {
      const { paths, streams } = head as FilesJob;
      const done = await classifyWholeFiles(paths, setup.options, new Set(streams), setup.jobBytes);
      const sent: SentJob = { bytes: done.bytes, files: sentResults(done.files) };
      return frame(job, sent, done.json);
    };
  const read = segmentReader(setup.file);
  return ({ job, head }) => {
    const { length, crc, ...segment } = head as MboxJob;
    const raw = read(segment.offset ?? 0, length, crc);
    return raw === null ? null : frame(job, classifySegmentOf({ ...segment, raw }, setup.file, setup.json));
  };
}

/**
 * The bytes of a segment of `file`, read from it (opened at the first segment, kept open until the process
 * ends); null when the file cannot be read or no longer holds them.
 */
function segmentReader(file: string): (offset: number, length: number, crc: number) => Buffer | null {
  let fd: number | null = null;
  return (offset, length, crc) => {
    const raw = Buffer.allocUnsafe(length);
    try {
      fd ??= openSync(file, "r");
      for (let at = 0; at < length; ) {
        const got = readSync(fd, raw, at, length - at, offset + at);
        if (got === 0) return null;
        at += got;
      }
    } catch {
      if (fd !== null) closeSync(fd);
      fd = null;
      return null;
    }
    return crc32(raw) === crc ? raw : null;
  };
}

/** Frames read (blocking) from fd 0 until it ends. */
function* framesOfStdin(): Generator<Frame> {
  const reader = new FrameReader();
  const buffer = Buffer.allocUnsafe(1 << 20);
  for (;;) {
    let got: number;
    try {
      got = readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EAGAIN") {
        pause();
        continue;
      }
      return;
    }
    if (got === 0) return;
    yield* reader.push(Buffer.from(buffer.subarray(0, got)));
  }
}

/** Writes it all to RESULTS; false when the first process is gone. */
function write(bytes: Buffer): boolean {
  for (let at = 0; at < bytes.length; ) {
    try {
      at += writeSync(RESULTS, bytes, at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EAGAIN") return false;
      pause();
    }
  }
  return true;
}

/** Made at the first wait, not at load: classify's startup snapshot holds this module. */
let sleeper: Int32Array | null = null;

/** A non-blocking pipe not ready yet: a millisecond's wait. */
function pause(): void {
  sleeper ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleeper, 0, 0, 1);
}
