import type { Worker } from "node:worker_threads";
import { type OpenedSource, openWholeFile, wholeFileRead } from "../events/input.ts";
import { moduleWorker } from "../util/module-worker.ts";
import { DONE, NEXT, type ReadAheadShared } from "./read-ahead-layout.ts";

/**
 * A list of small files read ahead, in order, by a second thread (read-ahead-worker.ts) into slots of shared
 * memory while this thread classifies them: their open/read/close (about a tenth of a folder of bounce
 * emails' CPU on one thread) move to the other core, and no second isolate repeats the classifier's warm-up
 * (a second process did: it cost more CPU than it saved). No message is sent per file: each slot says by an
 * index in shared memory which file it holds. This thread never waits long for the reader: a file the reader
 * has not taken yet it opens itself, and one the reader is still reading after WAIT_MS (descheduled, on a
 * busy machine) too.
 */

/** Files held read ahead at most: enough for the reader to run on while this thread is descheduled. */
const SLOTS = 32;
/** How long this thread waits for a file the reader has taken before reading it too (a read takes ~10 µs). */
const WAIT_MS = 0.5;

export class FilesReadAhead {
  /** Files whose bytes came from the reader, and files this thread opened itself. */
  readonly opened = { ahead: 0, here: 0 };
  private readonly shared: ReadAheadShared;
  private readonly worker: Worker;

  /** `slotBytes`: the most bytes of a file read ahead; one that fills them is opened here (openWholeFile). */
  constructor(paths: readonly string[], slotBytes: number) {
    this.shared = {
      paths,
      control: new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)),
      slots: new Int32Array(new SharedArrayBuffer(2 * SLOTS * Int32Array.BYTES_PER_ELEMENT)).fill(-1),
      bytes: new SharedArrayBuffer(SLOTS * slotBytes),
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
    const slot = index % SLOTS;
    let waited = false;
    for (;;) {
      if (Atomics.load(slots, slot) === index) {
        const length = slots[SLOTS + slot];
        // Unreadable there, or as long as the slot (maybe longer): opened here, so errors and big files
        // are met exactly as without the reader.
        if (length < 0 || length >= slotBytes) return this.openHere(path, scratch);
        this.opened.ahead++;
        return wholeFileRead(path, Buffer.from(bytes, slot * slotBytes, length));
      }
      if (waited || Atomics.compareExchange(control, NEXT, index, index + 1) === index) {
        return this.openHere(path, scratch);
      }
      // The reader has taken it and is reading it (or was descheduled doing so): wait once, briefly.
      Atomics.wait(slots, slot, Atomics.load(slots, slot), WAIT_MS);
      waited = true;
    }
  }

  /** This thread is done with file `index` (the next one it opens is index + 1): its slot is free again. */
  done(index: number): void {
    const { control } = this.shared;
    Atomics.store(control, DONE, index + 1);
    // A reader waiting for slots is woken once per half of them, not once per file.
    if (index % (SLOTS / 2) === SLOTS / 2 - 1) Atomics.notify(control, DONE);
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
