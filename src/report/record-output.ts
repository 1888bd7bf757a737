import { fstatSync, writevSync } from "node:fs";
import type { BounceRecord } from "../bounce/record.ts";
import { jsonRecord } from "../bounce/render-output.ts";
import { renderRecord } from "./record-terminal.ts";

export type OutputMode = "text" | "json" | "ndjson";

/** Where records go: buffered writes that respect the stream's backpressure. */
export interface RecordSink {
  /** Buffer one record (callers then await `flushIfFull` once per batch). */
  add(record: BounceRecord): void;
  /** The same for a record already serialised by jsonRecord, or its UTF-8 bytes (json and ndjson modes only). */
  addJson(json: string | Uint8Array): void;
  /** Records already serialised, each line's JSON followed by "\n" (json and ndjson modes only). */
  addJsonLines(lines: Uint8Array): void;
  /**
   * The same, the bytes lent rather than copied where the output takes them as they are (ndjson to a file
   * or device): the caller leaves them unchanged until the next `flushIfFull` or `end` has resolved.
   */
  lendJsonLines(lines: Uint8Array): void;
  /** Writes out when enough is buffered, and always what was lent. */
  flushIfFull(): Promise<void>;
  end(): Promise<void>;
}

const FLUSH_AT = 64 * 1024;
/** Separators around records given as bytes (written as bytes: a record costs no string write). */
const OPEN_ARRAY = Buffer.from("[\n");
const NEXT_IN_ARRAY = Buffer.from(",\n");
const NEWLINE = 10;

export function createSink(mode: OutputMode, stream: NodeJS.WriteStream = process.stdout): RecordSink {
  const bytes = new OutputBytes();
  let count = 0;
  const lent = mode === "ndjson" ? LentBytes.of(stream) : null;
  const flush = async () => {
    if (bytes.length > 0 && !bytes.writeTo(stream)) {
      await new Promise<void>((resolve) => stream.once("drain", resolve));
    }
    lent?.write();
  };
  /** Before bytes are copied after lent ones: the lent ones go out first (at most one kind is held). */
  const lentFirst = () => {
    if (lent !== null && lent.pieces.length > 0) lent.write();
  };
  const format = (record: BounceRecord): string => {
    if (mode === "ndjson") return `${jsonRecord(record)}\n`;
    if (mode === "json") return `${count === 0 ? "[\n" : ",\n"}${jsonRecord(record)}`;
    return renderRecord(record, stream);
  };
  const addJson = (json: string | Uint8Array) => {
    if (mode === "text") throw new Error("addJson needs json or ndjson output");
    lentFirst();
    if (typeof json !== "string") {
      if (mode === "json") bytes.appendBytes(count === 0 ? OPEN_ARRAY : NEXT_IN_ARRAY);
      bytes.appendBytes(json);
      if (mode === "ndjson") bytes.appendByte(NEWLINE);
    } else bytes.append(mode === "ndjson" ? `${json}\n` : `${count === 0 ? "[\n" : ",\n"}${json}`);
    count++;
  };
  return {
    add(record) {
      lentFirst();
      bytes.append(format(record));
      count++;
    },
    addJson,
    lendJsonLines(lines) {
      if (lent === null) this.addJsonLines(lines);
      else {
        // What was buffered before goes first (the stream writes a file in order, at once).
        if (bytes.length > 0) bytes.writeTo(stream);
        lent.add(lines);
      }
    },
    addJsonLines(lines) {
      if (mode === "text") throw new Error("addJsonLines needs json or ndjson output");
      lentFirst();
      if (mode === "ndjson") {
        // Already the bytes ndjson writes (count matters only for json's brackets).
        bytes.appendBytes(lines);
        return;
      }
      for (let at = 0; at < lines.length; ) {
        // A last line without its newline is a record all the same (and the loop must end).
        const found = lines.indexOf(NEWLINE, at);
        const end = found < 0 ? lines.length : found;
        addJson(lines.subarray(at, end));
        at = end + 1;
      }
    },
    async flushIfFull() {
      if (bytes.length >= FLUSH_AT || (lent !== null && lent.pieces.length > 0)) await flush();
    },
    async end() {
      lentFirst();
      if (mode === "json") bytes.append(count === 0 ? "[]\n" : "\n]\n");
      await flush();
    },
  };
}

/**
 * Bytes lent for output to a file or device, written together with one writev. Node writes its standard
 * output to these synchronously (fs.writeSync, no buffering: SyncWriteStream), so a write straight to the
 * descriptor keeps the order, and the bytes are written before the call returns: nothing holds them after.
 */
class LentBytes {
  readonly pieces: Uint8Array[] = [];
  private readonly fd: number;
  private readonly stream: NodeJS.WriteStream;

  private constructor(fd: number, stream: NodeJS.WriteStream) {
    this.fd = fd;
    this.stream = stream;
  }

  /** For a stream on a file or device (not a terminal), else null (lent bytes are then copied). */
  static of(stream: NodeJS.WriteStream): LentBytes | null {
    const fd = (stream as { fd?: unknown }).fd;
    if (typeof fd !== "number" || stream.isTTY === true) return null;
    try {
      const stat = fstatSync(fd);
      return stat.isFile() || stat.isCharacterDevice() ? new LentBytes(fd, stream) : null;
    } catch {
      return null;
    }
  }

  add(bytes: Uint8Array): void {
    if (bytes.length > 0) this.pieces.push(bytes);
  }

  write(): void {
    if (this.pieces.length === 0) return;
    // Whatever the stream still holds goes first (a file stream holds nothing after its synchronous write).
    if (this.stream.writableLength > 0) {
      for (const piece of this.pieces) this.stream.write(Buffer.from(piece));
    } else {
      let left = 0;
      for (const piece of this.pieces) left += piece.length;
      try {
        for (let written = writevSync(this.fd, this.pieces); written < left; ) {
          left -= written;
          written = writevSync(this.fd, [Buffer.concat(this.pieces).subarray(-left)]);
        }
      } catch (error) {
        // As the stream reports a failed write of its own (a full disk): one handler for both (cli/output-failure.ts).
        this.stream.destroy(error as Error);
      }
    }
    this.pieces.length = 0;
  }
}

/**
 * Output encoded record by record into a reused buffer. Joining records into one string first costs
 * more (the joined string is flattened, as two-byte text if any record has a non-Latin-1 character), and
 * so does a fresh Buffer per write.
 */
class OutputBytes {
  private current: Buffer = Buffer.allocUnsafe(4 * FLUSH_AT);
  /** A buffer the stream has finished writing, free for reuse (a pending one is never touched). */
  private spare: Buffer | null = null;
  length = 0;

  append(text: string): void {
    this.reserve(text.length * 3); // at most 3 UTF-8 bytes per UTF-16 unit
    this.length += this.current.write(text, this.length, "utf8");
  }

  appendBytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.current.set(bytes, this.length);
    this.length += bytes.length;
  }

  appendByte(byte: number): void {
    this.reserve(1);
    this.current[this.length++] = byte;
  }

  private reserve(more: number): void {
    const needed = this.length + more;
    if (needed > this.current.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, 2 * this.current.length));
      this.current.copy(grown, 0, 0, this.length);
      this.current = grown;
    }
  }

  /** Hands the bytes to the stream; stream.write's result (false: wait for drain). */
  writeTo(stream: NodeJS.WriteStream): boolean {
    const sent = this.current;
    const ok = stream.write(sent.subarray(0, this.length), () => {
      this.spare = sent;
    });
    this.current = this.spare ?? Buffer.allocUnsafe(sent.length);
    this.spare = null;
    this.length = 0;
    return ok;
  }
}
