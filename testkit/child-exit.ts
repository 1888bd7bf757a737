/**
 * The end of a child process a test spawned, with an error path: a child that could not be spawned (or signalled)
 * emits 'error' and may never emit 'exit' or 'close', so a test that awaited only those would wait for good.
 */
import type { ChildProcess } from "node:child_process";

export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Resolves at 'exit' (the process ended: a grandchild may still hold its pipes); rejects on 'error'. */
export function exited(child: ChildProcess): Promise<Ended> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return ended(child, "exit");
}

/** Resolves at 'close' (the process ended and its pipes closed: all its output read); rejects on 'error'. */
export function closed(child: ChildProcess): Promise<Ended> {
  return ended(child, "close");
}

function ended(child: ChildProcess, event: "exit" | "close"): Promise<Ended> {
  return new Promise<Ended>((resolve, reject) => {
    child.once("error", reject);
    child.once(event, (code: number | null, signal: NodeJS.Signals | null) => {
      child.off("error", reject);
      resolve({ code, signal });
    });
  });
}

const running = new Set<ChildProcess>();
let hooked = false;

/**
 * SIGKILLs `child` if it still runs when this test process exits (process.exit, or an uncaught error), or once
 * the file's tests are all done (testkit/hang-guard.ts calls killLeftChildren): no server, CLI or FIFO writer is
 * left behind to hold a port or a pipe, nor to keep the file running after a failed test skipped its stop.
 */
export function killAtExit(child: ChildProcess): void {
  if (!hooked) process.once("exit", killLeftChildren);
  hooked = true;
  running.add(child);
  child.once("exit", () => running.delete(child));
}

/** SIGKILLs every child given to killAtExit that still runs. */
export function killLeftChildren(): void {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
}
