import { once } from "node:events";
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import type { Socket } from "node:net";
import { crc32 } from "node:zlib";
import { adoptShared, keptToShare, type SharedClassification, shareKept } from "../bounce/classify.ts";
import { classifySegmentOf } from "./classify-email.ts";
import { classifyWholeFiles, type SentJob, sentResults } from "./classify-files.ts";
import type { ClassifyOptions } from "./classify-source.ts";
import { withoutTopTier } from "./compiler-tier.ts";
import { warmUpWhileIdle } from "./idle-warm-up.ts";
import {
  type Frame,
  FrameReader,
  frame,
  onFirstBytes,
  RESULTS,
  SHARED_REPLIES,
  sameBytes,
  secretFrame,
} from "./job-frames.ts";
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
 * and whether to go without V8's top tier, as the first process does (compiler-tier.ts). Frames of replies
 * classified (SHARED_REPLIES) come between jobs, and go before results, each way (second-process.ts).
 */
export type JobsSetup =
  | { role: "files"; options: Pick<ClassifyOptions, "format" | "all">; jobBytes: number }
  | { role: "mbox"; file: string; json: boolean };
/** The setup as sent: also whether the first process uses V8's top tier (compiler-tier.ts). */
export type FirstFrame = JobsSetup & { topTier: boolean };

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
  const serve = jobServer();
  for (const job of framesOfStdin()) {
    const result = await serve(job);
    // A job it cannot do: it ends, and what it held is done by the first process (second-process.ts lost()).
    if (result === null || (result !== undefined && !write(result))) return;
  }
}

/**
 * Serves jobs as serveJobs does, to the one process that connects to the Unix socket `name` of Linux's abstract
 * namespace and opens with `token`'s frame (`listen`: "name token proof pid"): classify, when bin/ started this
 * one before it (bin/deliverlens.js startJobsAhead). Any process of the host may connect to such a socket and
 * sees its name (/proc/net/unix), so:
 * - the name stays bound until this process ends: no other can take it and classify's connection (review R52);
 * - every connection is a stranger until its first bytes are token's frame (compared whole, nothing else read:
 *   at most MOST_STRANGERS at a time, more are closed at once); a stranger is closed, this one goes on listening;
 * - classify's connection is answered with `proof`'s frame first: only this process knows it, so classify gives
 *   no job to a process that took the name after this one had ended.
 * Resolves when classify's connection ends, or when the process that should make it (`pid`, this one's parent)
 * has ended before it came.
 */
export async function serveJobsOnSocket(listen: string): Promise<void> {
  const [name, token, proof, parent] = listen.split(" ");
  if (String(process.ppid) !== parent) return;
  const { createServer } = process.getBuiltinModule("node:net");
  const opening = secretFrame(token);
  const strangers = new Set<Socket>();
  let open = true;
  let chose: (taken: { socket: Socket; rest: Buffer } | null) => void = () => {};
  const chosen = new Promise<{ socket: Socket; rest: Buffer } | null>((resolve) => {
    chose = resolve;
  });
  const choose = (taken: { socket: Socket; rest: Buffer } | null) => {
    if (!open) return;
    open = false;
    clearInterval(watch);
    for (const stranger of strangers) stranger.destroy();
    strangers.clear();
    chose(taken);
  };
  const watch = setInterval(() => {
    if (String(process.ppid) !== parent) choose(null);
  }, PARENT_CHECK_MS);
  const server = createServer((socket) => {
    socket.on("error", () => {});
    if (!open || strangers.size >= MOST_STRANGERS) {
      socket.destroy();
      return;
    }
    strangers.add(socket);
    socket.once("close", () => strangers.delete(socket));
    onFirstBytes(socket, opening.length, (head, rest) => {
      strangers.delete(socket);
      if (!open || !sameBytes(head, opening)) {
        socket.destroy();
        return;
      }
      socket.write(secretFrame(proof));
      choose({ socket, rest });
    });
  });
  server.on("error", () => choose(null));
  server.listen(`\0${name}`);
  // Until its first job comes (idle-warm-up.ts).
  const warming = warmUpWhileIdle();
  const taken = await chosen;
  try {
    if (taken !== null) await serveConnection(taken.socket, taken.rest, warming.stop);
  } finally {
    warming.stop();
    server.close();
  }
}

/**
 * Serves the jobs of classify's connection (`rest`: its bytes read already), until it ends; `idle()` is called
 * when the first bytes after the opening come.
 */
async function serveConnection(socket: Socket, rest: Buffer, idle: () => void): Promise<void> {
  const reader = new FrameReader();
  const serve = jobServer();
  const take = async (chunk: Buffer) => {
    if (chunk.length > 0) idle();
    for (const job of reader.push(chunk)) {
      const result = await serve(job);
      if (result === null) return false;
      if (result !== undefined && !socket.write(result)) await once(socket, "drain");
    }
    return true;
  };
  try {
    if (!(await take(rest))) return;
    for await (const chunk of socket) if (!(await take(chunk as Buffer))) return;
  } catch {
    // The connection failed: classify is gone, and what this one held is garbage.
  } finally {
    // Its last results written out before it ends: classify ends the jobs while they are being done
    // (second-process.ts noMoreJobs), and a write still queued in the socket would be dropped by destroy().
    await new Promise<void>((resolve) => {
      socket.once("close", resolve);
      socket.end(resolve);
    });
    socket.destroy();
  }
}

/** How often a process bin/ started checks, until classify has connected and opened, that classify still runs. */
const PARENT_CHECK_MS = 20;

/**
 * The most connections a process bin/ started holds before they have sent their first bytes: classify's is one;
 * more are another process's (a stranger that holds them all only makes classify do its jobs alone).
 */
export const MOST_STRANGERS = 16;

/**
 * The frames' server: the first frame sets it up (undefined: no result), each later one is a job, answered with
 * its result's frame, or null when it cannot do it (the process ends).
 */
function jobServer(): (job: Frame) => Promise<Buffer | null | undefined> | Buffer | null | undefined {
  let handle: ((job: Frame) => Promise<Buffer | null> | Buffer | null) | null = null;
  return (job) => {
    if (job.job === SHARED_REPLIES) {
      adoptShared(job.head as SharedClassification[]);
      return undefined;
    }
    if (handle !== null) return withShared(handle(job));
    const first = job.head as FirstFrame;
    if (!first.topTier) withoutTopTier();
    shareKept();
    handle = handler(first);
    return undefined;
  };
}

/** A job's result frame, after a frame of the replies classified since the last one (the first process adopts them). */
function withShared(result: Promise<Buffer | null> | Buffer | null): Promise<Buffer | null> | Buffer | null {
  if (result instanceof Promise) return result.then(withShared);
  if (result === null) return null;
  const shared = keptToShare();
  return shared.length === 0 ? result : Buffer.concat([frame(SHARED_REPLIES, shared), result]);
}

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
