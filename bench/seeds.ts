/**
 * npm run bench:seeds — `seeds check` on N seeds (default 100) against a private Dovecot on loopback
 * (testkit/dovecot.ts): every seed's copy delivered first (a third to Junk by Sieve, a few missing), then
 * one check pass, copies downloaded and analysed. Target: 100 seeds < 30 s. `node bench/seeds.ts 20` for a
 * quick run. Prints the wall time, this process's CPU time and the load, since the machine is shared.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { analyseReceivedCopy } from "../src/seeds/analyse.ts";
import { checkSeeds } from "../src/seeds/check.ts";
import { parseSeedList } from "../src/seeds/seed-list.ts";
import { CLI } from "../testkit/cli-spawn.ts";
import { dovecotSkip, startDovecot } from "../testkit/dovecot.ts";

const TARGET_SECONDS = 30;
const count = Number(process.argv[2] ?? 100);
const skip = dovecotSkip();
if (skip) {
  console.log(`SKIP: ${skip}`);
  process.exit(0);
}
const names = Array.from({ length: count }, (_, i) => `seed${String(i).padStart(3, "0")}`);
const env = { BENCH_SEED_PW: "bench-password" };
const stack = await startDovecot(names.map((name) => ({ name, password: env.BENCH_SEED_PW })));
try {
  const testId = "dl-benchseeds01";
  const body = "Hello,\r\n\r\nthe winter sale starts today.\r\n".repeat(40);
  for (const [i, name] of names.entries()) {
    if (i % 20 === 19) continue; // missing
    const placement = i % 3 === 0 ? "X-Test-Placement: junk\r\n" : "";
    // Each mailbox also holds older, unrelated mail the search has to pass over.
    for (let j = 0; j < 5; j++)
      await stack.deliver(`From: other@else.test\r\nSubject: older ${j}\r\n\r\n${body}`, [
        `${name}@seeds.test`,
      ]);
    await stack.deliver(
      `From: news@shop.test\r\nSubject: Winter sale\r\nX-Deliverlens-Test: ${testId}\r\n${placement}Authentication-Results: mx.seeds.test; dkim=pass header.d=shop.test; spf=pass smtp.mailfrom=shop.test; dmarc=pass header.from=shop.test\r\n\r\n${body}`,
      [`${name}@seeds.test`],
    );
  }
  const csv = [
    "address,provider,imap_url,username,password_env",
    ...names.map(
      (name, i) =>
        `${name}@seeds.test,${["apple", "google", "yahoo", "microsoft"][i % 4]},${stack.imapUrl},${name},BENCH_SEED_PW`,
    ),
  ].join("\n");
  const { seeds } = parseSeedList(csv);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const results = await checkSeeds(seeds, {
    testId,
    since: new Date(Date.now() - 86400_000),
    waitMs: 0,
    mailbox: { env },
    maxMessageBytes: 2 << 20,
    analyse: analyseReceivedCopy,
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const tally = (placement: string) => results.filter((result) => result.placement === placement).length;
  const expectedMissing = names.filter((_, i) => i % 20 === 19).length;
  const correct =
    tally("missing") === expectedMissing &&
    tally("error") === 0 &&
    tally("junk") === names.filter((_, i) => i % 3 === 0 && i % 20 !== 19).length;
  console.log(
    `seeds:           ${count} (inbox ${tally("inbox")}, junk ${tally("junk")}, missing ${tally("missing")}, error ${tally("error")})`,
  );
  console.log(
    `seeds check:     ${seconds.toFixed(2)} s wall (target < ${TARGET_SECONDS} s for 100), ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU in this process (Dovecot's not counted)`,
  );
  console.log(`load average:    ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores`);
  // The same check through the CLI (seed list file, store writes, JSON output), as a user runs it.
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-bench-seeds-"));
  writeFileSync(join(dir, "seeds.csv"), csv);
  const t1 = performance.now();
  const cli = spawnSync(
    process.execPath,
    [
      CLI,
      "seeds",
      "check",
      "--seeds",
      join(dir, "seeds.csv"),
      "--test",
      testId,
      "--db",
      join(dir, "s.duckdb"),
      "--json",
    ],
    { env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 64 << 20 },
  );
  const cliSeconds = (performance.now() - t1) / 1000;
  rmSync(dir, { recursive: true, force: true });
  const cliRows = cli.status === 0 ? (JSON.parse(cli.stdout) as unknown[]).length : 0;
  console.log(
    `CLI seeds check: ${cliSeconds.toFixed(2)} s wall, exit ${cli.status}, ${cliRows} rows (process start, store and JSON included)`,
  );
  const pass = correct && cliRows === count && Math.max(seconds, cliSeconds) < TARGET_SECONDS * (count / 100);
  console.log(pass ? "PASS" : `FAIL${correct ? "" : " (placements not as delivered)"}`);
  process.exitCode = pass ? 0 : 1;
} finally {
  await stack.stop();
}
