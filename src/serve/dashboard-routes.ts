import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ProviderTotals } from "../analytics/stats/daily.ts";
import { computeStats } from "../analytics/stats/report.ts";
import {
  DASHBOARD_CSP,
  DASHBOARD_SCRIPT,
  type DashboardData,
  renderDashboard,
  renderDashboardShell,
} from "../report/dashboard.ts";
import type { Store } from "../store/index.ts";
import type { Alerts } from "./alerts.ts";
import { loadRecentBounces } from "./detect.ts";
import type { Intake, StoreLock } from "./intake.ts";
import type { Monitor } from "./monitor.ts";

export interface DashboardParts {
  store: Store;
  lock: StoreLock;
  intake: Intake;
  monitor: Monitor;
  alerts: Alerts;
  pollMs: number;
}

/**
 * GET / (the shell), /dashboard.js, /api/dashboard (JSON) and /api/dashboard.html (the body the shell
 * polls). The store's totals are `stats`' own (computeStats), recomputed only when the store changed.
 */
export function dashboardRoutes(parts: DashboardParts) {
  let cached: { stored: number; totals: ProviderTotals[] } | null = null;
  const data = async (): Promise<DashboardData> => {
    const stored = parts.intake.counters.stored;
    if (!cached || cached.stored !== stored) {
      const report = await parts.lock.run(() => computeStats(parts.store, {}));
      cached = { stored, totals: report.totals };
    }
    const recentBounces = await parts.lock.run(() => loadRecentBounces(parts.store));
    const c = parts.intake.counters;
    return {
      generatedAt: new Date().toISOString(),
      totals: cached.totals,
      monitor: parts.monitor.state,
      openAlerts: parts.alerts.openAlerts(),
      recentAlerts: parts.alerts.recentAlerts(),
      recentBounces,
      intake: {
        received: c.received,
        stored: c.stored,
        duplicates: c.duplicates,
        quarantined: c.quarantined,
        backlog: parts.intake.backlog,
      },
    };
  };
  return (app: FastifyInstance, guard: (request: FastifyRequest, reply: FastifyReply) => boolean) => {
    app.get("/", async (_request, reply) =>
      reply
        .type("text/html; charset=utf-8")
        .header("content-security-policy", DASHBOARD_CSP)
        .header("x-content-type-options", "nosniff")
        .send(renderDashboardShell(parts.pollMs)),
    );
    app.get("/dashboard.js", async (_request, reply) =>
      reply
        .type("text/javascript; charset=utf-8")
        .header("x-content-type-options", "nosniff")
        .send(DASHBOARD_SCRIPT),
    );
    app.get("/api/dashboard", async (request, reply) => {
      if (!guard(request, reply)) return reply;
      return reply.send(await data());
    });
    app.get("/api/dashboard.html", async (request, reply) => {
      if (!guard(request, reply)) return reply;
      return reply
        .type("text/html; charset=utf-8")
        .header("content-security-policy", DASHBOARD_CSP)
        .header("x-content-type-options", "nosniff")
        .send(renderDashboard(await data()));
    });
    app.get("/api/alerts", async (request, reply) => {
      if (!guard(request, reply)) return reply;
      return reply.send({ open: parts.alerts.openAlerts(), recent: parts.alerts.recentAlerts() });
    });
  };
}
