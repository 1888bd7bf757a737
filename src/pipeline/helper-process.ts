import { type ChildProcess, spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { expandInputs, type WalkResult } from "../util/walk.ts";
import { freshArtifact } from "./build-cache.ts";
import type { TaskName } from "./classify-parallel.ts";
import type { ClassifyOptions } from "./classify-source.ts";

/**
 * The second process of `classify` (classify-helper.ts runs in it): a separate process, not a worker
 * thread, because it can start before this process has loaded its own modules. bin/deliverlens.js calls
 * startHelperEarly first thing: for a folder of many files it walks the folder, starts the helper and sends
 * it the first jobs, so the helper boots, loads its modules and works on the other core while this process
 * loads the CLI (which then takes the walk, takeEarlyWalk, and the helper with its jobs, takeHelper).
 */

/** Whether a second thread or process may be used at all (DELIVERLENS_THREADS=1 turns it off). */
export function threadsAllowed(): boolean {
  return process.env.DELIVERLENS_THREADS !== "1" && availableParallelism() > 1;
}

/** Below this many input files a second process does not pay for its start-up (~0.1 s of CPU). */
export const HELPER_MIN_FILES = 960;
/** Files per job: big enough that a message round trip is noise, small enough to balance the two cores. */
export const CHUNK_FILES = 48;
/** Jobs sent before the CLI has loaded: about what the helper does while this process loads it. */
const EARLY_JOBS = 4;

/** One job as sent to the helper: the options travel with it (the helper may start before they are known). */
export interface HelperRequest {
  task: TaskName;
  id: number;
  job: unknown;
  options: HelperOptions;
}
export type HelperOptions = { format: ClassifyOptions["format"]; all: boolean };

/** The helper process and its jobs in flight: each answer resolves its job's promise. */
/**
 * Jobs handed to another process or thread, each answered with its id: the job's promise settles with the
 * answer; when the other side stops or dies, every job still waiting fails (the caller then does it itself).
 */
export class Answers {
  alive = true;
  private readonly waiting = new Map<
    number,
    { resolve(result: unknown): void; reject(error: Error): void }
  >();
  private nextId = 0;

  /** A promise of the answer to the job `send` sends under the id it is given. */
  ask(send: (id: number) => void): Promise<unknown> {
    if (!this.alive) return Promise.reject(new Error("stopped"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      send(id);
    });
  }

  answer(message: { id: number; result: unknown }): void {
    this.waiting.get(message.id)?.resolve(message.result);
    this.waiting.delete(message.id);
  }

  fail(error: Error): void {
    this.alive = false;
    for (const entry of this.waiting.values()) entry.reject(error);
    this.waiting.clear();
  }
}

export class Helper {
  private readonly answers = new Answers();
  private readonly child: ChildProcess;

  constructor(child: ChildProcess) {
    this.child = child;
    if (!child.connected) this.answers.fail(new Error("helper not started"));
    child.on("message", (message: { id: number; result: unknown }) => this.answers.answer(message));
    child.on("error", (error) => this.answers.fail(error));
    child.on("exit", () => this.answers.fail(new Error("helper exited")));
  }

  get alive(): boolean {
    return this.answers.alive;
  }

  /** The job's result; rejected if the helper stops or dies first. */
  run(task: TaskName, job: unknown, options: HelperOptions): Promise<unknown> {
    return this.answers.ask((id) => {
      const request: HelperRequest = { task, id, job, options };
      this.child.send(request, (error) => {
        if (error) this.answers.fail(error);
      });
    });
  }

  /** Whether it keeps this process running (false while started early and not yet taken). */
  keepsAlive(yes: boolean): void {
    if (yes) this.child.ref();
    else this.child.unref();
    if (yes) this.child.channel?.ref();
    else this.child.channel?.unref();
  }

  /**
   * No more jobs: the helper ends by itself. Its exit is not awaited here (the last output is written while it
   * tears down), but a taken helper keeps this process alive until it has exited and been reaped, so its CPU
   * time still counts in this process's children (time(1), the benchmarks).
   */
  stop(): void {
    this.answers.alive = false;
    if (this.child.connected) this.child.disconnect();
  }
}

/** A job sent before the run knew its jobs: the run adopts it if its own job at that place is the same. */
export interface EarlyJob {
  job: string[];
  options: HelperOptions;
  result: Promise<unknown>;
}

let early: { helper: Helper; jobs: EarlyJob[] } | null = null;
let earlyWalk: { args: string[]; walk: WalkResult } | null = null;

/**
 * `classify`'s arguments (after the command name): when they are likely to give the helper work — at least
 * HELPER_MIN_FILES files with JSON output — start it now, not keeping this process
 * alive until taken (releaseHelper ends it if no run does). A guess: the run decides on its real inputs
 * (classify-parallel.ts), and starts a helper then if none was.
 */
export function startHelperEarly(args: readonly string[]): void {
  if (early !== null || !threadsAllowed()) return;
  // Started as soon as the walk has found enough files: it boots while the rest of a big tree is walked.
  const plan = earlyPlan(args, () => early ?? startEarly());
  if (plan.walked) earlyWalk = plan.walked;
  if (!plan.start) return;
  const started = early ?? startEarly();
  const paths = plan.walked?.walk.files ?? [];
  if (!plan.sendJobs) return;
  const options: HelperOptions = { format: null, all: args.includes("--all") };
  for (let at = 0; at < EARLY_JOBS * CHUNK_FILES && at < paths.length; at += CHUNK_FILES) {
    const job = paths.slice(at, at + CHUNK_FILES);
    const result = started.helper.run("files", job, options);
    result.catch(() => undefined); // a helper that dies is seen by the run (its jobs are done here)
    started.jobs.push({ job, options, result });
  }
}

/**
 * What startHelperEarly does for these arguments: walk the file arguments (JSON output: the run's files are
 * sent to the helper only then), start the helper and send it the first jobs when they are enough files.
 * `enough` is called once, during the walk, as soon as it has found that many (then `start` is true).
 */
export function earlyPlan(
  args: readonly string[],
  enough?: () => void,
): {
  walked: { args: string[]; walk: WalkResult } | null;
  start: boolean;
  sendJobs: boolean;
} {
  const files = positionalArgs(args);
  if (files === null) return { walked: null, start: false, sendJobs: false };
  if (files.length > 0 && (args.includes("--json") || args.includes("--ndjson"))) {
    let told = false;
    const walked = {
      args: files,
      walk: expandInputs(files, (count) => {
        if (told || count < HELPER_MIN_FILES) return;
        told = true;
        enough?.();
      }),
    };
    if (walked.walk.files.length >= HELPER_MIN_FILES) {
      // A forced format is the run's to pass on: its jobs are then sent by the run itself.
      return { walked, start: true, sendJobs: !args.some((arg) => arg.startsWith("--format")) };
    }
    return { walked, start: false, sendJobs: false };
  }
  return { walked: null, start: false, sendJobs: false };
}

function startEarly(): { helper: Helper; jobs: EarlyJob[] } {
  const helper = new Helper(spawnHelper());
  helper.keepsAlive(false);
  early = { helper, jobs: [] };
  return early;
}

/** classify's options that take a value (see src/cli/commands/classify.ts). */
const VALUE_OPTIONS = ["--text", "--format"];
const FLAG_OPTIONS = ["--all", "--json", "--ndjson"];

/** The file arguments, as the CLI will see them; null on anything this does not know (left to the CLI). */
function positionalArgs(args: readonly string[]): string[] | null {
  const files: string[] = [];
  for (let at = 0; at < args.length; at++) {
    const arg = args[at];
    if (VALUE_OPTIONS.includes(arg)) at++;
    else if (VALUE_OPTIONS.some((option) => arg.startsWith(`${option}=`)) || FLAG_OPTIONS.includes(arg))
      continue;
    else if (arg.startsWith("-") && arg !== "-") return null;
    else files.push(arg);
  }
  return files;
}

/** The walk of these file arguments if startHelperEarly did it (once), else null. */
export function takeEarlyWalk(args: readonly string[]): WalkResult | null {
  const walked = earlyWalk;
  earlyWalk = null;
  if (walked === null || walked.args.length !== args.length) return null;
  return walked.args.every((arg, at) => arg === args[at]) ? walked.walk : null;
}

/** The helper for this run, with the jobs sent to it early: the one started early, else a new one. */
export function takeHelper(): { helper: Helper; jobs: EarlyJob[] } {
  const taken = early ?? { helper: new Helper(spawnHelper()), jobs: [] };
  early = null;
  taken.helper.keepsAlive(true);
  return taken;
}

/** Ends a helper started early that no run took (few files, or none were email). */
export function releaseHelper(): void {
  early?.helper.stop();
  early = null;
  earlyWalk = null;
}

function spawnHelper(): ChildProcess {
  // Its jobs are small files, bounce emails mostly: there V8's top tier costs more CPU than it saves (see the
  // CLI's classify.ts), and the flag must be set before any module compiles.
  return spawn(process.execPath, ["--no-turbofan", ...helperBoot(freshArtifact("helper"))], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    serialization: "advanced",
  });
}

/** How the helper starts: from its startup snapshot when one is fresh (build-cache.ts), else its modules. */
export function helperBoot(snapshot: string | null): string[] {
  if (snapshot !== null) return ["--snapshot-blob", snapshot];
  const extension = import.meta.url.endsWith(".ts") ? "ts" : "js";
  const entry = new URL(`./classify-helper.${extension}`, import.meta.url).href;
  // The disk compile cache is turned on before the helper's first module loads (as bin/deliverlens.js does).
  return ["--eval", `require("node:module").enableCompileCache?.(); import(${JSON.stringify(entry)});`];
}
