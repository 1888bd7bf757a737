/**
 * What classify's thread and the reading thread of a big mbox (mbox-read-ahead.ts, mbox-reader-worker.ts)
 * share: control[TAKEN], how many segments the classifying thread has taken; control[STOP], set when it
 * wants no more. Its own module, with no imports: the reader thread loads only this, the segmenter and limits.
 */
export interface MboxReaderShared {
  file: string;
  control: Int32Array;
  /** The size of each read. */
  chunkBytes: number;
}
export const TAKEN = 0;
export const STOP = 1;
/** Segments (~4 MB each) sent and not yet taken, at most: bounds memory. */
export const AHEAD = 4;
