import type { Alerts } from "./alerts.ts";
import type { Intake } from "./intake.ts";
import type { Monitor } from "./monitor.ts";
import type { Spool } from "./spool.ts";

/** One sample of a metric family: `name{labels} value`. */
export interface Sample {
  name: string;
  help: string;
  type: "counter" | "gauge";
  value: number;
  labels?: Record<string, string>;
}

/**
 * Prometheus text exposition format 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats/): HELP and
 * TYPE once per family, label values escaped (backslash, quote, newline).
 */
export function renderPrometheus(samples: readonly Sample[]): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const sample of samples) {
    if (!seen.has(sample.name)) {
      seen.add(sample.name);
      lines.push(`# HELP ${sample.name} ${sample.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
      lines.push(`# TYPE ${sample.name} ${sample.type}`);
    }
    const labels = Object.entries(sample.labels ?? {})
      .map(
        ([key, value]) =>
          `${key}="${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`,
      )
      .join(",");
    lines.push(
      `${sample.name}${labels ? `{${labels}}` : ""} ${Number.isFinite(sample.value) ? sample.value : "NaN"}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The intake's counters as samples (the caller adds detection and alert samples). */
export function intakeSamples(intake: Intake, spool: Spool): Sample[] {
  const c = intake.counters;
  const counter = (name: string, help: string, value: number): Sample => ({
    name,
    help,
    type: "counter",
    value,
  });
  const memory = process.memoryUsage();
  return [
    counter(
      "deliverlens_webhook_records_received_total",
      "Records acknowledged (durable in the spool)",
      c.received,
    ),
    counter("deliverlens_records_drained_total", "Records read from the spool into the store", c.drained),
    counter("deliverlens_events_stored_total", "Events new to the store", c.stored),
    counter("deliverlens_events_duplicate_total", "Events already in the store (ESP retries)", c.duplicates),
    counter("deliverlens_records_quarantined_total", "Records the readers could not use", c.quarantined),
    counter("deliverlens_drain_errors_total", "Drains the store refused (retried)", c.drainErrors),
    counter(
      "deliverlens_webhook_overloaded_total",
      "Webhooks answered 503 (spool backlog full)",
      c.overloaded,
    ),
    counter(
      "deliverlens_spool_commits_total",
      "Group commits (fdatasync rounds) of the spool",
      spool.counters.commits,
    ),
    {
      name: "deliverlens_spool_backlog_records",
      help: "Records spooled, not yet in the store",
      type: "gauge",
      value: spool.backlog,
    },
    {
      name: "deliverlens_resident_memory_bytes",
      help: "Resident set size",
      type: "gauge",
      value: memory.rss,
    },
  ];
}

export function prometheusText(intake: Intake, spool: Spool, extra: readonly Sample[] = []): string {
  return renderPrometheus([...intakeSamples(intake, spool), ...extra]);
}

/** Alert counters and open alerts. */
export function alertSamples(alerts: Alerts): Sample[] {
  const c = alerts.counters;
  const counter = (name: string, help: string, value: number): Sample => ({
    name,
    help,
    type: "counter",
    value,
  });
  return [
    counter("deliverlens_alerts_raised_total", "Alerts raised (after cooldown dedupe)", c.raised),
    counter(
      "deliverlens_alerts_suppressed_total",
      "Alerts not sent again within their cooldown",
      c.suppressed,
    ),
    counter("deliverlens_alert_deliveries_total", "Alert deliveries that succeeded (per sink)", c.delivered),
    counter(
      "deliverlens_alert_delivery_failures_total",
      "Alert delivery attempts that failed (retried)",
      c.failedAttempts,
    ),
    counter(
      "deliverlens_alert_deliveries_abandoned_total",
      "Alert deliveries given up after every retry",
      c.abandoned,
    ),
    {
      name: "deliverlens_alerts_open",
      help: "Alerts whose condition still holds",
      type: "gauge",
      value: alerts.openAlerts().length,
    },
  ];
}

/** Detection passes, and per provider the last hour's policy-bounce rate and its baseline. */
export function monitorSamples(monitor: Monitor): Sample[] {
  const samples: Sample[] = [
    {
      name: "deliverlens_detection_checks_total",
      help: "Detection passes run",
      type: "counter",
      value: monitor.state.checks,
    },
  ];
  for (const view of monitor.state.views) {
    if (view.policyRateNow !== null)
      samples.push({
        name: "deliverlens_policy_bounce_rate",
        help: "Policy bounces per message sent in the hour ending at the latest event",
        type: "gauge",
        value: view.policyRateNow,
        labels: { provider: view.provider },
      });
    samples.push({
      name: "deliverlens_policy_bounce_baseline_rate",
      help: "Median hourly policy-bounce rate over the lookback",
      type: "gauge",
      value: view.baselineRate,
      labels: { provider: view.provider },
    });
  }
  const open = monitor.state.episodes.filter((e) => e.closedHour === null);
  samples.push({
    name: "deliverlens_policy_episodes_open",
    help: "Policy-bounce episodes open now",
    type: "gauge",
    value: open.length,
  });
  return samples;
}
