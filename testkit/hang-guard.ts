/**
 * Loaded into every test file's process (`node --test --import`, with `--test-timeout` and `--test-force-exit`
 * in the same command): the last of three bounds that keep one stuck test file from eating CI's time.
 * - `--test-timeout` fails a test (or hook) whose promise has not settled in time;
 * - `--test-force-exit` ends a file once its tests and hooks are done, even when a failed test left a socket,
 *   server or timer open (the 5,400 s CI timeout of session 44: a listen error, a UDP socket kept the file alive);
 * - this watchdog ends a file that never gives its event loop back (a synchronous endless loop, a spawnSync
 *   or execFileSync of a child that never exits), where neither of the two above can run. It lives on a
 *   worker thread of its own, so a blocked main thread cannot stop it, and kills the process, which the
 *   runner reports as that file's failure while the other files go on.
 * TEST_FILE_LIMIT_S sets the bound (seconds, default FILE_LIMIT_S). test/testkit/hang-guard.test.ts proves
 * all three bounds on hung fixture files.
 */
import { isMainThread, Worker } from "node:worker_threads";

/**
 * Well above the slowest legitimate file: test/diagnose/programs-threshold.test.ts took ~400 s in the
 * busiest integrate runs on a loaded 2-core host (its slowest test 229 s), ~40 s on a quiet one.
 */
export const FILE_LIMIT_S = 1800;

const limitS = Number(process.env.TEST_FILE_LIMIT_S ?? FILE_LIMIT_S);
// Only a test file's own process (the runner marks it), not the runner, nor a worker thread of a test.
if (isMainThread && process.env.NODE_TEST_CONTEXT?.startsWith("child") && limitS > 0) {
  const file = process.argv[1] ?? "a test file";
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
