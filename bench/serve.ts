/**
 * `npm run bench:serve`: `deliverlens serve` under a signed SendGrid load on this machine (the load
 * generator signs every request with ECDSA as SendGrid does, sharing the cores with the server).
 *
 *   node bench/serve.ts [--events 300000] [--batch 100] [--concurrency 16] [--kills 5]
 *                       [--durability spool|direct|both] [--direct-events 20000] [--detect-interval 1000]
 *
 * Prints, per durability mode: events/s acknowledged (wall time of the load, restarts included, and
 * excluding the restarts' downtime), p50/p99 acknowledgement latency, peak RSS of the server,
 * acknowledged events lost across the kill -9 restarts (checked in the store after the run), and the
 * episode alert latency in detection intervals (an injected Apple CS01 burst).
 *
 * Targets (issue 16): ≥ 20,000 events/s in batches of 100, p99 < 250 ms, peak RSS < 1 GB, 0 lost across
 * 5 kill -9 restarts; the episode's alert within 2 detection intervals.
 */
import { readFileSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Store } from "../src/store/index.ts";
import { appleHour, type ServeProcess, sendgridSigner, spawnServe } from "../testkit/serve.ts";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "300000" },
    batch: { type: "string", default: "100" },
    concurrency: { type: "string", default: "16" },
    kills: { type: "string", default: "5" },
    durability: { type: "string", default: "both" },
    "detect-interval": { type: "string", default: "1000" },
    /** Direct commits are far slower: the comparison runs on fewer events. */
    "direct-events": { type: "string", default: "20000" },
  },
});
const EVENTS = Number(values.events);
const BATCH = Number(values.batch);
const CONCURRENCY = Number(values.concurrency);
const KILLS = Number(values.kills);
const DETECT_MS = Number(values["detect-interval"]);
const signer = sendgridSigner();
const env = { DELIVERLENS_SENDGRID_VERIFICATION_KEY: signer.publicKey };
const START = 1_780_000_000 - (1_780_000_000 % 3600);

/** Batch i: BATCH events spread over 6 hours of data, Apple and Gmail, mostly deliveries. */
function batchBody(i: number): string {
  const events = [];
  for (let j = 0; j < BATCH; j++) {
    const k = i * BATCH + j;
    events.push({
      email: `u${k}@${k % 3 === 0 ? "icloud.com" : "gmail.com"}`,
      timestamp: START + Math.floor((k / EVENTS) * 6 * 3600),
      event: k % 50 === 0 ? "bounce" : "delivered",
      sg_event_id: `bench-${k}`,
      sg_message_id: `m-${k}`,
      category: ["bench"],
      ip: "192.0.2.10",
      ...(k % 50 === 0
        ? { type: "bounce", status: "5.1.1", reason: "550 5.1.1 user unknown" }
        : { response: "250 ok" }),
    });
  }
  return JSON.stringify(events);
}

interface Run {
  mode: string;
  acked: number;
  seconds: number;
  upSeconds: number;
  /** Until every acknowledged event was in the store, restart downtime excluded. */
  storedUpSeconds: number;
  backlogAtEnd: number;
  p50: number;
  p99: number;
  peakRssMb: number;
  lost: number;
  restarts: number;
  rejected: Record<string, number>;
  alertIntervals: number | null;
  serverCpu: number;
  generatorCpu: number;
}

/** CPU seconds (user + system) a process has used so far (/proc/PID/stat, clock ticks of 1/100 s). */
function cpuOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function rssOf(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

async function runMode(mode: "spool" | "direct", kills: number, total: number): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), "deliverlens-bench-serve-"));
  const db = join(dir, "bench.duckdb");
  const args = ["--db", db, "--durability", mode, "--detect-interval", String(DETECT_MS / 1000)];
  const batches = Math.ceil(total / BATCH);
  const latencies: number[] = [];
  const rejected: Record<string, number> = {};
  const ackedBatches = new Set<number>();
  let peakRssMb = 0;
  let server: ServeProcess = await spawnServe(args, env);
  let restarts = 0;
  let downMs = 0;
  let restarting: Promise<void> | null = null;
  const pending: number[] = Array.from({ length: batches }, (_, i) => i);
  const killAt = Array.from({ length: kills }, (_, i) => Math.floor(((i + 1) * batches) / (kills + 1)));
  let serverCpu = 0;
  let lastCpu = 0;
  const rssPoll = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, rssOf(server.child.pid));
    lastCpu = cpuOf(server.child.pid) || lastCpu;
  }, 100);
  const generatorStart = process.cpuUsage();
  const restart = async () => {
    const down = performance.now();
    peakRssMb = Math.max(peakRssMb, rssOf(server.child.pid));
    serverCpu += cpuOf(server.child.pid) || lastCpu;
    lastCpu = 0;
    server.child.kill("SIGKILL");
    await server.exited;
    server = await spawnServe(args, env);
    restarts++;
    downMs += performance.now() - down;
  };
  const started = performance.now();
  const worker = async () => {
    while (pending.length > 0) {
      if (restarting) await restarting;
      const index = pending.shift() as number;
      const body = batchBody(index);
      const t0 = performance.now();
      let status = 0;
      try {
        const response = await fetch(`${server.url}/webhooks/sendgrid`, {
          method: "POST",
          body,
          headers: signer.headers(body),
        });
        await response.arrayBuffer();
        status = response.status;
      } catch {
        status = 0;
      }
      if (status === 200) {
        latencies.push(performance.now() - t0);
        ackedBatches.add(index);
        if (killAt.length > 0 && ackedBatches.size >= killAt[0] && !restarting) {
          killAt.shift();
          restarting = restart().finally(() => {
            restarting = null;
          });
        }
      } else {
        rejected[String(status)] = (rejected[String(status)] ?? 0) + 1;
        pending.push(index);
        if (status === 503) await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  // Sustained means stored too: wait until the spool is drained into the store.
  const backlogAtEnd = await backlog(server.url);
  while ((await backlog(server.url)) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  const storedSeconds = (performance.now() - started) / 1000;
  serverCpu += cpuOf(server.child.pid);
  const generator = process.cpuUsage(generatorStart);
  const generatorCpu = (generator.user + generator.system) / 1e6;

  // The episode: an Apple CS01 burst in the hour after the load's data; count detection checks until its alert.
  const alertIntervals = await episodeLatency(server);
  peakRssMb = Math.max(peakRssMb, rssOf(server.child.pid));
  clearInterval(rssPoll);
  server.child.kill("SIGTERM");
  await server.exited;

  const store = await Store.open(db, { readOnly: true });
  let lost = 0;
  try {
    const row = await store.one<{ n: number }>(
      "SELECT count(DISTINCT recipient) AS n FROM events WHERE campaign = 'bench'",
    );
    lost = ackedBatches.size * BATCH - (row?.n ?? 0);
  } finally {
    store.close();
  }
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    mode,
    acked: ackedBatches.size * BATCH,
    seconds,
    upSeconds: seconds - downMs / 1000,
    storedUpSeconds: storedSeconds - downMs / 1000,
    backlogAtEnd,
    p50: q(0.5),
    p99: q(0.99),
    peakRssMb,
    lost: Math.max(0, lost),
    restarts,
    rejected,
    alertIntervals,
    serverCpu,
    generatorCpu,
  };
}

async function backlog(url: string): Promise<number> {
  return ((await (await fetch(`${url}/healthz`)).json()) as { backlog: number }).backlog;
}

async function checks(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^deliverlens_detection_checks_total (\d+)$/m.exec(text)?.[1] ?? 0);
}

async function episodeLatency(server: ServeProcess): Promise<number | null> {
  const hour = START + 6 * 3600;
  const events = appleHour(hour, 200, 100, "burst", "bench-burst");
  const body = JSON.stringify(events);
  const response = await fetch(`${server.url}/webhooks/sendgrid`, {
    method: "POST",
    body,
    headers: signer.headers(body),
  });
  if (response.status !== 200) return null;
  const before = await checks(server.url);
  const deadline = performance.now() + 60_000 + 10 * DETECT_MS;
  while (performance.now() < deadline) {
    const alerts = (await (await fetch(`${server.url}/api/alerts`)).json()) as {
      open: { kind: string; provider: string }[];
    };
    if (alerts.open.some((a) => a.kind === "policy-episode" && a.provider === "apple"))
      return (await checks(server.url)) - before;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

const modes =
  values.durability === "both" ? (["spool", "direct"] as const) : [values.durability as "spool" | "direct"];
process.stdout.write(
  `bench:serve — ${EVENTS.toLocaleString("en-US")} events in signed batches of ${BATCH}, ${CONCURRENCY} concurrent senders, ${KILLS} kill -9 restarts (spool mode)\n`,
);
const results: Run[] = [];
for (const mode of modes)
  results.push(
    await runMode(
      mode,
      mode === "spool" ? KILLS : 0,
      mode === "spool" ? EVENTS : Number(values["direct-events"]),
    ),
  );
for (const r of results) {
  const rate = r.acked / r.seconds;
  const upRate = r.acked / r.upSeconds;
  const storedRate = r.acked / r.storedUpSeconds;
  const pass = (ok: boolean) => (ok ? "PASS" : "FAIL");
  process.stdout.write(
    [
      `\n[${r.mode}] acknowledged ${r.acked.toLocaleString("en-US")} events in ${r.seconds.toFixed(1)} s (${r.restarts} kill -9 restarts; non-200 answers ${JSON.stringify(r.rejected)})`,
      `  events/s          acknowledged ${Math.round(rate).toLocaleString("en-US")} overall, ${Math.round(upRate).toLocaleString("en-US")} excluding restart downtime; in the store ${Math.round(storedRate).toLocaleString("en-US")}/s (spooled at the end of the load: ${r.backlogAtEnd.toLocaleString("en-US")})   ${pass(storedRate >= 20_000)} (≥ 20,000 stored)`,
      `  CPU               server ${r.serverCpu.toFixed(1)} s (${Math.round(r.acked / Math.max(r.serverCpu, 0.01)).toLocaleString("en-US")} events per server CPU-second), load generator ${r.generatorCpu.toFixed(1)} s`,
      `  ack latency       p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms   ${pass(r.p99 < 250)} (p99 < 250 ms)`,
      `  peak RSS          ${r.peakRssMb.toFixed(0)} MB   ${pass(r.peakRssMb < 1024)} (< 1 GB)`,
      `  lost acknowledged ${r.lost}   ${pass(r.lost === 0)} (0)`,
      `  episode alert     ${r.alertIntervals === null ? "not raised" : `after ${r.alertIntervals} detection interval(s) of ${DETECT_MS} ms`}   ${pass(r.alertIntervals !== null && r.alertIntervals <= 2)} (≤ 2)`,
    ].join("\n"),
  );
}
process.stdout.write(
  `\nmachine: ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")} at the end (other work shares these cores: numbers under load)\n`,
);
