import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pipeline } from "node:stream/promises";

/**
 * A FIFO, a pipe (`/dev/stdin`, `<(zcat …)`) or a character device cannot be read twice nor at an offset
 * (DuckDB's readers and the format detection both need that; `stat.size` is 0): its bytes are first
 * copied, streaming, to a temporary file, which is ingested in its place and then removed.
 * Null for a regular file (read where it is).
 */
export async function spoolIfNotFile(
  path: string,
): Promise<{ path: string; remove(): Promise<void> } | null> {
  if ((await stat(path)).isFile()) return null;
  const directory = await mkdtemp(join(tmpdir(), "deliverlens-spool-"));
  const copy = join(directory, basename(path) || "input");
  const remove = () => rm(directory, { recursive: true, force: true });
  try {
    await pipeline(createReadStream(path), createWriteStream(copy));
  } catch (error) {
    await remove();
    throw error;
  }
  return { path: copy, remove };
}
