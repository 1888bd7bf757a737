import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { openSource } from "../../src/events/input.ts";
import { classifyWholeFiles, type FilesDone } from "../../src/pipeline/classify-files.ts";
import { MANY_FILES, secondProcessAhead } from "../../src/pipeline/classify-parallel.ts";
import { type ClassifyOptions, classifyOpenedJson, JsonLines } from "../../src/pipeline/classify-source.ts";
import { classifyFilesInJobs } from "../../src/pipeline/files-in-jobs.ts";
import { IDLE_ROUNDS, warmUpWhileIdle } from "../../src/pipeline/idle-warm-up.ts";
import { AHEAD_HERE, GIVEN, type JobsLayout, noCounts } from "../../src/pipeline/job-sharing.ts";
import { dropAhead, startAhead, startedAhead } from "../../src/pipeline/second-process.ts";
import { warmUpSamples } from "../../src/pipeline/snapshot-warm-up.ts";
import { UntakenFiles } from "../../src/pipeline/untaken-files.ts";
import { exited, killAtExit } from "../../testkit/child-exit.ts";

const fixtures = fileURLToPath(new URL("../fixtures/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "deliverlens-whole-file-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** What `classify FILE --ndjson` gives for one input: the path every input can take (classify-source.ts). */
async function throughSource(path: string, options: ClassifyOptions) {
  const records: string[] = [];
  const problems: unknown[] = [];
  for await (const batch of classifyOpenedJson(await openSource(path), options)) {
    for (const item of batch) {
      if (typeof item === "string") records.push(item);
      else if (item instanceof JsonLines)
        records.push(...Buffer.from(item.bytes).toString("utf8").split("\n").slice(0, -1));
      else problems.push(item);
    }
  }
  return { records, problems };
}

/** Waits for `ready` (a thread's progress), failing with `why` if it has not come after a minute. */
async function until(ready: () => boolean, why: string): Promise<void> {
  for (let waited = 0; !ready(); waited += 10) {
    assert.ok(waited < 60_000, why);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function filesIn(folder: string): string[] {
  return readdirSync(join(fixtures, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

test("whole files (emails done without an await, other formats through classify-source) give what each input alone gives", async () => {
  writeFileSync(join(dir, "empty.eml"), "");
  writeFileSync(join(dir, "junk.bin"), "\u0000\u0001 binary junk");
  writeFileSync(
    join(dir, "reply.txt"),
    "550 5.1.1 <a@example.com>: Recipient address rejected: User unknown\n",
  );
  // A job reads its small files into one buffer: files bigger than it (1 MB here) get their own, and a
  // smaller file after a bigger one must not see the bigger one's bytes.
  const small = filesIn("sisimai/eml");
  const big = join(dir, "big.eml");
  writeFileSync(big, readFileSync(small[0], "latin1") + `${"y".repeat(76)}\n`.repeat(14_000), "latin1");
  const paths = [
    ...small.slice(0, 2),
    big,
    ...small,
    ...filesIn("bounce-email"),
    ...filesIn("events").slice(0, 40),
    join(dir, "empty.eml"),
    join(dir, "junk.bin"),
    join(dir, "reply.txt"),
    join(dir, "missing.eml"),
  ];
  assert.ok(paths.length > 450);
  let emails = 0;
  for (const options of [{}, { format: "email" as const }]) {
    const { files, json } = await classifyWholeFiles(paths, { ...options });
    assert.equal(files.length, paths.length);
    let at = 0;
    for (const [index, path] of paths.entries()) {
      const result = files[index];
      assert.equal(result.path, path);
      // The job's bytes, file by file: each record's JSON and a newline.
      const lines = json.subarray(at, at + result.jsonBytes);
      at += result.jsonBytes;
      const records = lines.length === 0 ? [] : lines.toString("utf8").slice(0, -1).split("\n");
      assert.equal(records.length, result.records, path);
      const single = await classifyWholeFiles([path], { ...options });
      assert.deepEqual(single.files, [result], path);
      assert.ok(single.json.equals(lines), path);
      if (path.endsWith("missing.eml")) {
        assert.match(result.unreadable ?? "", /no such file/i);
        continue;
      }
      assert.equal(result.unreadable, null, path);
      if (result.streamed) continue;
      const alone = await throughSource(path, { ...options });
      assert.deepEqual(records, alone.records, path);
      assert.deepEqual(result.problems, alone.problems, path);
      if (result.records > 0 && path.endsWith(".eml")) emails++;
    }
  }
  assert.ok(emails > 800, `emails with records: ${emails}`);
});

/** classifyFilesInJobs's jobs, all of them; `between` runs after each job is taken (a slow output). */
async function allJobs(
  paths: readonly string[],
  options: ClassifyOptions,
  layout: JobsLayout,
  streams?: ReadonlySet<string>,
  between: (taken: number) => Promise<void> = async () => {},
): Promise<FilesDone & { jobs: number; jobBytes: number[] }> {
  const jobs: FilesDone[] = [];
  for await (const job of classifyFilesInJobs(paths, options, streams, layout)) {
    jobs.push(job);
    await between(jobs.length);
  }
  return {
    files: jobs.flatMap((job) => job.files),
    json: Buffer.concat(jobs.map((job) => job.json)),
    bytes: jobs.reduce((sum, job) => sum + job.bytes, 0),
    jobs: jobs.length,
    jobBytes: jobs.map((job) => job.bytes),
  };
}

test("files classified in jobs by two processes give the same bytes as all of them here, whatever their size or fate", async () => {
  writeFileSync(join(dir, "big.eml"), "x".repeat(300 * 1024));
  writeFileSync(join(dir, "gzip.eml"), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]));
  const email = filesIn("sisimai/eml");
  const paths = [
    ...email,
    join(dir, "big.eml"),
    join(dir, "gzip.eml"),
    join(dir, "missing.eml"),
    dir,
    ...filesIn("events").slice(0, 20),
    ...email,
    ...email,
  ];
  for (const options of [{}, { all: true }]) {
    const here = await classifyWholeFiles(paths, { ...options });
    const counts = noCounts();
    // The output held after the first job until the second process has returned one (it may start slowly).
    const jobs = await allJobs(paths, { ...options }, { counts }, undefined, async (taken) => {
      if (taken === 1) await until(() => counts.posted() > 0, "the second process returned no job");
    });
    assert.deepEqual(jobs.files, here.files);
    assert.ok(jobs.json.equals(here.json));
    assert.equal(counts.here + counts.there, jobs.jobs);
    assert.ok(counts.there > 0 && counts.here > 0, `jobs here ${counts.here}, there ${counts.there}`);
  }
});

test("once every job is taken, the second process ends by itself, before the output is done", async () => {
  // Its jobs end as soon as none is left to give (SecondProcess.noMoreJobs): it exits while this process does
  // its own last ones, not after them (classifyFilesInJobs ends it for good only after its last job).
  const email = filesIn("sisimai/eml");
  const paths = [...email, ...email];
  const here = await classifyWholeFiles(paths, {});
  const counts = noCounts();
  const jobs: FilesDone[] = [];
  let files = 0;
  let endedBeforeLast = false;
  for await (const job of classifyFilesInJobs(paths, {}, undefined, { counts })) {
    jobs.push(job);
    files += job.files.length;
    if (files < paths.length) continue;
    for (let waited = 0; !counts.ended() && waited < 10_000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    endedBeforeLast = counts.ended();
  }
  assert.deepEqual(
    jobs.flatMap((job) => job.files),
    here.files,
  );
  assert.ok(Buffer.concat(jobs.map((job) => job.json)).equals(here.json));
  assert.ok(counts.there > 0, "the second process did jobs");
  assert.ok(endedBeforeLast, "the second process had not ended when the last job was handed out");
});

test("a second process that cannot start leaves every job to this one: same bytes", async () => {
  const paths = [...filesIn("sisimai/eml"), ...filesIn("sisimai/eml")].slice(0, 200);
  const here = await classifyWholeFiles(paths, {});
  const counts = noCounts();
  const jobs = await allJobs(paths, {}, { worker: "no-such-worker", counts });
  assert.deepEqual(jobs.files, here.files);
  assert.ok(jobs.json.equals(here.json));
  assert.equal(counts.there, 0);
  assert.equal(counts.here, jobs.jobs);
});

test("a second process that dies part-way leaves the jobs it held to this one: same bytes", async () => {
  const paths = [...filesIn("sisimai/eml"), ...filesIn("sisimai/eml")];
  const here = await classifyWholeFiles(paths, {});
  const counts = noCounts();
  const jobs = await allJobs(
    paths,
    {},
    { worker: "../../testkit/jobs-process-dies", counts },
    undefined,
    async (taken) => {
      if (taken === 1) await until(() => counts.posted() > 0, "the second process returned no job");
    },
  );
  assert.deepEqual(jobs.files, here.files);
  assert.ok(jobs.json.equals(here.json));
  assert.equal(counts.there, 1, "its one job came back");
  assert.equal(counts.here + counts.there, jobs.jobs);
});

test("this process does at most AHEAD_HERE jobs past one the second still does, which holds at most GIVEN", async () => {
  const email = filesIn("sisimai/eml");
  const paths = Array.from({ length: 8 }, () => email).flat();
  assert.ok(Math.ceil(paths.length / 48) > 2 * AHEAD_HERE);
  const counts = noCounts();
  let yielded = 0;
  let mostHeld = 0;
  const all = await allJobs(
    paths,
    {},
    { worker: "../../testkit/jobs-process-slow", counts },
    undefined,
    async () => {
      yielded++;
      mostHeld = Math.max(mostHeld, counts.held());
      // Jobs done here or given and not yet handed to the output: bounded while the second holds its first.
      assert.ok(
        counts.here + counts.posted() + counts.held() - yielded <= AHEAD_HERE,
        `ahead of the output: ${counts.here + counts.posted() + counts.held() - yielded}`,
      );
    },
  );
  assert.equal(all.files.length, paths.length);
  assert.equal(counts.here + counts.there, all.jobs);
  assert.ok(counts.there > 0, "the second process's jobs came back");
  assert.ok(mostHeld > 0 && mostHeld <= GIVEN, `held at most ${mostHeld}`);
});

test("what waits for the output is bounded in bytes: a job ends past its budget, none is taken ahead past AHEAD_BYTES", async () => {
  const log = join(dir, "bytes.log");
  writeFileSync(log, readFileSync(join(fixtures, "events/postfix-01.log"), "utf8").repeat(20));
  const paths = Array.from({ length: 300 }, () => log);
  const options = { all: true };
  const one = await classifyWholeFiles([log], options);
  assert.ok(one.json.length > 0 && one.bytes > one.json.length);
  const budgets = { jobBytes: 4 * one.bytes, aheadBytes: 8 * one.bytes };
  const here = await classifyWholeFiles(paths, options);
  const counts = noCounts();
  const jobs: FilesDone[] = [];
  // The second process holds its first result a while: this one would run AHEAD_HERE jobs ahead meanwhile.
  const layout = { worker: "../../testkit/jobs-process-slow", counts, budgets };
  for await (const job of classifyFilesInJobs(paths, options, undefined, layout)) jobs.push(job);
  assert.deepEqual(
    jobs.flatMap((job) => job.files),
    here.files,
  );
  assert.ok(Buffer.concat(jobs.map((job) => job.json)).equals(here.json));
  // A job ends after the file that takes it past its budget: 4 files here.
  const job = budgets.jobBytes + one.bytes;
  for (const done of jobs)
    assert.ok(done.bytes <= job && done.files.length <= 4, `job of ${done.bytes} bytes`);
  assert.ok(counts.there > 0, "the second process's jobs came back");
  assert.equal(counts.here + counts.there, jobs.length);
  // Under the budget when the last jobs were taken, and those can come in after: one here, GIVEN there.
  const bound = budgets.aheadBytes + (GIVEN + 1) * job;
  assert.ok(counts.mostWaiting <= bound, `waited ${counts.mostWaiting} bytes, bound ${bound}`);
  assert.ok(counts.mostWaiting >= budgets.aheadBytes, `waited ${counts.mostWaiting}: the bound was reached`);
});

test("jobs ended by bytes, and a second process that dies holding some: every file once, in order, same bytes", async () => {
  const log = join(dir, "bytes-dies.log");
  writeFileSync(log, readFileSync(join(fixtures, "events/postfix-01.log"), "utf8").repeat(20));
  const email = filesIn("sisimai/eml");
  // Logs and emails mixed: jobs shrink to a few logs, then grow back over the emails.
  const paths = Array.from({ length: 240 }, (_, at) => (at % 60 < 20 ? log : email[at % email.length]));
  const options = { all: true };
  const one = await classifyWholeFiles([log], options);
  const here = await classifyWholeFiles(paths, options);
  const counts = noCounts();
  const budgets = { jobBytes: 3 * one.bytes, aheadBytes: 6 * one.bytes };
  const layout = { worker: "../../testkit/jobs-process-dies", counts, budgets };
  const jobs = await allJobs(paths, options, layout, undefined, async (taken) => {
    if (taken === 1) await until(() => counts.ended(), "the second process did not end");
  });
  assert.deepEqual(jobs.files, here.files);
  assert.ok(jobs.json.equals(here.json));
  assert.equal(counts.there, 1, "its one job came back");
  assert.equal(counts.here + counts.there, jobs.jobs);
  const byBytes = jobs.jobBytes.filter((bytes) => bytes >= budgets.jobBytes).length;
  assert.ok(byBytes > 0, `jobs ended by bytes: ${byBytes}`);
});

test("untaken files: jobs of at most `most` files in order, cut to what fits after one ends by bytes, the rest taken again", () => {
  const untaken = new UntakenFiles(100, 48);
  const first = untaken.take();
  assert.deepEqual(first, { first: 0, end: 48 });
  const second = untaken.take();
  assert.deepEqual(second, { first: 48, end: 96 });
  // The first did 5 files before its bytes ran out: the next jobs take 5, its rest first.
  untaken.finished(first, 5, false);
  assert.equal(untaken.first, 5);
  assert.deepEqual(untaken.take(), { first: 5, end: 10 });
  // The second's process ended: its files come back, in order.
  untaken.putBack(second);
  assert.deepEqual(untaken.take(), { first: 10, end: 15 });
  const roomy = untaken.take();
  assert.deepEqual(roomy, { first: 15, end: 20 });
  untaken.finished(roomy, 5, true);
  assert.deepEqual(untaken.take(), { first: 20, end: 30 });
  assert.deepEqual(untaken.take(), { first: 30, end: 40 });
  assert.deepEqual(untaken.take(), { first: 40, end: 48 });
  assert.deepEqual(untaken.take(), { first: 48, end: 58 });
  const rest = [];
  while (!untaken.empty) rest.push(untaken.take());
  assert.deepEqual(rest.at(-1)?.end, 100);
  assert.equal(untaken.first, -1);
});

test("untaken files shared by two processes: small first jobs that grow, and jobs that shrink as the files run out", () => {
  const untaken = new UntakenFiles(1000, 48, { first: 4, share: 8 });
  const sizes: number[] = [];
  let next = 0;
  while (!untaken.empty) {
    const job = untaken.take();
    assert.equal(job.first, next, "in order, nothing skipped");
    next = job.end;
    sizes.push(job.end - job.first);
    untaken.finished(job, job.end - job.first, true);
  }
  assert.equal(next, 1000);
  assert.deepEqual(sizes.slice(0, 5), [4, 8, 16, 32, 48]);
  // Never more than an eighth of what was left: the last jobs are a file or two.
  let left = 1000;
  for (const size of sizes) {
    assert.ok(size <= Math.ceil(left / 8), `${size} of ${left} left`);
    left -= size;
  }
  assert.deepEqual(sizes.slice(-3), [1, 1, 1]);
  // Files given back (a process ended) count as left again.
  const again = new UntakenFiles(100, 48, { share: 2 });
  const taken = again.take();
  assert.deepEqual(taken, { first: 0, end: 48 });
  again.putBack(taken);
  assert.deepEqual(again.take(), { first: 0, end: 48 });
  assert.deepEqual(again.take(), { first: 48, end: 74 });
});

test("the second process starts during the walk once MANY_FILES files are found; the jobs take it, or it is ended", async () => {
  const ahead = secondProcessAhead();
  assert.ok(ahead, "two cores here");
  ahead(MANY_FILES - 1);
  assert.equal(startedAhead(), false);
  ahead(MANY_FILES);
  assert.equal(startedAhead(), true);
  const paths = [...filesIn("sisimai/eml"), ...filesIn("sisimai/eml")];
  const here = await classifyWholeFiles(paths, {});
  const counts = noCounts();
  const jobs = await allJobs(paths, {}, { counts }, undefined, async (taken) => {
    assert.equal(startedAhead(), false, "the jobs took it");
    if (taken === 1) await until(() => counts.posted() > 0, "the second process returned no job");
  });
  assert.ok(jobs.json.equals(here.json));
  assert.ok(counts.there > 0);
  // Started and never needed (fewer files after all, an error): ended.
  startAhead();
  await dropAhead();
  assert.equal(startedAhead(), false);
});

test("the second process's warm-up while it waits classifies the snapshot's emails, stops when told and changes no result", async () => {
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  // Outside a snapshot there is nothing to warm with.
  assert.equal(warmUpSamples.length, 0);
  const idle = warmUpWhileIdle();
  await turn();
  assert.equal(idle.classified, 0);
  const paths = filesIn("sisimai/eml").slice(0, 100);
  const before = await classifyWholeFiles(paths, {});
  const samples = filesIn("bounce-email").map((path) => ({ name: path, text: readFileSync(path, "latin1") }));
  warmUpSamples.push(...samples);
  try {
    const some = warmUpWhileIdle();
    for (let turns = 0; turns < 5; turns++) await turn();
    some.stop();
    const stopped = some.classified;
    assert.ok(stopped > 0 && stopped < samples.length, `one email a turn: ${stopped}`);
    for (let turns = 0; turns < 5; turns++) await turn();
    assert.equal(some.classified, stopped, "none after it was told to stop");
    const whole = warmUpWhileIdle();
    await until(() => whole.classified === IDLE_ROUNDS * samples.length, "the warm-up did not end");
    for (let turns = 0; turns < 5; turns++) await turn();
    assert.equal(whole.classified, IDLE_ROUNDS * samples.length, "IDLE_ROUNDS rounds at most");
  } finally {
    warmUpSamples.length = 0;
  }
  const after = await classifyWholeFiles(paths, {});
  assert.ok(after.json.equals(before.json), "the same records after the warm-up");
});

test("stdin among files in jobs is stdin, not a file named -", async () => {
  // Relative paths from a folder holding a file named "-" (the second process starts in this process's folder).
  const folder = join(dir, "dash");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "-"), readFileSync(filesIn("sisimai/eml")[0]));
  writeFileSync(join(folder, "a.eml"), readFileSync(filesIn("sisimai/eml")[1]));
  const before = process.cwd();
  process.chdir(folder);
  try {
    // "-" in every job, so the second process meets it too.
    const paths = Array.from({ length: 20 * 48 }, (_, at) => (at % 48 === 47 ? "-" : "a.eml"));
    const here = await classifyWholeFiles(paths, {});
    assert.equal(here.files[47].streamed, true, "stdin is left to the caller");
    const counts = noCounts();
    const jobs = await allJobs(paths, {}, { counts }, undefined, async (taken) => {
      if (taken === 1) await until(() => counts.posted() > 0, "the second process returned no job");
    });
    assert.deepEqual(jobs.files, here.files);
    assert.ok(jobs.json.equals(here.json));
    assert.ok(counts.there > 0);
  } finally {
    process.chdir(before);
  }
});

test("a path named as a stream (a FIFO) is never opened by either process: its writer still waits for its one reader", {
  skip: process.platform === "win32",
}, async () => {
  const fifo = join(dir, "jobs.fifo");
  assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
  // A writer blocked in its open until some reader opens the FIFO; then it writes nothing and ends.
  const writer = spawn("sh", ["-c", `exec cat > "${fifo}"`], { stdio: "ignore" });
  killAtExit(writer);
  const ended = exited(writer);
  // A head start for the writer to reach its open (were it late, this test could only pass, never fail).
  await new Promise((resolve) => setTimeout(resolve, 200));
  const email = filesIn("sisimai/eml");
  // The FIFO in every job, so the second process meets it too.
  const paths = Array.from({ length: 20 * 48 }, (_, at) => (at % 48 === 0 ? fifo : email[at % email.length]));
  const counts = noCounts();
  const jobs = await allJobs(paths, {}, { counts }, new Set([fifo]), async (taken) => {
    if (taken === 1) await until(() => counts.posted() > 0, "the second process returned no job");
  });
  assert.ok(counts.there > 0);
  assert.ok(jobs.files.filter((file) => file.path === fifo).every((file) => file.streamed));
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(writer.exitCode, null, "the writer's open completed: a process opened the FIFO");
  closeSync(openSync(fifo, "r"));
  await ended;
});
