import { type ChildProcess, spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { freshArtifact } from "./build-cache.ts";
import type { TaskName } from "./classify-parallel.ts";
import type { ClassifyOptions } from "./classify-source.ts";

/**
 * The second process of `classify` for a big mbox (classify-helper.ts runs in it): a separate process, not a
 * worker thread, because it starts from a V8 startup snapshot of its modules, loaded and warmed, where a
 * worker would load them all. It classifies segments of the mbox that it reads from the file by their place.
 */

/** Whether a second thread or process may be used at all (DELIVERLENS_THREADS=1 turns it off). */
export function threadsAllowed(): boolean {
  return process.env.DELIVERLENS_THREADS !== "1" && availableParallelism() > 1;
}

/** One job as sent to the helper, with the run's options. */
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

  /**
   * No more jobs: the helper ends by itself. Its exit is not awaited here (the last output is written while it
   * tears down), but the helper keeps this process alive until it has exited and been reaped, so its CPU
   * time still counts in this process's children (time(1), the benchmarks).
   */
  stop(): void {
    this.answers.alive = false;
    if (this.child.connected) this.child.disconnect();
  }
}

/** The helper for this run (an mbox's segments), started now; it ends when stopped (Helper.stop). */
export function startHelper(): Helper {
  return new Helper(spawnHelper());
}

function spawnHelper(): ChildProcess {
  // Its jobs are bounce emails: there V8's top tier costs more CPU than it saves (see the CLI's classify.ts),
  // and the flag must be set before any module compiles.
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
