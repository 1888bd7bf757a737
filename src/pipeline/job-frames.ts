/**
 * The frames classify and its second process (second-process.ts, jobs-process.ts) exchange over a pipe, each
 * way: [u32 bytes after this field][u32 job][u32 bytes of head][head: JSON, UTF-8][rest: bytes]. Both ends
 * are this program's own processes: a frame is never hostile input (on a socket any process may connect to, the
 * second process reads a bounded first frame and trusts the frames after it only when it holds the token:
 * jobs-process.ts serveJobsOnSocket).
 */
/**
 * The second process's fd its results go to: not its stdout, where a preload of the user's
 * (NODE_OPTIONS=-r dotenv/config…) may print; its stdout is ignored.
 */
export const RESULTS = 3;

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
