import type { Worker } from "node:worker_threads";
import { type OpenedSource, openWholeFile, wholeFileRead } from "../events/input.ts";
import { moduleWorker } from "../util/module-worker.ts";
import { DONE, NEXT, type ReadAheadShared } from "./read-ahead-layout.ts";

/**
 * A list of small files read ahead, in order, by a second thread (read-ahead-worker.ts) into slots of shared
 * memory while this thread classifies them: their open/read/close (about a tenth of a folder of bounce
 * emails' CPU on one thread) move to the other core, and no second isolate repeats the classifier's warm-up
 * (a second process did: it cost more CPU than it saved). No message is sent per file: each slot says by an
 * index in shared memory which file it holds. This thread never waits for the reader, nor wakes it: a file
 * the reader has not read yet (it is starting, or descheduled on a busy machine) this thread opens itself,
 * and the reader, when it is ahead, sleeps in short naps (Atomics.notify and wait share one lock in V8: a
 * reader preempted holding it would stall this thread).
 */

/** Files held read ahead at most: more than this thread classifies during one of the reader's naps. */
const SLOTS = 64;

export class FilesReadAhead {
  /** Files whose bytes came from the reader, and files this thread opened itself. */
  readonly opened = { ahead: 0, here: 0 };
  private readonly shared: ReadAheadShared;
  private readonly worker: Worker;

  /**
   * `slotBytes`: the most bytes of a file read ahead; one that fills them is opened here (openWholeFile).
   * `streams`: paths the reader must never open (not regular files: see classifyWholeFiles); `slots`: how
   * many files it may hold read ahead (tests use a few).
   */
  constructor(
    paths: readonly string[],
    slotBytes: number,
    { streams = new Set(), slots = SLOTS }: { streams?: ReadonlySet<string>; slots?: number } = {},
  ) {
    this.shared = {
      paths,
      streams,
      control: new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)),
      slots: new Int32Array(new SharedArrayBuffer(2 * slots * Int32Array.BYTES_PER_ELEMENT)).fill(-1),
      bytes: new SharedArrayBuffer(slots * slotBytes),
      slotBytes,
    };
    this.worker = moduleWorker(import.meta.url, "read-ahead-worker", this.shared);
    // A reader that cannot start leaves every file to this thread; it never keeps the process alive.
    this.worker.on("error", () => this.stop());
    this.worker.unref();
  }

  /**
   * File `index` of the list opened as openWholeFile(path, scratch) opens it; its bytes (in a slot, or in
   * `scratch`) last until done(index). Files are opened in order, each after the one before is done.
   */
  open(index: number, scratch: Buffer): OpenedSource | null {
    const { paths, control, slots, bytes, slotBytes } = this.shared;
    const path = paths[index];
    const slotCount = slots.length / 2;
    const slot = index % slotCount;
    // Stdin is never read ahead (the reader would open a file named "-").
    if (path !== "-" && Atomics.load(slots, slot) === index) {
      const length = slots[slotCount + slot];
      // Unreadable there, or as long as the slot (maybe longer): opened here, so errors and big files are met
      // exactly as without the reader.
      if (length < 0 || length >= slotBytes) return this.openHere(path, scratch);
      this.opened.ahead++;
      return wholeFileRead(path, Buffer.from(bytes, slot * slotBytes, length));
    }
    // Not read yet: taken from the reader (it moves on to the next), or being read by it (its copy is then
    // left unused: a slot below DONE is free).
    Atomics.compareExchange(control, NEXT, index, index + 1);
    return this.openHere(path, scratch);
  }

  /** How many files either thread has taken so far (the reader's first are taken before this one starts). */
  get taken(): number {
    return Atomics.load(this.shared.control, NEXT);
  }

  /** This thread is done with file `index` (the next one it opens is index + 1): its slot is free again. */
  done(index: number): void {
    Atomics.store(this.shared.control, DONE, index + 1);
  }

  /** No more files are wanted: the reader stops taking them and ends. */
  stop(): void {
    const { paths, control } = this.shared;
    Atomics.store(control, NEXT, paths.length);
    Atomics.store(control, DONE, paths.length);
    Atomics.notify(control, DONE);
  }

  private openHere(path: string, scratch: Buffer): OpenedSource | null {
    this.opened.here++;
    return openWholeFile(path, scratch);
  }
}
