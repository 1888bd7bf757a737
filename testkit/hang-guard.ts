/**
 * Loaded into every test file's process (`node --test --import`, with `--test-timeout` in the same command): the
 * two bounds that keep one stuck test file from eating CI's time.
 * - `--test-timeout` fails a test (or hook) whose promise has not settled in time;
 * - this watchdog ends a file that has not ended FILE_LIMIT_S after its start: one whose tests are done but a
 *   socket, server or timer a failed test left open keeps alive (the 5,400 s CI timeout of session 44: a listen
 *   error, a UDP socket), or one that never gives its event loop back (a synchronous endless loop, a spawnSync of
 *   a child that never exits), where no timeout can run. It lives on a worker thread of its own, so a blocked
 *   main thread cannot stop it, and kills the process and its children; the runner reports that file's
 *   failure while the other files go on.
 * - and sooner, a file whose tests are all done and that still runs IDLE_LIMIT_S later is held by something a test
 *   left open (that CI timeout's case): it fails, naming the cause, and ends. Children a test gave to killAtExit
 *   (testkit/child-exit.ts) are killed as soon as the tests are done, so such a child does not hold the file.
 * Not `--test-force-exit`: it ends a file once the tests known so far are done, so the tests a file registers
 * after a top-level await (or in an async describe) never ran, silently (~80 of the suite's on node 24). "All
 * done" here is a root `after` hook registered once the file's module has been evaluated (its top-level awaits
 * included): every top-level test is registered by then, and the hook runs when they have all ended.
 * TEST_FILE_LIMIT_S and TEST_IDLE_LIMIT_S set the bounds (seconds); TEST_FILE_TIMES records each file's time. test/testkit/hang-guard.test.ts proves them on
 * hung fixture files, and that every test of a file with a top-level await runs.
 */
import { appendFileSync, readFileSync, realpathSync, writeSync } from "node:fs";
import { after } from "node:test";
import { pathToFileURL } from "node:url";
import { isMainThread, Worker } from "node:worker_threads";
import { killLeftChildren } from "./child-exit.ts";

/**
 * Well above the slowest legitimate file: test/diagnose/programs-threshold.test.ts took ~375 s in the
 * busiest integrate run on a loaded 2-core host (its two tests 229 s and 145 s), ~40 s on a quiet one, and one
 * test alone took 687 s at nice 10 beside such a run; short enough that a hung file still ends, and CI prints
 * its summary, within CI's 5,400 s.
 */
export const FILE_LIMIT_S = 2400;

/** Far above the few seconds a file's own after hooks and closing sockets take once its tests are done. */
export const IDLE_LIMIT_S = 60;

const limitS = Number(process.env.TEST_FILE_LIMIT_S ?? FILE_LIMIT_S);
const idleS = Number(process.env.TEST_IDLE_LIMIT_S ?? IDLE_LIMIT_S);
// Only a test file's own process (the runner marks it), not the runner, nor a worker thread of a test.
const inTestFile = isMainThread && process.env.NODE_TEST_CONTEXT?.startsWith("child") === true;
const file = process.argv[1] ?? "a test file";

if (inTestFile && idleS > 0) {
  // The module the runner is loading (the same instance: Node resolves the main file through its real path).
  import(pathToFileURL(realpathSync(file)).href).then(
    () =>
      after(() => {
        // A child a failed test did not stop (its stop in a `finally` it never reached) would hold the file.
        killLeftChildren();
        setTimeout(() => {
          writeSync(
            2,
            `hang-guard: ${file}: its tests are done, yet it still runs ${idleS} s later (a socket, server, timer or child a test left open); ending it\n`,
          );
          process.exit(1);
        }, idleS * 1000).unref();
      }),
    () => {
      // the runner reports the file's own error
    },
  );
}

// TEST_FILE_TIMES=PATH: each file appends "file<TAB>wall s<TAB>CPU s<TAB>children's CPU s" at its end (the suite's
// slowest files, for choosing FILE_LIMIT_S and the order of the work; integrate logs give per-test times only).
// Its children's CPU — the CLI runs, servers and tools its tests spawned and waited for — is often most of a file's.
if (inTestFile && process.env.TEST_FILE_TIMES) {
  const times = process.env.TEST_FILE_TIMES;
  process.once("exit", () => {
    const { user, system } = process.cpuUsage();
    const line = `${file}\t${process.uptime().toFixed(1)}\t${((user + system) / 1e6).toFixed(1)}\t${childrenCpuS().toFixed(1)}\n`;
    appendFileSync(times, line);
  });
}

/**
 * The CPU seconds of this process's waited-for children (Linux's /proc/self/stat cutime + cstime, in clock ticks of
 * 1/100 s); 0 where /proc cannot be read.
 */
function childrenCpuS(): number {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // The fields after the command's closing parenthesis start at the third (state): cutime and cstime are the 16th and 17th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

if (inTestFile && limitS > 0) {
  const watchdog = new Worker(
    `const { workerData } = require("node:worker_threads");
     const fs = require("node:fs");
     // Its children first (Linux's /proc): one that holds the runner's stdout would keep the file open.
     const descendants = (pid) => {
       let tasks = [];
       try { tasks = fs.readdirSync("/proc/" + pid + "/task"); } catch {}
       return tasks.flatMap((task) => {
         let children = "";
         try { children = fs.readFileSync("/proc/" + pid + "/task/" + task + "/children", "utf8"); } catch {}
         return children.split(" ").filter(Boolean).flatMap((child) => [...descendants(child), Number(child)]);
       });
     };
     setTimeout(() => {
       fs.writeSync(2, workerData.message);
       for (const pid of descendants(workerData.pid)) try { process.kill(pid, "SIGKILL"); } catch {}
       process.kill(workerData.pid, "SIGKILL");
     }, workerData.limitS * 1000);`,
    {
      eval: true,
      // Its thread's name: tests that count this process's "WorkerThread"s do not count it.
      name: "hang-guard",
      // Not this module again (workers take the process's --import flags by default).
      execArgv: [],
      workerData: {
        pid: process.pid,
        limitS,
        message: `hang-guard: ${file} still running after ${limitS} s (a synchronous loop, or a spawnSync whose child never exits?); killing it\n`,
      },
    },
  );
  watchdog.unref();
}
