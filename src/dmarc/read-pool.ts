import { availableParallelism, getPriority, setPriority } from "node:os";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import { type PreparedReading, prepareReading } from "./prepare.ts";
import { type ReportReading, readReportFile, readReportMessage, routeFile } from "./read.ts";
import type { Report } from "./types.ts";

/**
 * Reading many report files on worker threads: each file is read, validated whole and prepared to store
 * (src/dmarc/prepare.ts) on a reader thread, and the readings come back in input order as strings and
 * small objects (cheap to pass between threads), while this thread deduplicates and writes the batches.
 * Few files, or one core, are read here (a thread costs more to start than a few reports to read).
 */

/** An input of the reports reader: a file, or a message held in memory with the label it is known by. */
export type ReportInput = string | { label: string; raw: Buffer };

/** Files below this count are read on this thread. */
const MIN_FILES_FOR_THREADS = 64;
/** Files in flight per reader thread (bounds memory: each holds one file's prepared rows). */
const AHEAD_PER_THREAD = 8;
/**
 * Readings done and not yet taken, at most: the readers go on while this thread waits for a batch to be
 * written (they stopped after AHEAD_PER_THREAD files each, leaving a core idle while DuckDB wrote).
 */
const MAX_READY = 4096;
const MAX_READY_BYTES = 64 * 1024 * 1024;

/**
 * One input read and prepared; never throws (a failure is the reading's problem). With `route`, a file is
 * first checked (reportRoute): one that is no report comes back unread, its `route` null.
 */
export async function readPrepared(input: ReportInput, route = false): Promise<PreparedReading> {
  const path = typeof input === "string" ? input : input.label;
  let routed: ReturnType<typeof routeFile> | null = null;
  if (typeof input === "string" && route) {
    try {
      routed = routeFile(input);
    } catch {
      routed = null;
    }
    // A file that cannot be opened is no report either: the log readers say why.
    if (!routed?.route) return { path, route: null, reports: [], problems: [], notes: [] };
  }
  const reading: ReportReading = await (routed
    ? routed.read()
    : typeof input === "string"
      ? readReportFile(input)
      : readReportMessage(input.raw, input.label)
  ).catch((error: unknown) => ({
    path,
    reports: [] as Report[],
    problems: [{ part: "", reason: "unreadable", message: errorMessage(error) }],
    notes: [] as string[],
  }));
  const prepared = prepareReading(reading);
  if (routed) prepared.route = routed.route;
  return prepared;
}

function errorMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${code}: ${message.split("\n", 1)[0]}` : message.split("\n", 1)[0];
}

export interface ReadPoolOptions {
  /** Reader threads (default: the cores, at most 4; 0 reads on this thread). */
  threads?: number;
  /**
   * The files may be anything (`ingest`'s inputs): each is checked on the reader threads, which start at
   * once instead of after every file was checked here, and one that is no report is not read (its
   * reading's `route` says so).
   */
  route?: boolean;
  /** Called when a reading is done, with how many are done and not yet taken (for tests). */
  onReady?: (ready: number) => void;
}

function threadsFor(files: number, options: ReadPoolOptions): number {
  return files < MIN_FILES_FOR_THREADS ? 0 : (options.threads ?? Math.min(4, availableParallelism()));
}

/**
 * Whether reading about `files` files starts reader threads (warmReaders, readAllPrepared): one thread or
 * none reads them here.
 */
export function startsReaderThreads(files: number, options: ReadPoolOptions = {}): boolean {
  return threadsFor(files, options) > 1;
}

/** Reader threads started ahead (warmReaders), not yet taken by readAllPrepared. */
let warm: Reader[] | null = null;

/**
 * Starts the reader threads the next readAllPrepared of about `files` files will take, so they load their
 * modules while this thread does other work first (opening the store, looking at the inputs). Left
 * unused, they do not keep the process alive.
 */
export function warmReaders(files: number, options: ReadPoolOptions = {}): void {
  if (startsReaderThreads(files, options) && !warm)
    warm = Array.from({ length: threadsFor(files, options) }, () => startReader(true));
}

function takeWarm(threads: number): Reader[] | null {
  const workers = warm?.length === threads && warm.every((worker) => worker.alive) ? warm : null;
  if (warm && !workers) for (const worker of warm) void worker.stop();
  warm = null;
  return workers;
}

/** The inputs' prepared readings, in input order. */
export async function* readAllPrepared(
  inputs: readonly ReportInput[],
  options: ReadPoolOptions = {},
): AsyncGenerator<PreparedReading> {
  // Messages held in memory (dmarc fetch) are read here; only files go to the reader threads.
  const files = inputs.filter((input) => typeof input === "string").length;
  const threads = threadsFor(files, options);
  if (!startsReaderThreads(files, options)) {
    for (const input of inputs) yield await readPrepared(input, options.route);
    return;
  }
  const workers = takeWarm(threads) ?? Array.from({ length: threads }, () => startReader());
  for (const worker of workers) worker.ref();
  const route = options.route ?? false;
  try {
    const pending: Promise<PreparedReading>[] = [];
    let next = 0;
    let inFlight = 0;
    let ready = 0;
    let readyBytes = 0;
    const fill = () => {
      while (
        next < inputs.length &&
        inFlight < threads * AHEAD_PER_THREAD &&
        ready < MAX_READY &&
        readyBytes < MAX_READY_BYTES
      ) {
        const input = inputs[next];
        const worker = workers[next % threads];
        next++;
        inFlight++;
        const reading =
          typeof input === "string" && worker.alive
            ? worker.read(input, route).catch(() => readPrepared(input, route))
            : readPrepared(input, route);
        pending.push(
          reading.then((done) => {
            inFlight--;
            ready++;
            readyBytes += bytesOf(done);
            options.onReady?.(ready);
            fill();
            return done;
          }),
        );
      }
    };
    fill();
    while (pending.length > 0) {
      const reading = await (pending.shift() as Promise<PreparedReading>);
      ready--;
      readyBytes -= bytesOf(reading);
      fill();
      yield reading;
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    unsizeLaterHeaps();
  }
}

/** What a reading holds in memory, roughly: its rows' CSV bytes and a kilobyte a report. */
function bytesOf(reading: PreparedReading): number {
  let bytes = 1024;
  for (const report of reading.reports)
    bytes += 1024 + (report.kind === "dmarc-aggregate" ? report.stored.rowsCsv.byteLength : 0);
  return bytes;
}

interface Reader {
  alive: boolean;
  read(path: string, route: boolean): Promise<PreparedReading>;
  /** Keeps the process alive while it runs (a warm thread does not until it is taken). */
  ref(): void;
  stop(): Promise<void>;
}

/**
 * The young generation a reader thread's heap starts with (V8's semi-space, MB). A reader makes short-lived
 * strings and records at a high rate while the records of a large report stay alive until it is prepared:
 * from V8's default start (1 MB, grown slowly) it scavenged twice as often, copying the same live records
 * each time (2,000 bench reports read on one thread: 59–63 scavenges, 620–708 ms of pauses; from 16 MB,
 * 31 and 345 ms; notes/dmarc.md). V8's flags hold for the whole process: they are set once, before the
 * first reader's heap is made (isolates made later get it too).
 */
const READER_SEMI_SPACE_MB = 16;
/**
 * The old generation a reader thread's heap starts with (MB): from V8's default (a limit set from the few
 * MB alive after each collection) a reader ran 17–20 full collections over 5,000 reports, most of their
 * marking on V8's helper threads; from 128 MB, 3 (10,000 bench reports: V8 helper threads 1.12–1.48 →
 * 0.92 CPU-s, peak RSS 626 → 683 MB; notes/dmarc.md).
 */
const READER_OLD_SPACE_MB = 128;
let heapSet = false;

function sizeReaderHeaps(): void {
  if (heapSet) return;
  heapSet = true;
  setFlagsFromString(`--min-semi-space-size=${READER_SEMI_SPACE_MB}`);
  setFlagsFromString(`--initial-old-space-size=${READER_OLD_SPACE_MB}`);
}

/**
 * Once the readers' heaps are made (they have stopped): threads started later — a log ingest's after the
 * reports — start with V8's own old generation again, not the readers' (their memory budget is theirs).
 */
function unsizeLaterHeaps(): void {
  if (!heapSet) return;
  heapSet = false;
  setFlagsFromString("--initial-old-space-size=0");
}

/**
 * How much lower (nice value) a reader thread runs than the rest of the process. The store's writer, one
 * DuckDB thread, is the serial chain of an ingest: at the readers' priority it got a third of 2 cores,
 * fell a batch behind and wrote it alone after the readers were done (10,000 bench reports: 0.5 CPU-s
 * of DuckDB after the last file was read; lowered, 0.1–0.3; notes/dmarc.md). Lowered, the readers take
 * the CPU the writer leaves, and a lone core at the end has only the last batch to write.
 */
const READER_NICENESS = 5;

/**
 * Called on a reader thread as it starts. On Linux the nice value is a thread's own (setpriority(2) with
 * pid 0: the calling thread, https://man7.org/linux/man-pages/man2/setpriority.2.html); elsewhere the
 * same call would lower the whole process, writer included, for nothing: there it is left as it is.
 */
export function lowerReaderPriority(): void {
  if (process.platform !== "linux") return;
  try {
    setPriority(Math.min(19, getPriority() + READER_NICENESS));
  } catch {
    // Not allowed here (a sandbox): the reader runs as the rest of the process.
  }
}

function startReader(unref = false): Reader {
  sizeReaderHeaps();
  const extension = import.meta.url.endsWith(".ts") ? "ts" : "js";
  const worker = new Worker(new URL(`./read-worker.${extension}`, import.meta.url));
  if (unref) worker.unref();
  const waiting = new Map<number, { resolve(result: PreparedReading): void; reject(error: Error): void }>();
  let id = 0;
  const reader: Reader = {
    alive: true,
    read(path, route) {
      if (!reader.alive) return Promise.reject(new Error("reader thread stopped"));
      return new Promise((resolve, reject) => {
        const job = id++;
        waiting.set(job, { resolve, reject });
        worker.postMessage({ id: job, path, route });
      });
    },
    ref() {
      worker.ref();
    },
    async stop() {
      reader.alive = false;
      await worker.terminate();
    },
  };
  worker.on("message", (message: { id: number; result: PreparedReading }) => {
    waiting.get(message.id)?.resolve(message.result);
    waiting.delete(message.id);
  });
  // A thread that dies hands its files back: they are read on this thread instead.
  const fail = (error: Error) => {
    reader.alive = false;
    for (const entry of waiting.values()) entry.reject(error);
    waiting.clear();
  };
  worker.on("error", fail);
  worker.on("exit", () => fail(new Error("reader thread exited")));
  return reader;
}
