import { statSync } from "node:fs";
import { loadAppleEgress, shareAppleEgress } from "../analytics/stats/opens.ts";
import { PROVIDERS, providerLabel } from "../bounce/vocabulary.ts";
import { reportsForDiagnosis } from "../dmarc/diagnosis.ts";
import { createResolver } from "../dns/index.ts";
import { domainOption, ipOptions, resolverOption } from "../dns/options.ts";
import type { DnsResolver } from "../dns/types.ts";
import type { ParseProblem } from "../events/event.ts";
import { allThenClose, Store } from "../store/index.ts";
import { seedPlacements } from "../store/seeds.ts";
import { isCalendarDay } from "../util/dates.ts";
import { InputError } from "../util/errors.ts";
import { checkOutput, type OutputOptions, SIGNATURES } from "../util/output.ts";
import { expandInputs } from "../util/walk.ts";
import { buildContext } from "./context.ts";
import { diagnoseContext } from "./engine.ts";
import { auditSender, loadCampaignMessages } from "./inputs.ts";
import { latestEvent, loadFacts } from "./load-facts.ts";
import { buildReport, type DiagnosisReport, messagesDomain } from "./report.ts";
import { segmentCounts } from "./segments.ts";
import type { AuditSummary, CampaignMessage } from "./types.ts";

export interface DiagnoseOptions {
  db: string;
  provider: string;
  /**
   * The window, as `stats --from/--to`: whole UTC days `YYYY-MM-DD`, both inclusive, either open. Every
   * count of the diagnosis covers it; recipients' history before it still tells their state at a send.
   */
  from?: string | null;
  to?: string | null;
  messages?: string;
  domain?: string;
  ip?: string[];
  resolver?: string;
  offline?: boolean;
  json?: boolean;
  md?: string;
  html?: string;
  redact?: boolean;
  company?: string;
  export?: string;
  appleEgress?: string;
  /** Overwrite --md/--html/--export files deliverlens did not write. */
  force?: boolean;
  /** Called after each of the 4 steps (facts, messages, audit, diagnosis) with the number done. */
  onStep?: (done: number) => void;
}

/** Where each output may be written: never over the store or an input; over a foreign file only with --force. */
function outputTargets(options: DiagnoseOptions): Array<{ path: string; output: OutputOptions }> {
  const protect = [
    options.db,
    ...(options.appleEgress ? [options.appleEgress] : []),
    ...(options.messages ? expandInputs([options.messages]).files : []),
  ];
  const force = options.force ?? false;
  const targets: Array<{ path: string | undefined; option: string; signature: (head: string) => boolean }> = [
    { path: options.export, option: "--export", signature: SIGNATURES.csv("address,reason") },
    { path: options.md, option: "--md", signature: SIGNATURES.markdown },
    { path: options.html, option: "--html", signature: SIGNATURES.html },
  ];
  return targets.flatMap(({ path, option, signature }) =>
    path ? [{ path, output: { option, protect, signature, force } }] : [],
  );
}

export function outputFor(options: DiagnoseOptions, option: string): OutputOptions {
  const found = outputTargets(options).find((target) => target.output.option === option);
  if (!found) throw new Error(`no ${option} output`);
  return found.output;
}

/**
 * Open the store read-only and diagnose it: the library entry point (no printing, no exit codes). A bad
 * option value throws `InputError`.
 */
export async function diagnoseStore(options: DiagnoseOptions): Promise<DiagnosisReport> {
  if (!(PROVIDERS as readonly string[]).includes(options.provider)) {
    throw new InputError(`--provider must be one of ${PROVIDERS.join(", ")}`);
  }
  if (options.messages && !statSync(options.messages, { throwIfNoEntry: false })?.isDirectory()) {
    throw new InputError(`--messages: ${options.messages} is not a directory`);
  }
  for (const [flag, value] of [
    ["--from", options.from],
    ["--to", options.to],
  ] as const) {
    if (value != null && !isCalendarDay(value))
      throw new InputError(`${flag} must be a date (YYYY-MM-DD): ${value}`);
  }
  if (options.from && options.to && options.from > options.to)
    throw new InputError(`--from ${options.from} is after --to ${options.to}`);
  const window = { from: options.from ?? null, to: options.to ?? null };
  const domain = options.domain ? domainOption(options.domain) : null;
  const ips = ipOptions(options.ip ?? []);
  for (const { path, output } of outputTargets(options)) checkOutput(path, output);
  const resolver = options.offline ? null : openResolver(options.resolver ?? "system");
  const problems: ParseProblem[] = [];
  const store = await Store.open(options.db, { readOnly: true });
  try {
    const opens = await loadAppleEgress(store, options.appleEgress ?? null);
    // The suppression segment (hygiene for the provider) on a second connection while the facts load: it
    // needs nothing from them. As of the window's last day when that is before the store's latest event.
    const latest = await latestEvent(store);
    const asOf = window.to && latest && window.to < latest.slice(0, 10) ? window.to : null;
    const other = await store.fork();
    const shared = opens.proxyIps > 0 ? shareAppleEgress(store, other) : Promise.resolve();
    const [facts, segments] = await allThenClose(other, [
      shared.then(() => loadFacts(store, options.provider, opens, window)),
      shared.then(() =>
        segmentCounts(
          other,
          options.provider,
          opens,
          options.export ?? null,
          options.export ? outputFor(options, "--export") : undefined,
          options.appleEgress ?? null,
          asOf,
        ),
      ),
    ]);
    options.onStep?.(1);
    let messages: Map<string, CampaignMessage> | null = null;
    if (options.messages) {
      const loaded = await loadCampaignMessages(options.messages, resolver);
      messages = loaded.messages;
      problems.push(...loaded.problems);
    }
    options.onStep?.(2);
    const auditDomain = domain ?? facts.sendingDomains[0] ?? messagesDomain(messages);
    let audit: AuditSummary | null = null;
    if (resolver && auditDomain && (domain || ips.length))
      audit = await auditSender(auditDomain, ips, resolver);
    options.onStep?.(3);
    const context = buildContext(facts, messages, audit);
    const diagnosis = diagnoseContext(context);
    options.onStep?.(4);
    const report = buildReport({
      context,
      diagnosis,
      segments,
      store: options.db,
      offline: !resolver,
      redacted: options.redact !== false,
      exportPath: options.export ?? null,
      company: options.company ?? null,
      domain,
      ips,
      problems,
      seeds: (await seedPlacements(store, { provider: options.provider })).filter(
        (seed) => (!window.from || seed.day >= window.from) && (!window.to || seed.day <= window.to),
      ),
    });
    // DMARC aggregate reports, when stored: a section of the report and authentication evidence.
    const reading = await reportsForDiagnosis(store, {
      window: report.figures.window,
      episodes: report.episodes,
      ips: report.ips.map((ip) => ip.ip),
      label: providerLabel(options.provider),
    });
    if (reading) {
      report.dmarc = reading.summary;
      report.causes.find((cause) => cause.id === "authentication")?.evidence.push(...reading.evidence);
    }
    return report;
  } finally {
    store.close();
  }
}

function openResolver(spec: string): DnsResolver {
  return createResolver(resolverOption(spec));
}
