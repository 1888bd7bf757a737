import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { WHOLE_FILE_BYTES } from "../events/input.ts";

/**
 * The second process of `classify` (classify-helper.ts runs in it): a separate process, not a worker
 * thread, because it can start before this process has loaded its own modules — bin/deliverlens.js calls
 * startHelperEarly first thing, so the helper's start-up (Node, then its modules) runs on the other core
 * while this one loads the CLI — and because a process's boot is Node's startup snapshot, cheaper than a
 * worker thread's. classify-parallel.ts takes it (takeHelper) when a run has enough jobs for two.
 */

/** Whether a second thread or process may be used at all (DELIVERLENS_THREADS=1 turns it off). */
export function threadsAllowed(): boolean {
  return process.env.DELIVERLENS_THREADS !== "1" && availableParallelism() > 1;
}

/** Below this many input files a second process does not pay for its start-up (~0.1 s of CPU). */
export const HELPER_MIN_FILES = 960;
/** Directories looked into, at most, to tell whether an input holds HELPER_MIN_FILES files. */
const DIRECTORIES_LOOKED_AT = 200;

let early: ChildProcess | null = null;

/**
 * `classify`'s arguments: when they are likely to give the helper work — a directory of many files, an mbox
 * read in chunks — start it now, unreferenced (it keeps nothing alive until taken; releaseHelper ends it).
 * A guess: the run decides on the real inputs (classify-parallel.ts), and starts a helper then if none is.
 */
export function startHelperEarly(args: readonly string[]): void {
  if (early !== null || !threadsAllowed() || !helperLikely(args)) return;
  early = spawnHelper();
  early.unref();
  early.channel?.unref();
}

export function helperLikely(args: readonly string[]): boolean {
  // Many small files go to the helper only for JSON output (the text output is written as records come).
  const json = args.includes("--json") || args.includes("--ndjson");
  let files = 0;
  for (const arg of args) {
    if (arg.startsWith("-")) continue;
    try {
      const stat = statSync(arg);
      if (stat.isFile()) {
        if (stat.size > WHOLE_FILE_BYTES && startsWithFromLine(arg)) return true;
        if (json) files++;
      } else if (stat.isDirectory() && json) files += filesBelow(arg, HELPER_MIN_FILES - files);
    } catch {
      // reported when the input is read
    }
    if (files >= HELPER_MIN_FILES) return true;
  }
  return false;
}

/** Regular files below a directory, counted up to `enough` (symbolic links are not followed). */
function filesBelow(root: string, enough: number): number {
  let files = 0;
  const pending = [root];
  for (let looked = 0; looked < DIRECTORIES_LOOKED_AT && pending.length > 0 && files < enough; looked++) {
    const dir = pending.pop() as string;
    try {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isFile()) files++;
        else if (entry.isDirectory()) pending.push(join(dir, entry.name));
      }
    } catch {
      // reported when the input is read
    }
  }
  return files;
}

/** An mbox starts with a `From ` line (a big log does not: its reader has threads of its own). */
function startsWithFromLine(path: string): boolean {
  const head = Buffer.alloc(5);
  const fd = openSync(path, "r");
  try {
    return readSync(fd, head, 0, 5, 0) === 5 && head.toString("latin1") === "From ";
  } finally {
    closeSync(fd);
  }
}

/** The helper process for this run: the one started early, else a new one. */
export function takeHelper(): ChildProcess {
  const helper = early ?? spawnHelper();
  early = null;
  helper.ref();
  helper.channel?.ref();
  return helper;
}

/** Ends a helper started early that no run took (few files, or none were email). */
export function releaseHelper(): void {
  early?.disconnect();
  early = null;
}

function spawnHelper(): ChildProcess {
  const extension = import.meta.url.endsWith(".ts") ? "ts" : "js";
  const entry = new URL(`./classify-helper.${extension}`, import.meta.url).href;
  // The disk compile cache is turned on before the helper's first module loads (as bin/deliverlens.js does).
  // Its jobs are small files and mbox segments, bounce emails mostly: there V8's top tier costs more CPU than
  // it saves (see the CLI's classify.ts), and the flag must be set before any module compiles.
  const boot = `require("node:module").enableCompileCache?.(); import(${JSON.stringify(entry)});`;
  return spawn(process.execPath, ["--no-turbofan", "--eval", boot], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    serialization: "advanced",
  });
}
