import { readFile, rm, writeFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { isFormatName } from "../events/formats.ts";
import { Store, storeHolderPath } from "../store/index.ts";
import { HOUR_MS } from "../util/dates.ts";
import { Alerts, logSink, type Sink } from "./alerts.ts";
import { trustAnchors } from "./cert-chain.ts";
import { dashboardRoutes } from "./dashboard-routes.ts";
import type { DetectOptions, WarmupCaps } from "./detect.ts";
import { type Durability, Intake, StoreLock } from "./intake.ts";
import { alertSamples, monitorSamples, prometheusText } from "./metrics.ts";
import { type BlocklistWatch, Monitor } from "./monitor.ts";
import type { Secrets } from "./receivers.ts";
import { ReportFetcher, type ReportFetchWatch } from "./report-fetch.ts";
import { buildServer, type ServerParts } from "./server.ts";
import { type CertLoader, certLoader } from "./sns.ts";
import { Spool } from "./spool.ts";
import { StateFile } from "./state.ts";

export interface ServeConfig {
  db: string;
  host: string;
  port: number;
  secrets: Secrets;
  token: string | null;
  /** DELIVERLENS_SNS_CERT_DIR: pre-fetched SNS signing certificates. */
  snsCertDir: string | null;
  /**
   * DELIVERLENS_SNS_CA_FILE: a PEM bundle of the CAs an SNS signing certificate must chain to (its
   * self-signed certificates are the anchors, the others intermediates); default the system CA store.
   */
  snsCaFile?: string | null;
  durability?: Durability;
  /** Spool directory (default `<db>.spool`). */
  spoolDir?: string;
  /** Detection state kept across restarts (default `<db>.serve-state.json`). */
  stateFile?: string;
  drainIntervalMs?: number;
  /** DuckDB threads of the store (default 1). */
  storeThreads?: number;
  maxBacklog?: number;
  windowSeconds?: number;
  now?: () => number;
  /** How an SNS SubscribeURL is fetched (default: GET over https, no redirects, 10 s). */
  confirmSubscription?: (url: string) => Promise<void>;
  loadCert?: CertLoader;
  limits?: ServerParts["limits"];
  /** Internal errors and alerts in one line each (the CLI: stderr). */
  log?: (line: string) => void;
  /** Detection every this many ms (default 5 min). */
  detectIntervalMs?: number;
  detect?: DetectOptions;
  /** Days of data an episode's diagnosis covers, ending on the episode's day (default 14). */
  diagnosisDays?: number;
  /** `deliverlens plan`'s CSV, parsed: today's cap per provider. */
  warmupPlan?: WarmupCaps | null;
  /** --domain/--ip: a periodic blocklist check with the audit's code. */
  blocklists?: BlocklistWatch | null;
  /** --dmarc-imap: `dmarc fetch` on a schedule (src/serve/report-fetch.ts). */
  reportFetch?: ReportFetchWatch | null;
  /** Where alerts go besides the log. */
  alertSinks?: Sink[];
  alertCooldownMs?: number;
  /** How often the dashboard page refreshes. */
  dashboardPollMs?: number;
}

export const SERVE_DEFAULTS = {
  host: "127.0.0.1",
  port: 8025,
  /** Per drain, ingest has a fixed cost (≈ 70 ms of CPU): once a second keeps it small at 20,000 events/s. */
  drainIntervalMs: 1000,
  storeThreads: 1,
  /** ≈ 30 s of the target rate: past it the store is behind and webhooks get 503 + Retry-After. */
  maxBacklog: 500_000,
  detectIntervalMs: 300_000,
  /** An alert with the same key (provider and condition) is not sent again within this. */
  alertCooldownMs: HOUR_MS,
  dashboardPollMs: 5_000,
} as const;

export interface Service {
  url: string;
  app: FastifyInstance;
  store: Store;
  intake: Intake;
  spool: Spool;
  lock: StoreLock;
  alerts: Alerts;
  monitor: Monitor;
  reportFetcher: ReportFetcher | null;
  config: ServeConfig;
  /** Stops intake, drains the spool into the store, closes everything. */
  close(): Promise<void>;
}

/**
 * Starts `deliverlens serve`: opens the store (its one writer), recovers and starts draining the spool,
 * and listens. Webhooks are accepted as soon as it listens; segments left by a crash drain meanwhile.
 */
export async function startService(config: ServeConfig): Promise<Service> {
  // One DuckDB thread: drains then never starve the HTTP intake of the second core (measured with
  // bench:serve on 2 cores: 2 threads roughly halved the acknowledged rate and doubled the p99).
  const loadCert = config.loadCert ?? (await snsCertLoader(config));
  const store = await Store.open(config.db, { threads: config.storeThreads ?? SERVE_DEFAULTS.storeThreads });
  const spool = await Spool.open(config.spoolDir ?? `${config.db}.spool`, isFormatName);
  const lock = new StoreLock();
  const intake = new Intake({
    store,
    spool,
    lock,
    durability: config.durability ?? "spool",
    maxBacklog: config.maxBacklog ?? SERVE_DEFAULTS.maxBacklog,
    drainIntervalMs: config.drainIntervalMs ?? SERVE_DEFAULTS.drainIntervalMs,
  });
  const fetchConfirm = async (url: string) => {
    const response = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  };
  const log = config.log ?? (() => {});
  const urlBox = { url: "" };
  const state = new StateFile(config.stateFile ?? `${config.db}.serve-state.json`);
  const saved = state.load(log);
  let restored = false;
  const persist = () => {
    if (!restored) return;
    try {
      state.save({ version: 1, alerts: alerts.snapshot(), monitor: monitor.snapshot() });
    } catch (error) {
      log(`could not save the detection state to ${state.path}: ${(error as Error).message}`);
    }
  };
  const alerts = new Alerts({
    sinks: [logSink(log), ...(config.alertSinks ?? [])],
    cooldownMs: config.alertCooldownMs ?? SERVE_DEFAULTS.alertCooldownMs,
    dashboard: () => urlBox.url,
    log,
    onChange: persist,
  });
  const monitor = new Monitor({
    store,
    lock,
    alerts,
    intervalMs: config.detectIntervalMs ?? SERVE_DEFAULTS.detectIntervalMs,
    detect: config.detect,
    plan: config.warmupPlan ?? null,
    blocklists: config.blocklists ?? null,
    log,
    diagnosisDays: config.diagnosisDays,
    beforeCheck: () => intake.drain(),
    onChange: persist,
  });
  if (saved) {
    monitor.restore(saved.monitor);
    alerts.restore(saved.alerts);
  }
  restored = true;
  const reportFetcher = config.reportFetch
    ? new ReportFetcher({ store, lock, watch: config.reportFetch, log })
    : null;
  const service = { store, spool, lock, intake, alerts, monitor, reportFetcher, config } as Service;
  const app = await buildServer({
    store,
    intake,
    lock,
    token: config.token,
    limits: config.limits,
    receiver: {
      secrets: config.secrets,
      windowSeconds: config.windowSeconds,
      now: config.now ?? Date.now,
      loadCert,
      confirmSubscription: config.confirmSubscription ?? fetchConfirm,
    },
    metrics: async () => prometheusText(intake, spool, [...alertSamples(alerts), ...monitorSamples(monitor)]),
    routes: dashboardRoutes({
      store,
      lock,
      intake,
      monitor,
      alerts,
      pollMs: config.dashboardPollMs ?? SERVE_DEFAULTS.dashboardPollMs,
    }),
    log: config.log,
  });
  intake.start();
  monitor.start();
  reportFetcher?.start();
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await monitor.stop();
    await reportFetcher?.stop();
    await intake.stop();
    await spool.close();
    store.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  service.app = app;
  service.url = `http://${host}:${port}`;
  urlBox.url = service.url;
  const holder = storeHolderPath(config.db);
  await writeFile(holder, `${JSON.stringify({ pid: process.pid, url: service.url })}\n`);
  service.close = async () => {
    await intake.stop();
    await app.close();
    await monitor.stop();
    await reportFetcher?.stop();
    alerts.stop();
    await intake.drain();
    await spool.close();
    store.close();
    await rm(holder, { force: true });
  };
  return service;
}

/** SNS certificates chain to the configured bundle or the system store (read only when SNS is on). */
async function snsCertLoader(config: ServeConfig): Promise<CertLoader> {
  if (!config.secrets.snsTopics) return () => Promise.reject(new Error("SNS is not configured"));
  const path = config.snsCaFile ?? null;
  const anchors = trustAnchors(path ? { path, text: await readFile(path, "utf8") } : null);
  return certLoader(config.snsCertDir, anchors);
}
