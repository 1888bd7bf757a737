import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { connect, createServer } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { after, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import {
  type Artifact,
  type BuildManifest,
  buildCacheDir,
  freshArtifact,
  MANIFESTS,
  packageRoot,
  SWITCHES,
} from "../../bin/snapshot-cache.js";
import { WHOLE_FILE_BYTES } from "../../src/events/input.ts";
import { MANY_FILES } from "../../src/pipeline/classify-parallel.ts";
import { FrameReader, frame, secretFrame } from "../../src/pipeline/job-frames.ts";
import { MOST_STRANGERS } from "../../src/pipeline/jobs-process.ts";
import { Store } from "../../src/store/index.ts";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { aggregateXml } from "../../testkit/dmarc-reports.ts";
import { MODULE_RECORDER, recorded } from "../../testkit/module-recorder.ts";
import { storeDigest } from "../../testkit/store-digest.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = join(root, "bin/deliverlens.js");
const corpus = join(root, "test/fixtures/sisimai/eml");
const dir = mkdtempSync(join(tmpdir(), "deliverlens-build-cache-"));
const cache = join(dir, "cache");
after(() => rmSync(dir, { recursive: true, force: true }));

let built: Record<Artifact, string> | null = null;
/**
 * This test's own cache folder, once, from the build script as `prepare` runs it. What the checkout's `prepare`
 * built is fresh for these very sources (the manifest's stamps say so) and is copied in first, and the script
 * (without --force) then rebuilds only what is not: a checkout whose snapshots are stale or missing — or one whose
 * build failed — has them built here, and a build that does not yield fresh ones still fails the test below. Not
 * building both again on every run saves ~45 CPU-s of the suite.
 */
function build(): Record<Artifact, string> {
  if (built) return built;
  mkdirSync(cache, { recursive: true });
  const checkout = buildCacheDir();
  for (const kind of ["classify", "ingest"] as Artifact[]) {
    const blob = freshArtifact(kind, checkout);
    if (blob === null) continue;
    copyFileSync(blob, join(cache, basename(blob)));
    copyFileSync(join(checkout, MANIFESTS[kind]), join(cache, MANIFESTS[kind]));
  }
  const run = spawnSync(process.execPath, [join(root, "scripts/build-cache.ts")], {
    encoding: "utf8",
    env: { ...process.env, DELIVERLENS_CACHE_DIR: cache },
  });
  assert.equal(run.status, 0, run.stderr);
  const classify = freshArtifact("classify", cache);
  const ingest = freshArtifact("ingest", cache);
  assert.ok(classify !== null && ingest !== null, `not fresh after the build: ${run.stderr}`);
  built = { classify, ingest };
  return built;
}

test("a build is used only while it matches this Node and every input it was built from", () => {
  const fresh = build();
  for (const kind of ["classify", "ingest"] as Artifact[]) {
    const manifest = JSON.parse(readFileSync(join(cache, MANIFESTS[kind]), "utf8")) as BuildManifest;
    const variant = (name: string, change: (copy: BuildManifest) => void): string | null => {
      const other = join(dir, kind, name);
      mkdirSync(other, { recursive: true });
      const copy = structuredClone(manifest);
      copy.output = relative(other, join(cache, manifest.output));
      change(copy);
      writeFileSync(join(other, MANIFESTS[kind]), JSON.stringify(copy));
      return freshArtifact(kind, other);
    };
    assert.ok(variant("same", () => {}) !== null, `${kind}: an unchanged copy is fresh`);
    assert.equal(
      variant("node", (copy) => {
        copy.node = "v0.0.1";
      }),
      null,
      `${kind}: another Node`,
    );
    assert.equal(
      variant("size", (copy) => {
        copy.inputs[3][1] += 1;
      }),
      null,
      `${kind}: a source of another size`,
    );
    assert.equal(
      variant("mtime", (copy) => {
        copy.inputs[0][2] -= 1000;
      }),
      null,
      `${kind}: a source modified since`,
    );
    // An edit that keeps the size and puts the old modification time back (touch -d, utimes): its ctime moved.
    const source = join(dir, "source.ts");
    writeFileSync(source, "export const a = 1;\n");
    utimesSync(source, 1_700_000_000, 1_700_000_000);
    const before = statSync(source);
    const asSource = relative(packageRoot, source);
    assert.ok(
      variant("edited-before", (copy) => {
        copy.inputs.push([asSource, before.size, before.mtimeMs, before.ctimeMs]);
      }) !== null,
      `${kind}: an extra input as it was`,
    );
    // Where ctime is coarse (Linux before 6.13, ext2…: one tick per jiffy or per second) an edit within the same tick
    // keeps the stamped ctime and cannot be told apart; the check promises only an edit in a later tick, so edit
    // until the ctime has moved (bounded: one-second file systems included).
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    for (let tries = 0; tries < 400; tries++) {
      writeFileSync(source, "export const b = 2;\n");
      utimesSync(source, 1_700_000_000, 1_700_000_000);
      if (statSync(source).ctimeMs !== before.ctimeMs) break;
      Atomics.wait(sleeper, 0, 0, 5);
    }
    assert.notEqual(statSync(source).ctimeMs, before.ctimeMs);
    assert.equal(statSync(source).mtimeMs, before.mtimeMs);
    assert.equal(
      variant("edited", (copy) => {
        copy.inputs.push([asSource, before.size, before.mtimeMs, before.ctimeMs]);
      }),
      null,
      `${kind}: a source edited with its size and modification time kept`,
    );
    assert.equal(
      variant("three-stamps", (copy) => {
        copy.inputs = copy.inputs.map(
          ([path, size, mtime]) => [path, size, mtime] as unknown as [string, number, number, number],
        );
      }),
      null,
      `${kind}: a manifest of the layout before ctime was recorded`,
    );
    assert.equal(
      variant("gone", (copy) => {
        copy.inputs.push(["src/no-such-file.ts", 1, 1, 1]);
      }),
      null,
    );
    assert.equal(
      variant("moved", (copy) => {
        copy.root = join(dir, "old-checkout");
      }),
      null,
      `${kind}: built in another checkout (copied or moved with its cache)`,
    );
    assert.equal(
      variant("output", (copy) => {
        copy.output = "no-such-output";
      }),
      null,
      `${kind}: no output`,
    );
    assert.equal(freshArtifact(kind, join(dir, "empty")), null, `${kind}: nothing built`);
    assert.equal(
      variant("cut", (copy) => {
        copy.outputBytes += 1;
      }),
      null,
      `${kind}: a blob of another size`,
    );
    // A limit's module keeps the value it read when it loaded: the snapshot holds the one the build saw.
    // (ingest's path reads its limits when it runs, from modules the snapshot holds unevaluated.)
    if (kind === "classify") {
      assert.equal(
        manifest.env.DELIVERLENS_MAX_RECIPIENTS,
        null,
        `${kind}: the build read the recipients limit`,
      );
      process.env.DELIVERLENS_MAX_RECIPIENTS = "6000";
      try {
        assert.equal(
          freshArtifact(kind, cache),
          null,
          `${kind}: a limit set otherwise than when it was built`,
        );
      } finally {
        delete process.env.DELIVERLENS_MAX_RECIPIENTS;
      }
    }
    // ingest's snapshot stands in for DuckDB's package by its export names: another version makes it stale.
    if (kind === "ingest")
      assert.ok(
        manifest.inputs.some(([path]) => path === "node_modules/@duckdb/node-api/package.json"),
        "DuckDB's package.json is an input",
      );
    assert.equal(
      variant("older", (copy) => {
        delete (copy as Partial<BuildManifest>).output;
      }),
      null,
      `${kind}: another layout`,
    );
    assert.equal(
      variant("odd", (copy) => {
        copy.inputs = [[1 as unknown as string, 1, 1, 1]];
      }),
      null,
    );
    const name = SWITCHES[kind];
    process.env[name] = "0";
    try {
      assert.equal(freshArtifact(kind, cache), null, `${kind}: turned off`);
    } finally {
      delete process.env[name];
    }
    assert.equal(freshArtifact(kind, cache), fresh[kind]);
  }
});

/** A folder `name` of MANY_FILES + 50 files (the corpus repeated, a subfolder each time): classify takes two processes. */
function corpusTree(name: string): string {
  const tree = join(dir, name);
  const names = readdirSync(corpus).sort();
  for (let at = 0; at < MANY_FILES + 50; at++) {
    const sub = join(tree, String(Math.floor(at / names.length)));
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, names[at % names.length]), readFileSync(join(corpus, names[at % names.length])));
  }
  return tree;
}

test("classify: same bytes and exit code from the startup snapshots as from the plain modules", () => {
  build();
  const tree = corpusTree("tree");
  const names = readdirSync(corpus).sort();
  const mbox = join(dir, "small.mbox");
  writeFileSync(
    mbox,
    names
      .slice(0, 20)
      .map(
        (name) =>
          `From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n${readFileSync(join(corpus, name), "latin1")}\n`,
      )
      .join(""),
    "latin1",
  );
  // Over WHOLE_FILE_BYTES: cut into segments on the reader thread, which the snapshot starts.
  const bigMbox = join(dir, "big.mbox");
  const messages = readFileSync(mbox, "latin1");
  writeFileSync(bigMbox, messages.repeat(Math.ceil((WHOLE_FILE_BYTES + 65536) / messages.length)), "latin1");
  const log = join(dir, "mail.log");
  writeFileSync(
    log,
    "Nov 28 04:00:00 mx postfix/smtp[123]: 4F1A2B3C4D: to=<a@icloud.com>, relay=mx01.mail.icloud.com[17.57.155.25]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.155.25] said: 550 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command))\n",
  );
  const run = (args: string[], env: Record<string, string>, input?: string) =>
    spawnSync(process.execPath, [cli, ...args], {
      encoding: "utf8",
      input,
      env: { ...process.env, DELIVERLENS_CACHE_DIR: cache, ...env },
      maxBuffer: 1 << 28,
    });
  const plain = { DELIVERLENS_CLASSIFY_SNAPSHOT: "0" };
  const cases: [string[], string?][] = [
    [["classify", tree, "--ndjson"]],
    [["classify", tree, "--json", "--all"]],
    [["classify", tree]],
    [["classify", mbox, log, join(dir, "missing.eml"), "--ndjson"]],
    [["classify", bigMbox, "--ndjson"]],
    [["classify", "--text", "550 5.7.1 [CS01] Message rejected due to local policy"]],
    [["classify", "--format", "nosuch", mbox]],
    [["classify", "-", "--ndjson"], readFileSync(join(corpus, names[0]), "latin1")],
  ];
  // Given preloads of its own (a benchmark's probe, a test's hooks), bin/ keeps the work in its process.
  const preloaded = spawnSync(
    process.execPath,
    ["--import", MODULE_RECORDER, cli, "classify", mbox, "--ndjson"],
    {
      encoding: "utf8",
      env: { ...process.env, DELIVERLENS_CACHE_DIR: cache },
    },
  );
  assert.ok(
    recorded(preloaded.stderr).urls.some((url) => url.endsWith("/src/cli/program.ts")),
    preloaded.stderr,
  );
  // Each process reports its pid and Node options at exit (a --require preload: a process started from a
  // snapshot runs those, not --import ones).
  const probe = join(dir, "process-probe.cjs");
  writeFileSync(
    probe,
    'process.on("exit", () => process.stderr.write("\\nPROCESS " + JSON.stringify({ pid: process.pid, execArgv: process.execArgv, tunables: process.env.GLIBC_TUNABLES }) + "\\n"));',
  );
  for (const [args, input] of cases) {
    const fromSnapshot = run(args, { NODE_OPTIONS: `--require=${probe}` }, input);
    const processes: { pid: number; execArgv: string[]; tunables?: string }[] = [];
    const stderr = fromSnapshot.stderr.replace(/\nPROCESS ([^\n]*)\n/g, (_all, json: string) => {
      processes.push(JSON.parse(json));
      return "";
    });
    // bin/'s own process became classify, started from its snapshot (execve): no second process waits for it.
    const classify = processes.find((found) => found.pid === fromSnapshot.pid);
    assert.ok(
      classify?.execArgv.some((arg) => arg.includes("/classify-")),
      `${args}: ran from the snapshot in bin/'s process: ${JSON.stringify(processes)}`,
    );
    assert.equal(
      processes.filter((found) => !found.execArgv.includes("--snapshot-blob")).length,
      0,
      `${args}`,
    );
    // Each keeps the hash seed its snapshot was built with (no rehash of the deserialised heap at start).
    for (const found of processes) assert.ok(found.execArgv.includes("--no-rehash-snapshot"), `${args}`);
    // Each compiles a regular expression to machine code on its first run (no regexp bytecode tier first).
    for (const found of processes) assert.ok(found.execArgv.includes("--no-regexp-tier-up"), `${args}`);
    // Each compiles a WebAssembly function once, optimised (no Liftoff code first).
    for (const found of processes) assert.ok(found.execArgv.includes("--no-liftoff"), `${args}`);
    // Of a folder, each has glibc's malloc ask for transparent huge pages (fewer page faults reading the blob), on
    // Linux; of files, none.
    if (process.platform === "linux" && args[1] === tree)
      for (const found of processes)
        assert.match(found.tunables ?? "", /(?:^|:)glibc\.malloc\.hugetlb=1$/, `${args}`);
    else for (const found of processes) assert.equal(found.tunables, process.env.GLIBC_TUNABLES, `${args}`);
    // Many files, a big mbox, as JSON: classify's second process was started from the same snapshot.
    if ((args[1] === tree || args[1] === bigMbox) && args.includes("--ndjson") && availableParallelism() > 1)
      assert.equal(processes.length, 2, `${args}: ${JSON.stringify(processes)}`);
    // One process alone (DELIVERLENS_THREADS=1) only where a second could run: a reply given as text and a usage
    // error read no input.
    const alone = args.includes("--text") || args.includes("nosuch") ? [] : [{ DELIVERLENS_THREADS: "1" }];
    for (const env of [plain, ...alone]) {
      const other = run(args, env, input);
      assert.equal(other.stdout, fromSnapshot.stdout, `${args} ${JSON.stringify(env)}`);
      assert.equal(other.stderr, stderr, `${args} ${JSON.stringify(env)}`);
      assert.equal(other.status, fromSnapshot.status, `${args} ${JSON.stringify(env)}`);
    }
  }
  // Heap sizes, a rehash, a regexp tier-up and Liftoff given on the command line or in NODE_OPTIONS, in either
  // spelling, are kept: bin/ adds none then.
  const sized = spawnSync(
    process.execPath,
    [
      "--initial_old_space_size=32",
      "--rehash_snapshot",
      "--regexp-tier-up",
      "--liftoff",
      cli,
      "classify",
      mbox,
      "--ndjson",
    ],
    {
      encoding: "utf8",
      env: {
        ...process.env,
        DELIVERLENS_CACHE_DIR: cache,
        NODE_OPTIONS: `--require=${probe} --max_semi_space_size=8`,
      },
    },
  );
  const sizedArgs = [...sized.stderr.matchAll(/\nPROCESS ([^\n]*)\n/g)].map(
    (found) => (JSON.parse(found[1]) as { execArgv: string[] }).execArgv,
  );
  assert.ok(
    sizedArgs.some((args) => args.includes("--snapshot-blob")),
    sized.stderr,
  );
  for (const args of sizedArgs) {
    assert.ok(!args.some((arg) => /^--(?:initial-old-space|min-semi-space)-size=/.test(arg)), `${args}`);
    assert.ok(!args.includes("--no-rehash-snapshot"), `${args}`);
    assert.ok(!args.includes("--no-regexp-tier-up"), `${args}`);
    assert.ok(!args.includes("--no-liftoff"), `${args}`);
  }
  // A user's own malloc tunables are kept: added to, or left as they are when they say how to use huge pages (a
  // small folder: bin/ sets them for any folder, and the second process of a big one inherits its environment).
  const few = join(dir, "few");
  mkdirSync(few);
  for (const name of names.slice(0, 5)) copyFileSync(join(corpus, name), join(few, name));
  if (process.platform === "linux")
    for (const [given, kept] of [
      ["glibc.malloc.arena_max=2", "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"],
      ["glibc.malloc.hugetlb=0", "glibc.malloc.hugetlb=0"],
    ]) {
      const tuned = run(["classify", few], { NODE_OPTIONS: `--require=${probe}`, GLIBC_TUNABLES: given });
      const found = [...tuned.stderr.matchAll(/\nPROCESS ([^\n]*)\n/g)].map(
        (one) => (JSON.parse(one[1]) as { tunables?: string }).tunables,
      );
      assert.ok(found.length > 0, tuned.stderr);
      for (const tunables of found) assert.equal(tunables, kept);
    }
});

/** Where ingest's runs below write (a store each, a probe, inputs made up). */
const ingestDir = join(dir, "ingest");

test("classify: the second process bin/ starts ahead is the one a big folder takes; no process outlives a run", async (t) => {
  // bin/ starts it only where classify may run two processes over a socket of Linux's abstract namespace.
  if (process.platform !== "linux" || availableParallelism() < 2) return t.skip("one core, or not Linux");
  build();
  const tree = corpusTree("ahead-tree");
  const small = join(dir, "ahead-small");
  const names = readdirSync(corpus).sort();
  // Hostile files among them, in the middle of the walk (either process may take them): not email, too big for
  // a job's scratch buffer (not so big that it is streamed: a big mbox takes a second process of its own), gzip
  // that is not, an empty one, a name with a newline, a multipart message cut short.
  const hostile = join(tree, "1-hostile");
  mkdirSync(hostile);
  writeFileSync(join(hostile, "big.eml"), "x".repeat(300 * 1024));
  writeFileSync(join(hostile, "gzip.eml"), Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]));
  writeFileSync(
    join(hostile, "noise.eml"),
    Buffer.from(Array.from({ length: 4096 }, (_, at) => (at * 131) % 256)),
  );
  writeFileSync(join(hostile, "empty.eml"), "");
  writeFileSync(join(hostile, "new\nline.eml"), readFileSync(join(corpus, names[0])));
  const multipart = readFileSync(join(corpus, names.find((name) => name.includes("postfix")) ?? names[0]));
  writeFileSync(join(hostile, "cut.eml"), multipart.subarray(0, multipart.length >> 1));
  mkdirSync(small);
  for (const name of names.slice(0, 5)) writeFileSync(join(small, name), readFileSync(join(corpus, name)));
  // Each process reports at exit its pid, its parent and whether bin/ started it ahead (seen at its start, before
  // classify-snapshot.ts takes it out of the environment). One killed reports nothing.
  const probe = join(dir, "ahead-probe.cjs");
  writeFileSync(
    probe,
    'const ahead = process.env.DELIVERLENS_JOBS_LISTEN !== undefined; process.on("exit", () => process.stderr.write("\\nAHEAD " + JSON.stringify({ pid: process.pid, ppid: process.ppid, ahead }) + "\\n"));',
  );
  // Every process of these runs carries this mark in its environment (/proc/PID/environ: as it started).
  const mark = `DELIVERLENS_TEST_MARK=${process.pid}-${Date.now()}`;
  const env = {
    ...process.env,
    DELIVERLENS_CACHE_DIR: cache,
    NODE_OPTIONS: `--require=${probe}`,
    [mark.split("=")[0]]: mark.split("=")[1],
  };
  const marked = () =>
    readdirSync("/proc").filter((pid) => {
      if (!/^\d+$/.test(pid)) return false;
      try {
        return readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").includes(mark);
      } catch {
        return false; // gone meanwhile
      }
    });
  /** Waits (bounded) until no process of the runs is left; the ones left, if any. */
  const leftAfter = async () => {
    for (let tries = 0; tries < 3000 && marked().length > 0; tries++) await sleep(10);
    return marked();
  };
  const run = (args: string[], extra: Record<string, string> = {}) => {
    const result = spawnSync(process.execPath, [cli, "classify", ...args], {
      encoding: "utf8",
      env: { ...env, ...extra },
      maxBuffer: 1 << 28,
    });
    const processes = [...result.stderr.matchAll(/\nAHEAD ([^\n]*)\n/g)].map(
      (found) => JSON.parse(found[1]) as { pid: number; ppid: number; ahead: boolean },
    );
    // Without the probe's reports: what classify wrote.
    return { ...result, processes, stderr: result.stderr.replace(/\nAHEAD [^\n]*\n/g, "") };
  };

  // A big folder as NDJSON: the second process is the one bin/ started (its parent: classify's process, which
  // bin/'s became), it ended by itself once served (it reported), and no other was started.
  const big = run([tree, "--ndjson"]);
  // Exit 1: the gzip that is not cannot be read (the rest is classified).
  assert.equal(big.status, 1, big.stderr);
  const second = big.processes.filter((found) => found.pid !== big.pid);
  assert.deepEqual(
    second.map((found) => [found.ahead, found.ppid]),
    [[true, big.pid]],
    JSON.stringify(big.processes),
  );
  // The same bytes, messages and exit code as one process gives, hostile files and all.
  const alone = run([tree, "--ndjson"], { DELIVERLENS_THREADS: "1" });
  assert.equal(big.stdout, alone.stdout);
  assert.equal(big.stderr, alone.stderr);
  assert.equal(big.status, alone.status);
  assert.deepEqual(await leftAfter(), []);
  // From a fresh clone (no startup snapshot built yet: the plain modules run), bin/ starts none ahead; classify
  // starts its own, the same bytes.
  const fresh = run([tree, "--ndjson"], { DELIVERLENS_CACHE_DIR: join(dir, "ahead-no-cache") });
  assert.equal(fresh.status, 1, fresh.stderr);
  assert.deepEqual(
    fresh.processes.filter((found) => found.pid !== fresh.pid).map((found) => found.ahead),
    [false],
    JSON.stringify(fresh.processes),
  );
  assert.equal(fresh.stdout, big.stdout);
  assert.deepEqual(await leftAfter(), []);
  // A small folder: bin/'s guess was wrong, classify ended it (killed: no report), alone the same output.
  const few = run([small, "--ndjson"]);
  assert.equal(few.status, 0, few.stderr);
  assert.deepEqual(
    few.processes.map((found) => found.pid),
    [few.pid],
    JSON.stringify(few.processes),
  );
  assert.equal(few.stdout, run([small, "--ndjson"], { DELIVERLENS_THREADS: "1" }).stdout);
  assert.deepEqual(await leftAfter(), []);
  // Ended before its walk: a usage error, a missing input.
  assert.equal(run([small, "--ndjson", "--format", "nosuch"]).status, 2);
  assert.deepEqual(await leftAfter(), []);
  assert.equal(run([tree, join(dir, "missing.eml"), "--json"]).status, 1);
  assert.deepEqual(await leftAfter(), []);
  // Killed: at once (the second process may not even be listening yet), and once output has begun.
  for (const [signal, afterOutput] of [
    ["SIGKILL", false],
    ["SIGKILL", true],
    ["SIGINT", true],
  ] as const) {
    const child = spawn(process.execPath, [cli, "classify", tree, "--ndjson"], {
      env,
      stdio: ["ignore", "pipe", "ignore"],
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    if (afterOutput) await new Promise((resolve) => child.stdout.once("data", resolve));
    else await new Promise((resolve) => child.once("spawn", resolve));
    child.stdout.resume();
    child.kill(signal);
    await exited;
    assert.deepEqual(await leftAfter(), [], `${signal}${afterOutput ? " after output" : ""}`);
  }
  // Its reader gone once output has begun (`| head -1`): classify ends, and so does the second process.
  {
    const child = spawn(process.execPath, [cli, "classify", tree, "--ndjson"], {
      env,
      stdio: ["ignore", "pipe", "ignore"],
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    await new Promise((resolve) => child.stdout.once("data", resolve));
    child.stdout.destroy();
    await exited;
    assert.deepEqual(await leftAfter(), [], "stdout closed");
  }
  // Started as bin/ starts it, by a process killed before any connection (no exit of classify's to end it): it
  // ends once its parent is gone. Strangers first (silent, wrong token, a frame announcing 1 GB, more than it
  // holds): each closed or held, it goes on listening and holds its name; then the token's connection is
  // answered with the proof and served (review R52).
  // Listening, not only bound: /proc/net/unix lists a socket from its bind(), and a connect before its listen() is
  // refused (ECONNREFUSED: a loaded host can hold the process between the two calls). Its Flags column has
  // __SO_ACCEPTCON (0x10000) once it listens; Node pads an abstract name with NULs, shown as "@".
  const listeningOn = (name: string) =>
    readFileSync("/proc/net/unix", "latin1")
      .split("\n")
      .some((line) => {
        const [, , , flags, , , , path] = line.trim().split(/\s+/);
        return path?.replace(/@+$/, "") === `@${name}` && (Number.parseInt(flags, 16) & 0x10000) !== 0;
      });
  /** Sockets the test opened: all closed after each case, whatever happened. */
  const sockets: ReturnType<typeof connect>[] = [];
  const connected = async (name: string) => {
    const socket = connect(`\0${name}`);
    sockets.push(socket);
    await new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    socket.on("error", () => {});
    return socket;
  };
  const closed = (socket: ReturnType<typeof connect>) =>
    new Promise((resolve) => (socket.closed ? resolve(null) : socket.once("close", resolve)));
  for (const ending of ["parent killed", "silent, parent killed", "strangers, then served"]) {
    const name = `deliverlens-jobs-test-${process.pid}-${ending.replace(/\W+/g, "-")}`;
    const parent = spawn(
      process.execPath,
      [
        "-e",
        `require("node:child_process").spawn(process.execPath, ["--snapshot-blob", ${JSON.stringify(build().classify)}], { stdio: "ignore", env: { ...process.env, DELIVERLENS_JOBS_PROCESS: "1", DELIVERLENS_JOBS_LISTEN: "${name} secret proof " + process.pid } }); setInterval(() => {}, 1000);`,
      ],
      { env, stdio: "ignore" },
    );
    try {
      for (let tries = 0; tries < 3000 && !listeningOn(name); tries++) await sleep(10);
      assert.ok(listeningOn(name), ending);
      if (ending === "parent killed") parent.kill("SIGKILL");
      else if (ending === "silent, parent killed") {
        // A connection that sends nothing holds it only while its parent runs.
        const socket = await connected(name);
        parent.kill("SIGKILL");
        assert.deepEqual(await leftAfter(), [], ending);
        socket.destroy();
      } else {
        const silent = await connected(name);
        const guess = await connected(name);
        guess.write(secretFrame("guess!"));
        const huge = await connected(name);
        const header = Buffer.alloc(12);
        header.writeUInt32LE(1 << 30, 0);
        huge.write(Buffer.concat([header, Buffer.alloc(1 << 20, 0x20)]));
        await Promise.all([closed(guess), closed(huge)]);
        const holders = await Promise.all(Array.from({ length: MOST_STRANGERS }, () => connected(name)));
        // One past what it holds: closed at once.
        await closed(await connected(name));
        for (const holder of holders) holder.destroy();
        await sleep(50);
        // Still there, and its name cannot be taken.
        assert.ok(listeningOn(name), ending);
        const squatter = createServer();
        const bound = await new Promise((resolve) => {
          squatter.once("error", (error: NodeJS.ErrnoException) => resolve(error.code));
          squatter.listen(`\0${name}`, () => resolve("bound"));
        });
        squatter.close();
        assert.equal(bound, "EADDRINUSE", ending);
        // classify's connection: answered with the proof, then served a job of one file as classify does.
        const socket = await connected(name);
        const answers: Buffer[] = [];
        socket.on("data", (chunk: Buffer) => answers.push(chunk));
        socket.write(secretFrame("secret"));
        socket.write(
          frame(0, {
            role: "files",
            options: { format: "auto", all: false },
            jobBytes: 1 << 20,
            topTier: true,
          }),
        );
        socket.write(frame(1, { paths: [join(corpus, names[0])], streams: [] }));
        const proof = secretFrame("proof");
        for (let tries = 0; tries < 3000 && Buffer.concat(answers).length <= proof.length; tries++)
          await sleep(10);
        const answered = Buffer.concat(answers);
        assert.ok(answered.subarray(0, proof.length).equals(proof), ending);
        const [result] = new FrameReader().push(answered.subarray(proof.length));
        assert.equal(result?.job, 1, ending);
        assert.equal((result.head as { files: unknown[] }).files.length, 1, ending);
        silent.destroy();
        socket.end();
        // It ends with the connection (its parent alone is left).
        for (let tries = 0; tries < 3000 && marked().length > 1; tries++) await sleep(10);
        assert.equal(marked().length, 1, ending);
        parent.kill("SIGKILL");
      }
    } finally {
      parent.kill("SIGKILL");
      for (const socket of sockets.splice(0)) socket.destroy();
    }
    assert.deepEqual(await leftAfter(), [], ending);
  }
  // classify given (in its environment, as bin/ gives it) a process that is not its own and a name another process
  // listens on: it sends that one its token alone and takes no answer but the proof; that process is not killed
  // (not classify's child: review R53); the output is classify's alone.
  const files = readdirSync(tree, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  // What one process gives for those files (once: the same for each impostor).
  const filesAlone = run([...files, "--ndjson"], { DELIVERLENS_THREADS: "1" });
  for (const impostor of ["forged answer", "silent"]) {
    const name = `deliverlens-jobs-test-${process.pid}-impostor-${impostor.replace(/\W+/g, "-")}`;
    const got: Buffer[] = [];
    const server = createServer((socket) => {
      socket.on("data", (chunk: Buffer) => got.push(chunk));
      socket.on("error", () => {});
      if (impostor === "forged answer")
        socket.write(
          Buffer.concat([secretFrame("proof?"), frame(1, { bytes: 0, files: [] }, Buffer.from("{}\n"))]),
        );
    });
    await new Promise((resolve) => server.listen(`\0${name}`, () => resolve(null)));
    const bystander = spawn("sleep", ["60"], { stdio: "ignore" });
    try {
      const ahead = `${bystander.pid} ${name} token proof`;
      const taken = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [cli, "classify", ...files, "--ndjson"], {
          env: { ...env, DELIVERLENS_JOBS_AHEAD: ahead },
          stdio: ["ignore", "pipe", "ignore"],
        });
        let stdout = "";
        child.stdout.setEncoding("utf8");
        child.stdout.on("data", (chunk) => {
          stdout += chunk;
        });
        child.on("close", (status) => resolve({ status, stdout }));
      });
      assert.equal(taken.status, filesAlone.status, impostor);
      assert.equal(taken.stdout, filesAlone.stdout, impostor);
      assert.ok(
        Buffer.concat(got).equals(secretFrame("token")),
        `${impostor}: ${Buffer.concat(got).length} bytes`,
      );
      assert.equal(bystander.exitCode, null, impostor);
      assert.equal(bystander.signalCode, null, impostor);
    } finally {
      bystander.kill("SIGKILL");
      server.close();
    }
  }
});

/**
 * Runs each `ingest` of `argSets` (`STORE` stands for the store's path) from a built cache and again with its
 * snapshot turned off, each way into a store of its own; asserts the same exit code, output and store, and
 * which processes ran: `snapshot` — the run ended in the process started from the snapshot; `relaunched` — it
 * started there and ended in one of the plain modules (the snapshot's process ran bin/ again without it);
 * `plain` — bin/ ran the plain modules without starting the snapshot (its arguments said so, review R36): then
 * the runs with the snapshot turned off are not made, as they would run the very same modules again.
 * `exitCode`: what every run must exit with (a failure both ways alike would otherwise pass).
 */
async function ingestBothWays(
  argSets: string[][],
  expected: "snapshot" | "relaunched" | "plain",
  exitCode: number | null = null,
): Promise<void> {
  build();
  mkdirSync(ingestDir, { recursive: true });
  const probe = join(ingestDir, "ingest-probe.cjs");
  // Each process says its Node options as it starts (a process replaced by execve never exits) and as it ends
  // (its main thread: worker threads load the preload too).
  writeFileSync(
    probe,
    `if (require("node:worker_threads").isMainThread) {
  process.stderr.write("\\nSTART " + JSON.stringify(process.execArgv) + "\\n");
  process.on("exit", () => process.stderr.write("\\nEXIT " + JSON.stringify(process.execArgv) + "\\n"));
}`,
  );
  /** A run's output with its timing taken out, and its processes' Node options as they started and ended. */
  const run = (args: string[], env: Record<string, string>) => {
    const done = spawnSync(process.execPath, [cli, ...args], {
      encoding: "utf8",
      env: { ...process.env, DELIVERLENS_CACHE_DIR: cache, NODE_OPTIONS: `--require=${probe}`, ...env },
    });
    const started: string[][] = [];
    const ended: string[][] = [];
    const stderr = done.stderr.replace(/\n(START|EXIT) ([^\n]*)\n/g, (_all, what: string, json: string) => {
      (what === "START" ? started : ended).push(JSON.parse(json));
      return "";
    });
    const timing = /in [\d.]+ s \([\d,]+ records\/s\)|"(?:seconds|recordsPerSecond)": [\d.e+-]+/g;
    return {
      status: done.status,
      out: `${done.status}\n${done.stdout.replace(timing, "")}\n${stderr}`.replaceAll(dir, "DIR"),
      started,
      ended,
    };
  };
  const fromSnapshot = (options: string[]) => options.some((option) => option.includes("/ingest-"));
  const stores: Record<string, Record<string, string>> = {};
  const outputs: Record<string, string[]> = {};
  const modes = [
    ["snapshot", {}],
    ["plain", { DELIVERLENS_INGEST_SNAPSHOT: "0" }],
  ] as const;
  for (const [mode, env] of expected === "plain" ? modes.slice(0, 1) : modes) {
    const db = join(ingestDir, `${mode}.duckdb`);
    rmSync(db, { force: true });
    outputs[mode] = [];
    for (const args of argSets) {
      const { status, out, started, ended } = run(
        args.map((arg) => (arg === "STORE" ? db : arg)),
        env,
      );
      if (exitCode !== null) assert.equal(status, exitCode, `${mode} ${args}: ${out}`);
      outputs[mode].push(out.replaceAll(`${mode}.duckdb`, "STORE"));
      const ran = JSON.stringify({ started, ended });
      assert.equal(ended.length, 1, ran);
      assert.equal(
        fromSnapshot(ended[0]),
        mode === "snapshot" && expected === "snapshot",
        `${mode} ${args}: ${ran}`,
      );
      assert.equal(
        started.some(fromSnapshot),
        mode === "snapshot" && expected !== "plain",
        `${mode} ${args}: ${ran}`,
      );
      // Relaunched: with the Node options bin/ was given, not those it adds for the snapshot's process.
      if (mode === "snapshot" && expected === "relaunched")
        assert.deepEqual(ended[0], started[0], `${args}: ${ran}`);
    }
    const store = await Store.open(db, { readOnly: true });
    try {
      stores[mode] = await storeDigest(store);
    } finally {
      store.close();
    }
  }
  if (expected === "plain") return;
  assert.deepEqual(outputs.snapshot, outputs.plain);
  assert.deepEqual(stores.snapshot, stores.plain);
}

test("ingest: the same store, output and exit code from its startup snapshot as from the plain modules", async () => {
  const events = join(root, "test/fixtures/events");
  const logs = ["exim-01.log", "postfix-01.log", "README.md"];
  // Files DuckDB's readers take: ingested from the snapshot.
  const native = readdirSync(events)
    .filter((name) => !logs.includes(name))
    .map((name) => join(events, name));
  mkdirSync(ingestDir, { recursive: true });
  const gzipped = join(ingestDir, "sendgrid.json.gz");
  writeFileSync(gzipped, gzipSync(readFileSync(join(events, "sendgrid-01.json"))));
  // A new store, with logs and a bounce email the parsers read on this thread (from the snapshot too); the same
  // files again (all duplicates) and a gzip beside a missing file (exit 1), as JSON; a usage error.
  await ingestBothWays(
    [
      [
        "ingest",
        ...native,
        join(events, "postfix-01.log"),
        join(events, "exim-01.log"),
        join(root, "test/fixtures/bounce-email/arf-complaint.eml"),
        "--db",
        "STORE",
      ],
      ["ingest", ...native, gzipped, join(dir, "missing.json"), "--db", "STORE", "--json"],
      ["ingest", native[0], "--db", "STORE", "--tz", "Nowhere/Else"],
    ],
    "snapshot",
  );
  // A report among them (its format not an event source's), beside a file DuckDB's readers take: run again from
  // the plain modules. (Both ways the plain modules read every file: each native format's snapshot-vs-plain store
  // is the first call's.)
  await ingestBothWays(
    [
      [
        "ingest",
        native[0],
        join(events, "postfix-01.log"),
        join(events, "exim-01.log"),
        join(root, "test/fixtures/bounce-email/arf-complaint.eml"),
        join(root, "test/fixtures/bounce-email/dmarc-aggregate.eml"),
        join(
          root,
          "test/fixtures/dmarc/parsedmarc/aggregate/addisonfoods.com!example.com!1536105600!1536191999.xml",
        ),
        "--db",
        "STORE",
      ],
    ],
    "relaunched",
  );
  // What the arguments say runs plain goes there without the snapshot's start: --parsers-only, stdin, a folder
  // (of a native file and a log: both ways the plain modules read it, so what it holds only needs to be read).
  const folder = join(ingestDir, "folder");
  mkdirSync(folder, { recursive: true });
  for (const name of [basename(native[0]), "postfix-01.log"])
    copyFileSync(join(events, name), join(folder, name));
  await ingestBothWays(
    [
      ["ingest", native[0], "--parsers-only", "--db", "STORE"],
      ["ingest", folder, "--db", "STORE"],
    ],
    "plain",
    0,
  );
});

// Review R33: a worker thread of a process started from ingest's snapshot aborted it (SIGABRT): the report
// readers' threads of a folder of 64 files, the parsing and pipe-feeding threads of a big log (that one's
// decision: test/analytics/no-threads.test.ts, in-process).
test("ingest: a run that starts worker threads runs from the plain modules: exit 0, the same store", async () => {
  const inputs = join(ingestDir, "threads");
  const emails = join(inputs, "emails");
  const reports = join(inputs, "reports");
  mkdirSync(emails, { recursive: true });
  mkdirSync(reports, { recursive: true });
  const dsn = readFileSync(join(root, "test/fixtures/bounce-email/dsn-two-recipients.eml"));
  for (let i = 0; i < 64; i++) {
    writeFileSync(join(emails, `${i}.eml`), dsn);
    writeFileSync(
      join(reports, `${i}.xml`),
      aggregateXml({
        reportId: `r33-${i}`,
        begin: 1_700_000_000 + i * 86_400,
        end: 1_700_086_399 + i * 86_400,
        rows: [{ ip: `192.0.2.${i + 1}`, count: i + 1, dkim: i % 2 === 0 ? "pass" : "fail" }],
      }),
    );
  }
  // Both folders in one run (a folder is what sends it to the plain modules, whichever it is; the read pool's
  // threads read them there).
  await ingestBothWays([["ingest", emails, reports, "--db", "STORE"]], "plain", 0);
  // The same files named one by one: the snapshot's process sees the read pool would start threads.
  await ingestBothWays(
    [["ingest", ...readdirSync(emails).map((name) => join(emails, name)), "--db", "STORE"]],
    "relaunched",
    0,
  );
});

// The plain modules' runs of these commands, with the same expectations: test/cli/output-failure.test.ts.
test("an output that cannot be written, or a pipe its reader closed: from the startup snapshots (R45)", async () => {
  build();
  const log = join(dir, "output-failure.log");
  // Records enough to fill a pipe's buffer (64 KiB): a closed reader is always met.
  writeFileSync(
    log,
    Array.from(
      { length: 400 },
      (_, i) =>
        `Nov 28 04:00:00 mx postfix/smtp[123]: 4F1A${i.toString(16).toUpperCase().padStart(6, "0")}: to=<u${i}@icloud.com>, relay=mx01.mail.icloud.com[17.57.155.25]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.155.25] said: 550 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command))\n`,
    ).join(""),
  );
  const sendgrid = join(root, "test/fixtures/events/sendgrid-01.json");
  const cases = [
    ["classify", log],
    ["classify", log, "--ndjson"],
    ["classify", "--text", "550 5.7.1 [CS01] Message rejected due to local policy"],
    ["ingest", "--db", "STORE", sendgrid, "--json"],
  ];
  const expected = {
    full: {
      status: 1,
      stderr: "deliverlens: cannot write the output: no space left on device (disk full)\n",
    },
    closed: { status: 0, stderr: "" },
  };
  const outputs = existsSync("/dev/full") ? (["full", "closed"] as const) : (["closed"] as const);
  let stores = 0;
  for (const args of cases)
    for (const output of outputs) {
      const store = join(dir, `output-failure-${stores++}.duckdb`);
      const run = await spawnCli(
        args.map((arg) => (arg === "STORE" ? store : arg)),
        { env: { DELIVERLENS_CACHE_DIR: cache }, output },
      );
      const what = `${args.join(" ")} > ${output}`;
      assert.equal(run.stderr, expected[output].stderr, what);
      assert.equal(run.status, expected[output].status, what);
    }
});
