import type { BounceRecord } from "./record.ts";
import { renderRecord } from "./render-text.ts";

/** Version of the JSON record shape `classify --json/--ndjson` prints (bump on incompatible change). */
export const RECORD_SCHEMA_VERSION = 1;

export type OutputMode = "text" | "json" | "ndjson";

/** Where records go: buffered writes that respect the stream's backpressure. */
export interface RecordSink {
  /** Buffer one record (callers then await `flushIfFull` once per batch). */
  add(record: BounceRecord): void;
  /** The same for a record already serialised by jsonRecord (json and ndjson modes only). */
  addJson(json: string): void;
  flushIfFull(): Promise<void>;
  end(): Promise<void>;
}

const FLUSH_AT = 64 * 1024;

const VERSION_PREFIX = `{"schemaVersion":${RECORD_SCHEMA_VERSION},`;

/** The record as one JSON object, `schemaVersion` first (spliced in: no copy of the record). */
export function jsonRecord(record: BounceRecord): string {
  return VERSION_PREFIX + JSON.stringify(record).slice(1);
}

export function createSink(mode: OutputMode, stream: NodeJS.WriteStream = process.stdout): RecordSink {
  let buffer = "";
  let count = 0;
  const flush = async () => {
    if (buffer === "") return;
    const ok = stream.write(buffer);
    buffer = "";
    if (!ok) await new Promise<void>((resolve) => stream.once("drain", resolve));
  };
  const format = (record: BounceRecord): string => {
    if (mode === "ndjson") return `${jsonRecord(record)}\n`;
    if (mode === "json") return `${count === 0 ? "[\n" : ",\n"}${jsonRecord(record)}`;
    return renderRecord(record, stream);
  };
  return {
    add(record) {
      buffer += format(record);
      count++;
    },
    addJson(json) {
      if (mode === "text") throw new Error("addJson needs json or ndjson output");
      buffer += mode === "ndjson" ? `${json}\n` : `${count === 0 ? "[\n" : ",\n"}${json}`;
      count++;
    },
    async flushIfFull() {
      if (buffer.length >= FLUSH_AT) await flush();
    },
    async end() {
      if (mode === "json") buffer += count === 0 ? "[]\n" : "\n]\n";
      await flush();
    },
  };
}
