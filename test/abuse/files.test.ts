import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { isCalendarDay } from "../../src/util/dates.ts";
import { checkOutput, OutputError, openOutput, SIGNATURES, writeOutput } from "../../src/util/output.ts";
import { expandInputs } from "../../src/util/walk.ts";

/** The shared file helpers of src/util/: the directory walk, safe output files, calendar days. */

const work = mkdtempSync(join(tmpdir(), "deliverlens-abuse-files-"));
after(() => rmSync(work, { recursive: true, force: true }));

describe("expandInputs (one walker for classify and ingest)", () => {
  const dir = join(work, "tree");
  mkdirSync(join(dir, "a", "b"), { recursive: true });
  writeFileSync(join(dir, "one.log"), "x\n");
  writeFileSync(join(dir, "a", "b", "two.log"), "y\n");
  symlinkSync(dir, join(dir, "a", "b", "loop"));
  symlinkSync(join(dir, "a"), join(dir, "z-alias"));
  symlinkSync(join(work, "missing"), join(dir, "dangling"));
  execFileSync("mkfifo", [join(dir, "a", "fifo")]);

  test("ends on symlink loops, skips dangling links and FIFOs with a problem, keeps every good file", () => {
    const { files, problems } = expandInputs([dir]);
    assert.deepEqual(files, [join(dir, "a", "b", "two.log"), join(dir, "one.log")]);
    const byPath = new Map(problems.map((p) => [p.path.slice(dir.length + 1), p]));
    assert.equal(byPath.get("dangling")?.reason, "dangling symbolic link");
    assert.equal(byPath.get("dangling")?.unread, true);
    assert.match(byPath.get("a/fifo")?.reason ?? "", /not a regular file/);
    assert.equal(byPath.get("a/b/loop")?.unread, false);
    assert.match(byPath.get("a/b/loop")?.reason ?? "", /loop/);
    assert.equal(byPath.get("z-alias")?.unread, false);
    assert.equal(problems.length, 4);
  });

  test("a FIFO named on the command line is kept (read as a stream); a missing input is a problem", () => {
    const { files, problems, streams } = expandInputs([
      join(dir, "a", "fifo"),
      "-",
      join(work, "nope"),
      join(dir, "one.log"),
    ]);
    assert.deepEqual(files, [join(dir, "a", "fifo"), "-", join(dir, "one.log")]);
    // Named as streams (each can be opened once): the FIFO and stdin, not the regular files.
    assert.deepEqual([...streams], [join(dir, "a", "fifo"), "-"]);
    assert.deepEqual(problems, [
      { path: join(work, "nope"), reason: "no such file or directory", unread: true },
    ]);
  });
});

describe("safe output files", () => {
  const csv = { option: "--export", signature: SIGNATURES.csv("address,reason") };

  test("never onto a protected file, whatever path or link leads to it", () => {
    const store = join(work, "store.duckdb");
    writeFileSync(store, "DUCK");
    symlinkSync(store, join(work, "store-link.csv"));
    for (const target of [store, join(work, "store-link.csv"), join(work, ".", "store.duckdb")]) {
      assert.throws(
        () => checkOutput(target, { ...csv, protect: [store], force: true }),
        (error: unknown) => error instanceof OutputError && /refusing to overwrite/.test(error.message),
      );
    }
    assert.equal(readFileSync(store, "utf8"), "DUCK");
  });

  test("an existing file deliverlens did not write needs force; one it wrote is replaced", async () => {
    const path = join(work, "list.csv");
    writeFileSync(path, "precious,data\n");
    await assert.rejects(
      writeOutput(path, "address,reason\na@x,dormant\n", { ...csv, protect: [] }),
      /--force/,
    );
    assert.equal(readFileSync(path, "utf8"), "precious,data\n");
    await writeOutput(path, "address,reason\na@x,dormant\n", { ...csv, protect: [], force: true });
    await writeOutput(path, "address,reason\nb@x,dormant\n", { ...csv, protect: [] });
    assert.equal(readFileSync(path, "utf8"), "address,reason\nb@x,dormant\n");
    assert.deepEqual(
      readdirSync(work).filter((name) => name.endsWith(".tmp")),
      [],
      "no temporary file left behind",
    );
  });

  test("an aborted write leaves the old file whole and no temporary file", async () => {
    const path = join(work, "kept.csv");
    writeFileSync(path, "address,reason\nold@x,dormant\n");
    const out = await openOutput(path, { ...csv, protect: [] });
    await out.write("address,reason\nhalf");
    await out.abort();
    assert.equal(readFileSync(path, "utf8"), "address,reason\nold@x,dormant\n");
    assert.deepEqual(
      readdirSync(work).filter((name) => name.endsWith(".tmp")),
      [],
    );
  });

  test("missing directory, a directory, a full device: one-line OutputErrors", async () => {
    const cases: Array<[string, RegExp]> = [
      [join(work, "no", "such", "x.csv"), /directory .*no such file or directory/],
      [work, /is a directory/],
    ];
    if (existsSync("/dev/full")) cases.push(["/dev/full", /no space left on device \(disk full\)/]);
    for (const [path, message] of cases) {
      await assert.rejects(
        writeOutput(path, "address,reason\n", { ...csv, protect: [] }),
        (error: unknown) => {
          assert.ok(error instanceof OutputError, String(error));
          assert.match(error.message, message);
          assert.ok(!error.message.includes("\n"));
          return true;
        },
      );
    }
  });

  test("signatures recognise each kind of output", () => {
    assert.ok(SIGNATURES.html("<!doctype html>\n<html>\n<head><title>deliverlens diagnosis — apple</title>"));
    assert.ok(!SIGNATURES.html("<!doctype html><title>my page</title>"));
    assert.ok(SIGNATURES.markdown("<!-- generated by deliverlens -->\n# Why"));
    assert.ok(!SIGNATURES.markdown("# My notes\n"));
    assert.ok(SIGNATURES.csv("date,provider,tier,max_messages")("date,provider,tier,max_messages\r\n"));
    assert.ok(!SIGNATURES.csv("address,reason")("address,reason,extra\n"));
  });
});

test("isCalendarDay: only days that exist", () => {
  for (const day of ["2026-02-28", "2024-02-29", "2026-12-31", "0001-01-01"])
    assert.ok(isCalendarDay(day), day);
  for (const day of ["2026-02-29", "2026-02-30", "2026-04-31", "2026-13-01", "2026-00-10", "2026-1-1", "x"])
    assert.ok(!isCalendarDay(day), day);
});
