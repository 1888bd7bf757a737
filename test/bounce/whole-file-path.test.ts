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
import { type ClassifyOptions, classifyOpenedJson, JsonLines } from "../../src/pipeline/classify-source.ts";
import { FilesReadAhead } from "../../src/pipeline/read-ahead.ts";

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

test("files read ahead on a second thread give the same bytes as files read here, whatever their size or fate", async () => {
  // Slots of 4 KB: many files fill theirs (opened here, as without the reader), the rest come from it.
  const slot = 4096;
  writeFileSync(join(dir, "slot-1.eml"), "x".repeat(slot - 1));
  writeFileSync(join(dir, "slot.eml"), "x".repeat(slot));
  writeFileSync(join(dir, "gzip.eml"), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]));
  const email = filesIn("sisimai/eml");
  const paths = [
    ...email,
    join(dir, "slot-1.eml"),
    join(dir, "slot.eml"),
    join(dir, "gzip.eml"),
    join(dir, "missing.eml"),
    dir,
    ...filesIn("events").slice(0, 20),
    ...email,
  ];
  for (const options of [{}, { all: true }]) {
    const here = await classifyWholeFiles(paths, { ...options });
    const reader = new FilesReadAhead(paths, slot);
    // Let it start and take its first files (on a busy machine that may take a while).
    await until(() => reader.taken >= 32, "the reader took no files");
    const jobs: FilesDone[] = [];
    try {
      for (let first = 0; first < paths.length; first += 48)
        jobs.push(
          await classifyWholeFiles(paths.slice(first, first + 48), { ...options }, { reader, first }),
        );
    } finally {
      reader.stop();
    }
    assert.deepEqual(
      jobs.flatMap((job) => job.files),
      here.files,
    );
    assert.ok(Buffer.concat(jobs.map((job) => job.json)).equals(here.json));
    assert.equal(reader.opened.ahead + reader.opened.here, paths.length);
    assert.ok(reader.opened.ahead > 0, `read ahead: ${reader.opened.ahead}`);
    assert.ok(reader.opened.here > 5, `opened here: ${reader.opened.here}`);
  }
});

test("stdin among files read ahead is stdin, not a file named -", async () => {
  // Relative paths from a folder holding a file named "-" (the reader thread shares this process's folder).
  const folder = join(dir, "dash");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "-"), readFileSync(filesIn("sisimai/eml")[0]));
  writeFileSync(join(folder, "a.eml"), readFileSync(filesIn("sisimai/eml")[1]));
  const before = process.cwd();
  process.chdir(folder);
  try {
    const paths = ["a.eml", "-", "a.eml"];
    const here = await classifyWholeFiles(paths, {});
    assert.equal(here.files[1].streamed, true, "stdin is left to the caller");
    const reader = new FilesReadAhead(paths, 256 * 1024);
    await until(() => reader.taken >= paths.length, "the reader took no files");
    const read = await classifyWholeFiles(paths, {}, { reader, first: 0 });
    reader.stop();
    assert.deepEqual(read.files, here.files);
    assert.ok(read.json.equals(here.json));
  } finally {
    process.chdir(before);
  }
});

test("files read ahead by a reader that has stopped: every one opened here, same bytes", async () => {
  const paths = filesIn("sisimai/eml").slice(0, 60);
  const here = await classifyWholeFiles(paths, {});
  const reader = new FilesReadAhead(paths, 256 * 1024);
  reader.stop();
  const read = await classifyWholeFiles(paths, {}, { reader, first: 0 });
  assert.deepEqual(read.files, here.files);
  assert.ok(read.json.equals(here.json));
  assert.equal(reader.opened.here, paths.length);
});

test("a path named as a stream (a FIFO) is never opened by the reader: its writer still waits for its one reader", {
  skip: process.platform === "win32",
}, async () => {
  const fifo = join(dir, "reader.fifo");
  assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
  // A writer blocked in its open until some reader opens the FIFO; then it writes nothing and ends.
  const writer = spawn("sh", ["-c", `exec cat > "${fifo}"`], { stdio: "ignore" });
  const ended = new Promise((resolve) => writer.on("exit", resolve));
  // A head start for the writer to reach its open (were it late, this test could only pass, never fail).
  await new Promise((resolve) => setTimeout(resolve, 200));
  const email = filesIn("sisimai/eml").slice(0, 8);
  const paths = [...email, fifo, ...email];
  const reader = new FilesReadAhead(paths, 256 * 1024, { streams: new Set([fifo]) });
  // Taken past the FIFO: the reader is done with it (it takes the next file only after the one before).
  await until(() => reader.taken >= paths.length, "the reader took no files");
  await new Promise((resolve) => setTimeout(resolve, 100));
  reader.stop();
  assert.equal(writer.exitCode, null, "the writer's open completed: the reader opened the FIFO");
  closeSync(openSync(fifo, "r"));
  await ended;
});

test("the reader never writes a slot whose file this thread still reads", async () => {
  const folder = join(dir, "slots");
  mkdirSync(folder, { recursive: true });
  const paths = Array.from({ length: 12 }, (_, at) => {
    const path = join(folder, `${at}.eml`);
    writeFileSync(path, `Subject: file ${at}\n\n${String(at).repeat(100)}\n`);
    return path;
  });
  const slots = 4;
  const reader = new FilesReadAhead(paths, 4096, { slots });
  try {
    // Every slot full (files 0-3): file 0 then comes from its slot.
    await until(() => reader.taken >= slots, "the reader took no files");
    const scratch = Buffer.alloc(4096);
    const first = reader.open(0, scratch);
    assert.equal(reader.opened.ahead, 1, "file 0 came from its slot");
    // Held (open, not done): the reader must not take file 4, whose slot is file 0's. Given time to do so.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(reader.taken, slots, "the reader took a file whose slot is still being read");
    assert.ok(first?.whole?.equals(readFileSync(paths[0])), "file 0's bytes were written over");
    reader.done(0);
    // Done with it: the reader goes on (file 4 into slot 0, and so on up to the slots free).
    await until(() => reader.taken > slots, "the reader did not go on");
    for (let at = 1; at < paths.length; at++) {
      const opened = reader.open(at, scratch);
      assert.ok(opened?.whole?.equals(readFileSync(paths[at])), `file ${at}`);
      reader.done(at);
    }
  } finally {
    reader.stop();
  }
});
