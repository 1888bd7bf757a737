import { createReadStream } from "node:fs";
import { describeLimit, LimitError, type LimitName, limitOf } from "./limits.ts";

/**
 * A whole file (or FIFO, device, `-` for stdin) read as a stream, refused with a LimitError once it passes
 * the named limit: `/dev/zero` or a 10 GB file never reaches memory.
 */
export async function readBounded(path: string, limit: LimitName): Promise<Buffer> {
  const max = limitOf(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = path === "-" ? process.stdin : createReadStream(path, { highWaterMark: 1024 * 1024 });
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > max) {
      if (stream !== process.stdin) stream.destroy();
      throw new LimitError(limit, `larger than ${describeLimit(limit, max)}; not read`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}
