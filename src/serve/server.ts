import { createServer } from "node:http";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { computeStats } from "../analytics/stats/report.ts";
import { PROVIDERS } from "../bounce/vocabulary.ts";
import type { Store } from "../store/index.ts";
import { isCalendarDay } from "../util/dates.ts";
import type { Intake, StoreLock } from "./intake.ts";
import { ESPS, type Esp, type ReceiverContext, receive } from "./receivers.ts";
import { verifyBearer } from "./signatures.ts";

/** Named limits of the HTTP intake (docs/SERVE.md). */
export const SERVE_LIMITS = {
  /** A webhook body larger than this is answered 413 (SendGrid batches are ≈ 768 KB at most). */
  bodyBytes: 10 * 1024 * 1024,
  /** A request (headers and body) that takes longer than this is answered 408 and its socket closed. */
  requestMs: 30_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: 10_000,
} as const;

export interface ServerParts {
  store: Store;
  intake: Intake;
  lock: StoreLock;
  receiver: Omit<ReceiverContext, "accept" | "admit">;
  /** DELIVERLENS_TOKEN: when set, the dashboard and API need `Authorization: Bearer <token>`. */
  token: string | null;
  /** Prometheus text exposition of the process' counters. */
  metrics(): Promise<string>;
  /** Extra routes (dashboard, alerts API) registered by the caller. */
  routes?: (app: FastifyInstance, guard: (request: FastifyRequest, reply: FastifyReply) => boolean) => void;
  limits?: Partial<Record<keyof typeof SERVE_LIMITS, number>>;
  logger?: boolean;
  /** Where internal errors are reported (the CLI writes them to stderr). */
  log?: (line: string) => void;
}

/**
 * The HTTP side of `deliverlens serve` (Fastify: a raw-body content parser for every type, because
 * signatures are checked on the exact bytes, and its body limit and timeouts for hostile clients).
 */
export async function buildServer(parts: ServerParts): Promise<FastifyInstance> {
  const limits = { ...SERVE_LIMITS, ...parts.limits };
  const app = Fastify({
    logger: parts.logger ?? false,
    bodyLimit: limits.bodyBytes,
    return503OnClosing: true,
    // Node checks request deadlines every connectionsCheckingInterval (30 s by default): often enough
    // here that a slow client gets its 408 near the limit.
    serverFactory: (handler) =>
      createServer(
        {
          requestTimeout: limits.requestMs,
          headersTimeout: limits.requestMs,
          keepAliveTimeout: limits.keepAliveMs,
          connectionsCheckingInterval: Math.max(100, Math.min(1_000, limits.requestMs / 4)),
        },
        handler,
      ),
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    const message =
      error.code === "FST_ERR_CTP_BODY_TOO_LARGE"
        ? `body larger than ${limits.bodyBytes} bytes`
        : status >= 500
          ? "internal error"
          : error.message;
    if (status >= 500) parts.log?.(error.stack ?? error.message);
    void reply.code(status).send({ error: message });
  });
  app.setNotFoundHandler((_request, reply) => void reply.code(404).send({ error: "not found" }));

  const guard = (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (parts.token === null) return true;
    const verdict = verifyBearer(parts.token, request.headers.authorization);
    if (verdict.ok) return true;
    void reply.code(verdict.status).header("www-authenticate", "Bearer").send({ error: verdict.reason });
    return false;
  };

  const context: ReceiverContext = {
    ...parts.receiver,
    accept: (format, records) => parts.intake.accept(format, records),
    admit: () => parts.intake.admit(),
  };

  app.get("/healthz", async () => ({ ok: true, backlog: parts.intake.backlog }));

  for (const esp of Object.keys(ESPS) as Esp[]) {
    app.post(`/webhooks/${esp}`, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const answer = await receive(esp, { headers: request.headers, body }, context);
      if (answer.headers) void reply.headers(answer.headers);
      return reply.code(answer.status).send(answer.body);
    });
  }

  app.get("/api/stats", async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const query = statsQuery(request.query as Record<string, unknown>);
    if ("error" in query) return reply.code(400).send(query);
    const report = await parts.lock.run(() => computeStats(parts.store, query));
    // Byte for byte what `deliverlens stats --json` prints for the same window.
    return reply.type("application/json").send(`${JSON.stringify(report, null, 2)}\n`);
  });

  app.get("/metrics", async (request, reply) => {
    if (!guard(request, reply)) return reply;
    return reply.type("text/plain; version=0.0.4").send(await parts.metrics());
  });

  parts.routes?.(app, guard);
  return app;
}

/** `?provider=&from=&to=&asOf=` (also `as-of`), validated as `stats` validates its options. */
export function statsQuery(
  raw: Record<string, unknown>,
): { provider?: string; from?: string; to?: string; asOf?: string } | { error: string } {
  const text = (key: string) => (typeof raw[key] === "string" ? (raw[key] as string) : undefined);
  const query = {
    provider: text("provider")?.toLowerCase(),
    from: text("from"),
    to: text("to"),
    asOf: text("asOf") ?? text("as-of"),
  };
  if (query.provider !== undefined && !(PROVIDERS as readonly string[]).includes(query.provider))
    return { error: `unknown provider; use one of ${PROVIDERS.join(", ")}` };
  for (const key of ["from", "to", "asOf"] as const) {
    const value = query[key];
    if (value !== undefined && !isCalendarDay(value)) return { error: `${key} must be a date (YYYY-MM-DD)` };
  }
  if (query.from && query.to && query.from > query.to) return { error: "from is after to" };
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
}
