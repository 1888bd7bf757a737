import type { Socket } from "node:net";

/**
 * The frames classify and its second process (second-process.ts, jobs-process.ts) exchange over a pipe, each
 * way: [u32 bytes after this field][u32 job][u32 bytes of head][head: JSON, UTF-8][rest: bytes]. Both ends
 * are this program's own processes: a frame is never hostile input (on a socket any process may connect to,
 * each end first compares a fixed number of bytes with the secret frame it expects, and reads frames only from
 * one that sent it: jobs-process.ts serveJobsOnSocket, second-process.ts connectTo).
 */
/**
 * The second process's fd its results go to: not its stdout, where a preload of the user's
 * (NODE_OPTIONS=-r dotenv/config…) may print; its stdout is ignored.
 */
export const RESULTS = 3;

/**
 * The number of the frames, each way, that hold no job but the replies their sender has classified since its
 * last such frame (src/bounce/classify.ts keptToShare): the other adopts them into its memo. Jobs are numbered
 * from 1 (0 is the second process's setup) and never reach it.
 */
export const SHARED_REPLIES = 0xffff_ffff;

export interface Frame {
  job: number;
  head: unknown;
  rest: Buffer;
}

const EMPTY = Buffer.alloc(0);

export function frame(job: number, head: unknown, rest: Buffer = EMPTY): Buffer {
  const json = Buffer.from(JSON.stringify(head), "utf8");
  const out = Buffer.allocUnsafe(12 + json.length + rest.length);
  out.writeUInt32LE(8 + json.length + rest.length, 0);
  out.writeUInt32LE(job, 4);
  out.writeUInt32LE(json.length, 8);
  json.copy(out, 12);
  rest.copy(out, 12 + json.length);
  return out;
}

/** Whole frames out of a byte stream cut anywhere. */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes the first pending frame takes (known once its length field has come), else 4. */
  private needed = 4;

  push(chunk: Buffer): Frame[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // A big frame (an mbox segment) comes in many chunks: joined once, when it is all there.
    if (this.pendingBytes < this.needed) return [];
    let bytes = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    const frames: Frame[] = [];
    let at = 0;
    while (bytes.length - at >= 4) {
      const size = bytes.readUInt32LE(at);
      if (bytes.length - at - 4 < size) break;
      const headBytes = bytes.readUInt32LE(at + 8);
      const head = at + 12;
      frames.push({
        job: bytes.readUInt32LE(at + 4),
        head: JSON.parse(bytes.toString("utf8", head, head + headBytes)),
        rest: bytes.subarray(head + headBytes, at + 4 + size),
      });
      at += 4 + size;
    }
    bytes = bytes.subarray(at);
    this.pending = bytes.length > 0 ? [bytes] : [];
    this.pendingBytes = bytes.length;
    this.needed = bytes.length >= 4 ? 4 + bytes.readUInt32LE(0) : 4;
    return frames;
  }
}

/** The frame that proves a secret (a token from the environment): the first bytes of a connection, each way. */
export function secretFrame(secret: string): Buffer {
  return frame(0, secret);
}

/** Whether `given` holds the bytes of `expected`, compared in a time that does not tell where they differ. */
export function sameBytes(given: Buffer, expected: Buffer): boolean {
  if (given.length !== expected.length) return false;
  let differ = 0;
  for (let at = 0; at < expected.length; at++) differ |= given[at] ^ expected[at];
  return differ === 0;
}

/**
 * Calls `then` once `socket` has brought `length` bytes, with them and what came after them in the same chunk
 * (at most `length` bytes and one chunk are held): its reading is paused then, for the caller to take the rest.
 */
export function onFirstBytes(
  socket: Socket,
  length: number,
  then: (head: Buffer, rest: Buffer) => void,
): void {
  let got: Buffer = Buffer.alloc(0);
  const take = (chunk: Buffer) => {
    got = got.length === 0 ? chunk : Buffer.concat([got, chunk]);
    if (got.length < length) return;
    socket.off("data", take);
    socket.pause();
    then(got.subarray(0, length), got.subarray(length));
  };
  socket.on("data", take);
}
