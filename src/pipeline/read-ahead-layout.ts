/**
 * The shared memory between classify's thread and its file reader (read-ahead.ts, read-ahead-worker.ts):
 * the files; control[NEXT], the next file no thread has taken; control[DONE], how many files the classifying
 * thread is done with (a slot holding a file below that is free); per slot the index of the file it holds
 * (-1: none), then per slot the bytes read (-1: the classifying thread opens that file itself). Its own
 * module, with no imports: the reader thread loads only this and node's built-ins.
 */
export interface ReadAheadShared {
  paths: readonly string[];
  /** Paths never opened by the reader (a FIFO's writer would find its one reader gone). */
  streams: ReadonlySet<string>;
  control: Int32Array;
  slots: Int32Array;
  bytes: SharedArrayBuffer;
  slotBytes: number;
}
export const NEXT = 0;
export const DONE = 1;
