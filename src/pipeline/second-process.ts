import type { ChildProcess } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { adoptShared, keptToShare, type SharedClassification, shareKept } from "../bounce/classify.ts";
import { topTierOn } from "./compiler-tier.ts";
import {
  type Frame,
  FrameReader,
  frame,
  onFirstBytes,
  RESULTS,
  SHARED_REPLIES,
  sameBytes,
  secretFrame,
} from "./job-frames.ts";
import type { FirstFrame, JobsSetup } from "./jobs-process.ts";

/**
 * classify's second classifying process, seen from the first: started from classify's startup snapshot when
 * this process runs from it (its code loaded and warmed already, nothing to parse or compile), else from the
 * module (jobs-process.ts). This process gives it jobs — numbered in output order, each job to one process —
 * over its stdin and receives their results on a pipe of their own (RESULTS, frames: job-frames.ts). A
 * process that cannot start, or ends early, leaves the jobs it was given and did not return to this one
 * (lost()). Each sends the other the replies it has classified (their memo entries: SHARED_REPLIES frames, before
 * a job or a result), so that neither classifies a reply the other has (~60 µs each, more while code is cold).
 */
export class SecondProcess<Result> {
  private readonly child: Channel;
  private readonly reader = new FrameReader();
  /** Jobs given and not returned yet. */
  private readonly given = new Set<number>();
  private readonly results = new Map<number, Result>();
  private ended = false;
  /** Whether its jobs have ended (noMoreJobs): it takes no other. */
  private closed = false;
  private wake: (() => void) | null = null;
  /** Results received so far. */
  returned = 0;

  /**
   * `module`: the module of this folder it runs when it cannot start from the snapshot (tests give others);
   * `decode`: a job's result out of its frame.
   */
  constructor(setup: JobsSetup, decode: (result: Frame) => Result, module = "jobs-process") {
    const started = module === "jobs-process" ? takeAhead() : null;
    this.child = started?.child ?? channelOf(startProcess(module));
    this.child.onError(() => this.end());
    this.child.jobs?.on("error", () => {}); // gone: its jobs are lost() and done by this process
    if (started?.gone) this.end();
    const results = this.child.results;
    shareKept();
    results?.on("data", (chunk: Buffer) => {
      for (const done of this.reader.push(chunk)) {
        if (done.job === SHARED_REPLIES) {
          adoptShared(done.head as SharedClassification[]);
          continue;
        }
        this.given.delete(done.job);
        this.results.set(done.job, decode(done));
        this.returned++;
      }
      this.wakeUp();
    });
    results?.on("close", () => this.end());
    // Compiled as this process is (compiler-tier.ts).
    const first: FirstFrame = { ...setup, topTier: topTierOn() };
    this.child.jobs?.write(frame(0, first));
  }

  /** Whether it can take another job (it has not ended, and holds fewer than `most` jobs). */
  canTake(most: number): boolean {
    return !this.ended && !this.closed && this.given.size < most;
  }

  /**
   * No other job will be given: its jobs end now, so it ends once it has returned those it holds, while this
   * process does its own last ones, instead of after them (stop() then waits for an exit made already).
   */
  noMoreJobs(): void {
    if (this.closed) return;
    this.closed = true;
    this.child.jobs?.end();
  }

  /** Job `job` for it to do: `head` (JSON) and `rest` (bytes) are what it reads. */
  give(job: number, head: unknown, rest?: Buffer): void {
    this.given.add(job);
    const shared = keptToShare();
    if (shared.length > 0) this.child.jobs?.write(frame(SHARED_REPLIES, shared));
    this.child.jobs?.write(frame(job, head, rest));
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
    const exited = this.child.exited();
    this.child.jobs?.end();
    if (this.given.size > 0) this.child.kill();
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

/**
 * What a SecondProcess uses of its process: where its jobs go, where their results come from (null: it never
 * started), what opens the first frame, and how it ends.
 */
interface Channel {
  readonly jobs: Writable | null;
  readonly results: Readable | null;
  /** Calls `failed` when it cannot start or fails. */
  onError(failed: () => void): void;
  /** Ends it at once. */
  kill(): void;
  /** Resolves once it has ended (at once when it has, or never started). */
  exited(): Promise<void>;
}

function channelOf(child: ChildProcess): Channel {
  return {
    jobs: child.stdin,
    results: child.stdio[RESULTS] as Readable | null,
    onError: (failed) => child.on("error", failed),
    kill: () => child.kill("SIGKILL"),
    exited: () => exitOf(child),
  };
}

/**
 * classify's second process when bin/ started it before this one (bin/deliverlens.js startJobsAhead: this process
 * was execve'd, so it is still its parent, with no handle on it): its pid, the abstract Unix socket it listens on,
 * the token the connection opens with and the proof it answers with (jobs-process.ts serveJobsOnSocket).
 * adoptStartedAhead() takes it from the environment.
 */
let fromBin: StartedByBin | null = null;

interface StartedByBin {
  pid: number;
  name: string;
  token: string;
  proof: string;
}

/**
 * Takes the second process bin/ started (DELIVERLENS_JOBS_AHEAD), out of the environment too, so no process this
 * one starts sees it; startAhead() connects to it. Called at the start of a process started from the snapshot.
 */
export function adoptStartedAhead(): void {
  const told = process.env.DELIVERLENS_JOBS_AHEAD;
  if (told === undefined) return;
  delete process.env.DELIVERLENS_JOBS_AHEAD;
  const [pid, name, token, proof] = told.split(" ");
  if (!/^[1-9]\d*$/.test(pid) || name === undefined || token === undefined || proof === undefined) return;
  fromBin = { pid: Number(pid), name, token, proof };
  // Whichever way this process ends (an error, a usage message, a signal it handles), that one ends too: it may
  // not be listening yet, or not have read the end of its connection yet. (A process that has ended stays a
  // zombie until this one ends: its pid is never another process's.)
  process.once("exit", () => kill(Number(pid)));
}

/**
 * Ends process `pid` at once when it is this one's child (a pid from the environment may be stale, or bin/'s child
 * when bin/ could not execve: review R53); nothing when it has ended.
 */
function kill(pid: number): void {
  if (childStat(pid) === null) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // gone already
  }
}

/** How often, and how many times, a connection to bin/'s process is tried again while it is not listening yet. */
const CONNECT_RETRY_MS = 2;
const CONNECT_TRIES = 1000;
/** How often, while the answer to its opening has not come, the connection checks that bin/'s process runs. */
const ANSWER_CHECK_MS = 10;

/**
 * A channel to bin/'s process: connected now, tried again while it does not listen yet (it may be still starting)
 * and runs, given up after CONNECT_TRIES (it is killed then, and the channel fails: its jobs are done here). The
 * connection opens with the token's frame and is used once answered with the proof's: another process may have
 * taken the name only after bin/'s had ended (it holds the name while it runs), so until the answer comes, its end
 * fails the channel too. Jobs written before wait in `jobs`; `results` ends when the connection does.
 */
function connectTo({ pid, name, token, proof }: StartedByBin): Channel {
  const { PassThrough } = process.getBuiltinModule("node:stream") as typeof import("node:stream");
  const { connect } = process.getBuiltinModule("node:net");
  const jobs = new PassThrough();
  const results = new PassThrough();
  let failed: (() => void) | null = null;
  let fail = false;
  let ended = false;
  let ending = () => {};
  const end = new Promise<void>((resolve) => {
    ending = resolve;
  });
  const close = () => {
    ended = true;
    if (!results.writableEnded) results.end();
    ending();
  };
  const attempt = (tries: number) => {
    const socket = connect(`\0${name}`);
    let opened = false;
    let answered = false;
    socket.on("error", () => {});
    socket.once("connect", () => {
      opened = true;
      socket.write(secretFrame(token));
      const answer = secretFrame(proof);
      const watch = setInterval(() => {
        if (!running(pid)) socket.destroy();
      }, ANSWER_CHECK_MS);
      socket.once("close", () => clearInterval(watch));
      onFirstBytes(socket, answer.length, (head, rest) => {
        clearInterval(watch);
        if (!sameBytes(head, answer)) {
          socket.destroy();
          return;
        }
        answered = true;
        if (rest.length > 0) results.write(rest);
        socket.pipe(results, { end: false });
        jobs.pipe(socket);
      });
    });
    socket.once("close", () => {
      if (answered) close();
      else if (!opened && tries < CONNECT_TRIES && running(pid))
        setTimeout(() => attempt(tries + 1), CONNECT_RETRY_MS);
      else {
        kill(pid);
        fail = true;
        failed?.();
        close();
      }
    });
  };
  attempt(1);
  return {
    jobs,
    results,
    onError: (then) => {
      failed = then;
      if (fail) then();
    },
    kill: () => kill(pid),
    exited: () => (ended ? Promise.resolve() : end).then(() => endOf(pid)),
  };
}

/**
 * Resolves once process `pid`, whose connection has closed, has ended too (it does at once: it was exiting), as
 * exitOf() waits for a child process's exit: no process outlives classify. Checked every millisecond, at most
 * ENDING_CHECKS times: killed then.
 */
async function endOf(pid: number): Promise<void> {
  for (let checks = 0; checks < ENDING_CHECKS && running(pid); checks++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  kill(pid);
}

const ENDING_CHECKS = 2000;

/**
 * Whether process `pid` is this one's child and runs (has not ended: a child that has is a zombie until this one
 * ends, so its pid is never another process's meanwhile).
 */
function running(pid: number): boolean {
  const state = childStat(pid);
  return state !== null && !/^[ZX]/.test(state);
}

/** /proc/PID/stat from its state field on, when process `pid` is this one's child; else null. */
function childStat(pid: number): string | null {
  try {
    const stat = process.getBuiltinModule("node:fs").readFileSync(`/proc/${pid}/stat`, "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2);
    return fields.split(" ", 2)[1] === String(process.pid) ? fields : null;
  } catch {
    return null;
  }
}

/** A second process started ahead of its jobs (startAhead), until a SecondProcess takes it. */
let ahead: { child: Channel; gone: boolean } | null = null;

/**
 * Starts the second process now, before its jobs are known (while classify still lists a folder's files), so
 * that it is ready when they are: its start (a Node process from the snapshot, ~50 ms) overlaps the listing.
 * The next SecondProcess of this module takes it; dropAhead() ends one nobody took.
 */
export function startAhead(): void {
  if (ahead !== null) return;
  const byBin = fromBin;
  fromBin = null;
  const started = {
    child: byBin === null ? channelOf(startProcess("jobs-process")) : connectTo(byBin),
    gone: false,
  };
  // Events before it is taken: an error or its end is remembered, not thrown.
  started.child.onError(() => {
    started.gone = true;
  });
  started.child.results?.on("close", () => {
    started.gone = true;
  });
  ahead = started;
}

/** Whether bin/ started a second process ahead that startAhead() has not connected to yet. */
export function startedByBin(): boolean {
  return fromBin !== null;
}

/**
 * Ends a second process started ahead at once (the walk found too few files for it), left for dropAhead() to
 * wait for.
 */
export function killAhead(): void {
  ahead?.child.kill();
}

/** Whether a second process started ahead waits to be taken. */
export function startedAhead(): boolean {
  return ahead !== null;
}

function takeAhead(): { child: Channel; gone: boolean } | null {
  const started = ahead;
  ahead = null;
  return started;
}

/** Ends a second process started ahead that no job needed (a folder of fewer files than it takes). */
export async function dropAhead(): Promise<void> {
  dropStartedByBin();
  const started = takeAhead();
  if (started === null) return;
  const { child } = started;
  const exited = child.exited();
  // With its stdin ended before any job, it ends at once.
  child.jobs?.on("error", () => {});
  child.jobs?.end();
  await exited;
}

/**
 * Ends the process bin/ started when no startAhead() took it (classify's walk found fewer files than it takes, or
 * the run needs none).
 */
export function dropStartedByBin(): void {
  if (fromBin === null) return;
  kill(fromBin.pid);
  fromBin = null;
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
 * hooks, a probe; a relative one would not even resolve after a chdir) and the test runner's own (`--test`,
 * `--test-isolation=none`: a runner that ran test files in this process; with `-e` Node refuses `--test`).
 * Those in NODE_OPTIONS still reach it.
 */
export function childNodeOptions(options: readonly string[]): string[] {
  const kept: string[] = [];
  for (let at = 0; at < options.length; at++) {
    const preload = /^(?:--import|--require|-r|--loader|--experimental-loader)(=|$)/.exec(options[at]);
    const test = /^--test(?:$|-[^=]*(=)?)/.exec(options[at]);
    if (test) {
      // `--test-concurrency 2`: a value in the next word (execArgv holds options only, all starting with `-`).
      if (test[0] !== "--test" && test[1] === undefined && !options[at + 1]?.startsWith("-")) at++;
      continue;
    }
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
        ...childNodeOptions(process.execArgv),
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
