import { rm, writeFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import { isFormatName } from "../events/formats.ts";
import { Store, storeHolderPath } from "../store/index.ts";
import { type Durability, Intake, StoreLock } from "./intake.ts";
import { prometheusText } from "./metrics.ts";
import type { Secrets } from "./receivers.ts";
import { buildServer, type ServerParts } from "./server.ts";
import { type CertLoader, certLoader } from "./sns.ts";
import { Spool } from "./spool.ts";

export interface ServeConfig {
  db: string;
  host: string;
  port: number;
  secrets: Secrets;
  token: string | null;
  /** DELIVERLENS_SNS_CERT_DIR: pre-fetched SNS signing certificates. */
  snsCertDir: string | null;
  durability?: Durability;
  /** Spool directory (default `<db>.spool`). */
  spoolDir?: string;
  drainIntervalMs?: number;
  maxBacklog?: number;
  windowSeconds?: number;
  now?: () => number;
  /** How an SNS SubscribeURL is fetched (default: GET over https, no redirects, 10 s). */
  confirmSubscription?: (url: string) => Promise<void>;
  loadCert?: CertLoader;
  limits?: ServerParts["limits"];
  /** Internal errors and alerts in one line each (the CLI: stderr). */
  log?: (line: string) => void;
  /** Extra routes (dashboard, alerts) and what runs beside the server (detection). */
  extend?: (service: Service) => { routes?: ServerParts["routes"]; stop?: () => Promise<void> };
}

export const SERVE_DEFAULTS = {
  host: "127.0.0.1",
  port: 8025,
  drainIntervalMs: 500,
  /** ≈ 30 s of the target rate: past it the store is behind and webhooks get 503 + Retry-After. */
  maxBacklog: 500_000,
} as const;

export interface Service {
  url: string;
  app: FastifyInstance;
  store: Store;
  intake: Intake;
  spool: Spool;
  lock: StoreLock;
  config: ServeConfig;
  /** Stops intake, drains the spool into the store, closes everything. */
  close(): Promise<void>;
}

/**
 * Starts `deliverlens serve`: opens the store (its one writer), recovers and starts draining the spool,
 * and listens. Webhooks are accepted as soon as it listens; segments left by a crash drain meanwhile.
 */
export async function startService(config: ServeConfig): Promise<Service> {
  const store = await Store.open(config.db);
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
  const service = { store, spool, lock, intake, config } as Service;
  const extension = config.extend?.(service) ?? {};
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
      loadCert: config.loadCert ?? certLoader(config.snsCertDir),
      confirmSubscription: config.confirmSubscription ?? fetchConfirm,
    },
    metrics: async () => prometheusText(intake, spool),
    routes: extension.routes,
    log: config.log,
  });
  intake.start();
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
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
  const holder = storeHolderPath(config.db);
  await writeFile(holder, `${JSON.stringify({ pid: process.pid, url: service.url })}\n`);
  service.close = async () => {
    await intake.stop();
    await app.close();
    await extension.stop?.();
    await intake.drain();
    await spool.close();
    store.close();
    await rm(holder, { force: true });
  };
  return service;
}
