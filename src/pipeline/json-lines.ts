/**
 * Records given as the bytes ndjson writes for them: each record's JSON followed by a newline, `count` records.
 * The bytes are another thread's batch memory: valid until the next batch is asked for.
 */
export class JsonLines {
  readonly bytes: Uint8Array;
  readonly count: number;

  constructor(bytes: Uint8Array, count: number) {
    this.bytes = bytes;
    this.count = count;
  }
}
