import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { createGunzip, createZstdDecompress } from "node:zlib";

/** The file's decompressed byte stream: gzip and zstd by magic number, as DuckDB reads them by extension. */
export async function openDecompressed(path: string): Promise<Readable> {
  const magic = await firstBytes(path, 4);
  const raw = createReadStream(path);
  if (magic[0] === 0x1f && magic[1] === 0x8b) return raw.pipe(createGunzip());
  if (magic[0] === 0x28 && magic[1] === 0xb5 && magic[2] === 0x2f && magic[3] === 0xfd) {
    return raw.pipe(createZstdDecompress());
  }
  return raw;
}

async function firstBytes(path: string, count: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of createReadStream(path, { start: 0, end: count - 1 })) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
  }
  return Buffer.concat(chunks, length);
}

/** The first `bytes` decompressed bytes of a file, as text (for format sniffing and CSV headers). */
export async function readHead(path: string, bytes = 65536): Promise<string> {
  const stream = await openDecompressed(path);
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length >= bytes) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, length).toString("utf8");
}
