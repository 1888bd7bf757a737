#!/usr/bin/env node
// The CLI entry. In a git checkout it runs the TypeScript source directly (Node >= 22.18 strips types);
// in the published package (no src/) it runs the compiled JavaScript. Same process either way — except
// on a Node too old to run it (the machines' Node 20 through the shebang): then it runs itself again
// with the Node the repository pins, stdio inherited, signals forwarded, and exits with the child's code;
// and `classify` or `ingest` in a checkout where `npm ci` built its startup snapshot: this process becomes the one
// started from it (execve), or runs it the same way where Node cannot.
import { builtin } from "./builtin.js";
import { nodeIsRecentEnough, nodeTooOld, pinnedNode } from "./node-version.js";

const { closeSync, existsSync, openSync, readSync, statSync } = await builtin("node:fs");
const module = await builtin("node:module");
const { fileURLToPath } = await builtin("node:url");

/**
 * Whether this process was given a Node option `option` matches, on its command line or in NODE_OPTIONS (which
 * admits a few heap sizes, --max-semi-space-size among them: one there counts, else the command line of the
 * process started instead would override it). V8 reads its flags with dashes or underscores alike: `option`
 * spells both. (src/util/module-worker.ts checks a worker's heap the same way; bin/ cannot import src/ before it
 * knows it runs from a checkout on a Node that strips types.)
 */
function nodeOptionGiven(option) {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].some((arg) =>
    option.test(arg),
  );
}

/**
 * Whether an `ingest`'s arguments already say it runs from the plain modules: stdin (`-`), `--parsers-only`, or a
 * folder (its files: bounce emails, reports, many files, whose readers start worker threads). Such a run would
 * otherwise start from ingest's snapshot only to run bin/ again without it (review R36: +0.11 CPU-s). The rest is
 * decided in the snapshot's process, by src/analytics/ingest/no-threads.ts; this only sends more to the plain
 * modules, never less.
 */
function ingestPlainByArguments(args) {
  return args.some((arg) => arg === "-" || arg === "--parsers-only" || isFolder(arg));
}

/** Whether `arg` names a folder: not an option, and a path to a directory (one that cannot be looked at is not). */
function isFolder(arg) {
  if (arg.startsWith("-")) return false;
  try {
    return statSync(arg, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}

/**
 * Whether classify's arguments name a folder and ask for JSON (--ndjson, --json) where two processes may run:
 * then classify probably takes its second process (src/pipeline/second-process.ts: a folder of MANY_FILES files
 * or more) and startJobsAhead starts it now. Only a guess, and a cheap one (no listing): classify ends a process
 * it does not take as soon as its walk has found fewer files.
 */
function classifiesAFolderAsJson(args) {
  if (process.platform !== "linux" || process.env.DELIVERLENS_THREADS === "1") return false;
  if (!args.some((arg) => arg === "--ndjson" || arg === "--json")) return false;
  return args.some(isFolder);
}

/**
 * Starts classify's second process now, from the same snapshot with the same Node `options`, ~80 ms before the
 * process this one becomes could (it starts it once its walk has found many files: after its own start, the
 * snapshot's deserialisation and the first part of the walk): the second core, idle until then, deserialises it
 * meanwhile. It cannot take a pipe from here (the execve below closes every descriptor but 0–2, and Node opens
 * them all close-on-exec), so it listens on a Unix socket of Linux's abstract namespace (no file) for the one
 * connection classify makes (src/pipeline/second-process.ts), which must open with a secret token and is answered
 * with a secret proof (src/pipeline/jobs-process.ts serveJobsOnSocket); both are passed in the environment. It ends
 * by itself when classify ends (the connection closes, or, before one, classify's process — this one's pid — is no
 * longer its parent).
 */
async function startJobsAhead(options) {
  const { spawn } = await import("node:child_process");
  try {
    const name = `deliverlens-jobs-${process.pid}-${randomHex(8)}`;
    const token = randomHex(16);
    const proof = randomHex(16);
    const child = spawn(process.execPath, options, {
      stdio: ["ignore", "ignore", "inherit"],
      env: {
        ...process.env,
        DELIVERLENS_JOBS_PROCESS: "1",
        DELIVERLENS_JOBS_LISTEN: `${name} ${token} ${proof} ${process.pid}`,
      },
    });
    child.on("error", () => {});
    if (child.pid !== undefined)
      process.env.DELIVERLENS_JOBS_AHEAD = `${child.pid} ${name} ${token} ${proof}`;
  } catch {
    // Not started: classify starts its own.
  }
}

/**
 * GLIBC_TUNABLES with glibc's malloc told to ask the kernel for transparent huge pages for what it maps
 * (glibc.malloc.hugetlb=1, glibc >= 2.35: madvise(MADV_HUGEPAGE) on its mappings; other C libraries, older
 * glibc and kernels that offer no huge page on request ignore it), unless `tunables` (the user's own) already
 * say how. A process started from a snapshot first reads the whole blob (~11 MB for classify) into memory Node
 * has just allocated, then copies its parts out: each 4 KB page of that memory costs a page fault, about half of
 * the faults of the snapshot's start (perf stat, 20 runs each, classify of an empty folder: 10,250 → 4,850–5,750
 * faults, 43.2 → 31.4–34.7 ms of CPU per process; 14,000 bounce emails in one process: 22,000 → 16,700 faults).
 * Results are the same bytes: only where memory lies changes. For classify of a folder only, where a run is many
 * small files and a process's start weighs: a big log's run has its start to spare, and its peak RSS rose by
 * 10–25 MB of 390–600 MB with it (4M-line grep'd Postfix logs, ± --all).
 */
function mallocOnHugePages(tunables) {
  if (process.platform !== "linux" || /(?:^|:)glibc\.malloc\.hugetlb=/.test(tunables ?? "")) return tunables;
  return tunables ? `${tunables}:glibc.malloc.hugetlb=1` : "glibc.malloc.hugetlb=1";
}

/** `bytes` random bytes in hex, from the kernel (not Node's crypto module: it takes longer to load than this). */
function randomHex(bytes) {
  const random = Buffer.alloc(bytes);
  const fd = openSync("/dev/urandom", "r");
  try {
    readSync(fd, random, 0, bytes, null);
  } finally {
    closeSync(fd);
  }
  return random.toString("hex");
}

/** Runs `node args…` with this process's stdio, passing signals on, and ends as it ends. */
async function runAgain(node, args) {
  // Loaded only here: most runs never start a child (classify from its snapshot replaces this process).
  const { spawn } = await import("node:child_process");
  const child = spawn(node, args, { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("error", (error) => {
    process.stderr.write(`deliverlens: could not start the Node ${node}: ${error.message}\n`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    if (!signal) process.exit(code ?? 1);
    // Die of the same signal, so whoever started us sees what the child saw.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
}

/**
 * Becomes `node args…` (POSIX execve: the same process, its stdio, signals and exit code, with nothing left to
 * start, wait for and reap at the end); where Node cannot (Windows, a Node without process.execve), runs it
 * as a child instead.
 */
function runInstead(node, args) {
  if (typeof process.execve === "function") {
    // An exec ends this process without its exit: the compile cache would never be written to disk.
    module.flushCompileCache?.();
    try {
      process.execve(node, [node, ...args]);
    } catch {
      // Not replaced (an exec that failed): run it as a child below.
    }
  }
  runAgain(node, args);
}

if (!nodeIsRecentEnough(process.version)) {
  const pinned = pinnedNode();
  if (!pinned) {
    process.stderr.write(nodeTooOld(process.version));
    process.exit(1);
  }
  runAgain(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)]);
} else {
  // Cache compiled (and type-stripped) modules on disk: startup drops from ~0.2 s to ~0.07 s of CPU.
  module.enableCompileCache?.();
  const checkout = existsSync(new URL("../src/cli/main.ts", import.meta.url));
  const entry = (path) => (checkout ? `../src/${path}.ts` : `../dist/${path}.js`);
  // classify (ingest) from its startup snapshot when one was built from these very sources (snapshot-cache.js):
  // the CLI and the classify (ingest) path loaded and initialised already, instead of ~130 (~150) modules. Not
  // when this process was given preloads (`node --import probe.ts bin/deliverlens.js …`: a benchmark's probe, a
  // test's hooks): they act in this process, so the work stays here.
  const preloaded = process.execArgv.some((arg) =>
    /^(?:--import|--require|-r|--loader|--experimental-loader)\b/.test(arg),
  );
  const command = process.argv[2];
  const snapshot =
    checkout &&
    (command === "classify" || (command === "ingest" && !ingestPlainByArguments(process.argv.slice(3)))) &&
    !preloaded
      ? (await import("./snapshot-cache.js")).freshArtifact(command)
      : null;
  if (snapshot) {
    // This process's own Node options (--max-old-space-size, --cpu-prof…) apply to the one doing the work.
    // classify allocates fast and briefly (each message's parse, each record and its JSON): a young generation
    // of 16 MB from the start (V8's grows from 1 MB as it scavenges) scavenges a third as often — measured
    // (valgrind, instructions): a folder of 3,336 bounce emails −5.8 %, a 50,000-line Postfix log −4.2 %;
    // peak RSS +20–40 MB. For a folder (many small files, as bounce emails come) 8 MB: each 4 KB page of the two
    // semi-spaces costs a page fault the first time it is written (~2.4 µs with its zeroing, which valgrind
    // does not count), and a file's garbage is dead by the next scavenge, so scavenging twice as often costs
    // little — one process on 7,089 bounce emails: 19.6k → 16.0k faults (perf stat, 3 runs each), 2,303.2 →
    // 2,317.1 M instructions (valgrind): ~8.6 ms of faults for ~3 ms of scavenges. A semi-space size given to
    // this process is kept instead.
    const folder = command === "classify" && process.argv.slice(3).some(isFolder);
    const semiSpace =
      command !== "classify" || nodeOptionGiven(/^--(?:min|max)[-_]semi[-_]space[-_]size\b/)
        ? []
        : [`--min-semi-space-size=${folder ? 8 : 16}`];
    // Its old generation's first limit at 64 MB: V8 sizes the first one for a heap that has just started (~22 MB
    // here, where the snapshot alone leaves 15 MB live), so a run that ever waits — the first process, while the
    // second's results come in — starts an incremental full GC from an idle task, its marking on a third thread,
    // and frees nothing worth it (18 → 15 MB). Measured, a folder of 14,000 bounce emails, two processes:
    // valgrind, the first's GC 198 → 50 M instructions, both 5,669 → 5,511 M; user+sys −8 % (8 alternating
    // pairs, load 9). Later limits follow the live heap as always. One given to this process is kept instead.
    const oldSpace =
      command !== "classify" || nodeOptionGiven(/^--initial[-_](?:old[-_]space|heap)[-_]size\b/)
        ? []
        : ["--initial-old-space-size=64"];
    // The snapshot's strings keep the hash seed they were hashed with when it was built, instead of V8 choosing
    // a new one at every start and rehashing the whole deserialised heap with it (a new seed is found by
    // testing random candidates for primality, and every string and dictionary of the snapshot is hashed again):
    // valgrind, one bounce email, 221.2 → 192.5 M instructions per process (−13 %), for each of classify's
    // processes (the second is started with these options). The seed stays secret all the same: it is drawn at
    // random when the snapshot is built (V8's --hash-seed=0), on each machine, for each build. One given to
    // this process (--rehash-snapshot) is kept instead.
    const rehash = nodeOptionGiven(/^--(?:no-?|no_)?rehash[-_]snapshot\b/) ? [] : ["--no-rehash-snapshot"];
    // Each regular expression compiled to machine code the first time it runs, not first to V8's regexp
    // bytecode and then again to machine code on its second run: the snapshot cannot keep either (V8 drops
    // compiled patterns when it serialises), so every process compiles the few hundred that classify uses.
    // valgrind, one process: 417 bounce emails 622.5/623.9 → 616.5 M instructions, 1,668 emails 1,061.1 →
    // 1,046.4 M (−1.4 %). One given to this process (--regexp-tier-up…) is kept instead.
    const regexpTier = nodeOptionGiven(/^--(?:no-?|no_)?regexp[-_]tier[-_]up\b/)
      ? []
      : ["--no-regexp-tier-up"];
    // Each WebAssembly function compiled once, by V8's optimising compiler, on its first call, not first by its
    // baseline compiler (Liftoff) and again once it has run enough: classify's WebAssembly (a message's header
    // blocks, the reply keys, a log line's template and record) is a few dozen small functions, most of them hot,
    // and V8 tiers one up only after ~13 MB of its code have run (--wasm-tiering-budget): a process would run
    // Liftoff code for its first few thousand messages or lines. valgrind, one process: 7,089 bounce emails
    // 2,275.9 → 2,257.3 M instructions (−0.8 %), a 200,000-line grep'd Postfix log 4,949.0 → 4,867.3 M (−1.7 %);
    // the bench's 14,000 emails, both processes, 4,601.7/4,634.1 → 4,571.9 M. One given to this process
    // (--liftoff…) is kept instead. For classify: ingest's was not measured.
    const wasmTier =
      command !== "classify" || nodeOptionGiven(/^--(?:no-?|no_)?liftoff(?:[-_]only)?\b/)
        ? []
        : ["--no-liftoff"];
    // ingest's snapshot runs only an ingest that starts no worker thread; for another it runs bin/ again with
    // the snapshot turned off (src/cli/ingest-snapshot.ts), with the Node options this process was given.
    if (command === "ingest") process.env.DELIVERLENS_LAUNCH_OPTIONS = JSON.stringify(process.execArgv);
    const options = [
      ...process.execArgv,
      ...rehash,
      ...regexpTier,
      ...wasmTier,
      ...semiSpace,
      ...oldSpace,
      "--snapshot-blob",
      snapshot,
    ];
    // Read by the C library of the process started next (and of classify's second process): set before both.
    if (folder) {
      const tunables = mallocOnHugePages(process.env.GLIBC_TUNABLES);
      if (tunables !== undefined) process.env.GLIBC_TUNABLES = tunables;
    }
    if (command === "classify" && classifiesAFolderAsJson(process.argv.slice(3)))
      await startJobsAhead(options);
    runInstead(process.execPath, [...options, ...process.argv.slice(2)]);
  } else {
    await import(entry("cli/main"));
  }
}
