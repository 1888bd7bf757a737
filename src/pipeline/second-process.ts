import type { ChildProcess } from "node:child_process";
import type { Readable } from "node:stream";
import { topTierOn } from "./compiler-tier.ts";
import { type Frame, FrameReader, frame, RESULTS } from "./job-frames.ts";
import type { FirstFrame, JobsSetup } from "./jobs-process.ts";

/**
 * classify's second classifying process, seen from the first: started from classify's startup snapshot when
 * this process runs from it (its code loaded and warmed already, nothing to parse or compile), else from the
 * module (jobs-process.ts). This process gives it jobs — numbered in output order, each job to one process —
 * over its stdin and receives their results on a pipe of their own (RESULTS, frames: job-frames.ts). A
 * process that cannot start, or ends early, leaves the jobs it was given and did not return to this one
 * (lost()).
 */
export class SecondProcess<Result> {
  private readonly child: ChildProcess;
  private readonly reader = new FrameReader();
  /** Jobs given and not returned yet. */
  private readonly given = new Set<number>();
  private readonly results = new Map<number, Result>();
  private ended = false;
  private wake: (() => void) | null = null;
  /** Results received so far. */
  returned = 0;

  /**
   * `module`: the module of this folder it runs when it cannot start from the snapshot (tests give others);
   * `decode`: a job's result out of its frame.
   */
  constructor(setup: JobsSetup, decode: (result: Frame) => Result, module = "jobs-process") {
    const started = module === "jobs-process" ? takeAhead() : null;
    this.child = started?.child ?? startProcess(module);
    this.child.on("error", () => this.end());
    this.child.stdin?.on("error", () => {}); // gone: its jobs are lost() and done by this process
    if (started?.gone) this.end();
    const results = this.child.stdio[RESULTS] as Readable | null;
    results?.on("data", (chunk: Buffer) => {
      for (const done of this.reader.push(chunk)) {
        this.given.delete(done.job);
        this.results.set(done.job, decode(done));
        this.returned++;
      }
      this.wakeUp();
    });
    results?.on("close", () => this.end());
    // Compiled as this process is (compiler-tier.ts).
    const first: FirstFrame = { ...setup, topTier: topTierOn() };
    this.child.stdin?.write(frame(0, first));
  }

  /** Whether it can take another job (it has not ended, and holds fewer than `most` jobs). */
  canTake(most: number): boolean {
    return !this.ended && this.given.size < most;
  }

  /** Job `job` for it to do: `head` (JSON) and `rest` (bytes) are what it reads. */
  give(job: number, head: unknown, rest?: Buffer): void {
    this.given.add(job);
    this.child.stdin?.write(frame(job, head, rest));
  }

  /** How many jobs it holds (given, not returned yet). */
  get held(): number {
    return this.given.size;
  }

  /** Whether it has ended (or never started): it returns no more jobs. */
  get gone(): boolean {
    return this.ended;
  }

  /** Whether it ended with job `job` given and not returned: that job is for this process to do. */
  lost(job: number): boolean {
    return this.ended && this.given.has(job);
  }

  /** The results it has returned, into `ready`. */
  receive(ready: Map<number, Result>, count: () => void = () => {}): void {
    for (const [job, result] of this.results) {
      ready.set(job, result);
      count();
    }
    this.results.clear();
  }

  /** Waits until it returns another result or ends. */
  async next(): Promise<void> {
    if (this.results.size > 0 || this.ended) return;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }

  /**
   * No more jobs: resolves once it has ended (at once after its stdin ends, or killed when it still holds a
   * job nobody waits for), so no process outlives classify.
   */
  async stop(): Promise<void> {
    const exited = exitOf(this.child);
    this.child.stdin?.end();
    if (this.given.size > 0) this.child.kill("SIGKILL");
    this.end();
    await exited;
  }

  private end(): void {
    this.ended = true;
    this.wakeUp();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** A second process started ahead of its jobs (startAhead), until a SecondProcess takes it. */
let ahead: { child: ChildProcess; gone: boolean } | null = null;

/**
 * Starts the second process now, before its jobs are known (while classify still lists a folder's files), so
 * that it is ready when they are: its start (a Node process from the snapshot, ~50 ms) overlaps the listing.
 * The next SecondProcess of this module takes it; dropAhead() ends one nobody took.
 */
export function startAhead(): void {
  if (ahead !== null) return;
  const started = { child: startProcess("jobs-process"), gone: false };
  // Events before it is taken: an error or its end is remembered, not thrown.
  started.child.on("error", () => {
    started.gone = true;
  });
  (started.child.stdio[RESULTS] as Readable | null)?.on("close", () => {
    started.gone = true;
  });
  ahead = started;
}

/** Whether a second process started ahead waits to be taken. */
export function startedAhead(): boolean {
  return ahead !== null;
}

function takeAhead(): { child: ChildProcess; gone: boolean } | null {
  const started = ahead;
  ahead = null;
  return started;
}

/** Ends a second process started ahead that no job needed (a folder of fewer files than it takes). */
export async function dropAhead(): Promise<void> {
  const started = takeAhead();
  if (started === null) return;
  const { child } = started;
  const exited = exitOf(child);
  // With its stdin ended before any job, it ends at once.
  child.stdin?.on("error", () => {});
  child.stdin?.end();
  await exited;
}

/** Resolves once `child` has exited (at once when it already has, or never started). */
function exitOf(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) resolve();
    else child.on("exit", () => resolve());
  });
}

/**
 * Node options less the preloads given on this process's command line (`node --import hooks.ts …`: a test's
 * hooks, a probe; a relative one would not even resolve after a chdir). Those in NODE_OPTIONS still reach it.
 */
function withoutPreloads(options: readonly string[]): string[] {
  const kept: string[] = [];
  for (let at = 0; at < options.length; at++) {
    const preload = /^(?:--import|--require|-r|--loader|--experimental-loader)(=|$)/.exec(options[at]);
    if (preload === null) kept.push(options[at]);
    else if (preload[1] === "") at++; // its value is the next option
  }
  return kept;
}

/**
 * The second process: this one's Node, options and startup snapshot (`--snapshot-blob` among its options when
 * it runs from it) in the jobs mode (DELIVERLENS_JOBS_PROCESS), else the module `name` of this folder.
 */
function startProcess(name: string): ChildProcess {
  const fromSnapshot = process.execArgv.includes("--snapshot-blob") && name === "jobs-process";
  const extension = import.meta.url.endsWith(".ts") ? "ts" : "js";
  const entry = new URL(`./${name}.${extension}`, import.meta.url).href;
  const args = fromSnapshot
    ? process.execArgv
    : [
        ...withoutPreloads(process.execArgv),
        "--input-type=module",
        "-e",
        // It ends by itself once served (nothing is left open); from the snapshot, classify-snapshot.ts ends it.
        `await (await import(${JSON.stringify(entry)})).serveJobs();`,
      ];
  // Looked up when needed: classify's startup snapshot holds no state of these modules.
  const cache = process.getBuiltinModule("node:module").getCompileCacheDir?.();
  return process.getBuiltinModule("node:child_process").spawn(process.execPath, args, {
    stdio: ["pipe", "ignore", "inherit", "pipe"],
    env: {
      ...process.env,
      DELIVERLENS_JOBS_PROCESS: "1",
      ...(cache === undefined ? {} : { NODE_COMPILE_CACHE: cache }),
    },
  });
}
